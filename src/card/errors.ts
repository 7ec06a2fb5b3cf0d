/**
 * Typed card errors (issue 2 §3, DEVELOPERS.md "errors are typed classes carrying context").
 *
 * Context is what happened, never what was read: the instruction byte, the status word and the
 * step of the operation (`select-jpki`, `read-certificate`, `verify-pin`, …). No data field, no
 * PIN, no certificate bytes are ever attached to an error, so errors are safe to log.
 */
export interface CardErrorContext {
  /** Instruction byte of the command that failed, when one did. */
  ins?: number;
  /** Status word the card answered, when it answered. */
  sw?: number;
  /** Named step of the operation, e.g. `read-certificate`. */
  step?: string;
  /** Underlying error (transport), for diagnosis; its message is not card data. */
  cause?: unknown;
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

export class CardError extends Error {
  readonly ins: number | undefined;
  readonly sw: number | undefined;
  readonly step: string | undefined;

  constructor(message: string, context: CardErrorContext = {}) {
    const where = [
      context.step !== undefined ? `step ${context.step}` : undefined,
      context.ins !== undefined ? `INS ${hex(context.ins, 2)}` : undefined,
      context.sw !== undefined ? `SW ${hex(context.sw, 4)}` : undefined,
    ].filter((s): s is string => s !== undefined);
    super(where.length > 0 ? `${message} (${where.join(', ')})` : message, { cause: context.cause });
    this.name = new.target.name;
    this.ins = context.ins;
    this.sw = context.sw;
    this.step = context.step;
  }
}

/** The card left the reader (or was reset by someone else) before the operation finished. */
export class CardRemovedError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('card removed', context);
  }
}

/** The card did not answer within the time allowed (mute card, slow card beyond the limit). */
export class CardNotRespondingError extends CardError {
  readonly timeoutMs: number | undefined;
  constructor(context: CardErrorContext & { timeoutMs?: number } = {}) {
    super(context.timeoutMs !== undefined ? `card not responding after ${context.timeoutMs} ms` : 'card not responding', context);
    this.timeoutMs = context.timeoutMs;
  }
}

/** A response that cannot be what the card is specified to send (too short, bad DER, wrong length). */
export class MalformedResponseError extends CardError {
  constructor(what: string, context: CardErrorContext = {}) {
    super(`malformed response: ${what}`, context);
  }
}

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

/** Any other status word the operation did not expect. */
export class UnexpectedStatusError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('unexpected status word', context);
  }
}

/** No card in the slot when a transaction was asked for. */
export class NoCardError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('no card in the reader', context);
  }
}

/** The reader (or the PC/SC service) is not available. */
export class ReaderUnavailableError extends CardError {
  constructor(message: string, context: CardErrorContext = {}) {
    super(`reader unavailable: ${message}`, context);
  }
}
