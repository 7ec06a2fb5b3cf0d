/**
 * Typed errors of the card applications (issue 2 §3, DEVELOPERS.md "errors are typed classes
 * carrying context"): what a JPKI or card-face answer means. The transport errors (card removed,
 * not responding, no card, reader unavailable, malformed response, unexpected status) belong to
 * the ISO/IEC 7816 layer (src/iso7816/errors.ts) and are re-exported here for the callers of the
 * card applications; the reader drivers import them from src/iso7816 directly.
 *
 * Context is what happened, never what was read (see CardErrorContext).
 */
import { CardError, type CardErrorContext } from '../iso7816/errors';

export {
  CardError,
  CardNotRespondingError,
  CardRemovedError,
  MalformedResponseError,
  NoCardError,
  ReaderUnavailableError,
  UnexpectedStatusError,
  type CardErrorContext,
} from '../iso7816/errors';

/** The PIN is locked (tries exhausted): `6983` (or `6984`) on VERIFY. Only the issuer can reset it. */
export class PinBlockedError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('PIN blocked', context);
  }
}

/** Wrong PIN: `63Cx`, x tries left. `triesLeft` 0 means this attempt locked the PIN. */
export class WrongPinError extends CardError {
  readonly triesLeft: number;
  constructor(triesLeft: number, context: CardErrorContext = {}) {
    super(`wrong PIN, ${triesLeft} tries left`, context);
    this.triesLeft = triesLeft;
  }
}

/** The card has no PIN of this kind (face-authentication-only card): PIN authentication is not offered. */
export class PinNotSetError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('PIN not set on this card', context);
  }
}

/** A PIN value that cannot be presented (not 4 digits); refused before reaching the card, so no try is spent. */
export class PinFormatError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('PIN must be 4 digits', context);
  }
}

/** `6982`: security status not satisfied (e.g. signing before VERIFY). */
export class SecurityStatusError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('security status not satisfied', context);
  }
}

/** `6A82` on SELECT of an elementary file. */
export class FileNotFoundError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('file not found', context);
  }
}

/** `6A82` on SELECT of an application by AID: not a My Number card (or not this application). */
export class ApplicationNotFoundError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('application not found', context);
  }
}
