/**
 * Errors of the ISO/IEC 7816 layer: the transport (reader, card presence, a card that does not
 * answer), responses that cannot be what a card sends, commands that are not well-formed APDUs,
 * and status words the caller did not expect. Card applications (src/card/, src/card-face/) add
 * their own errors on top of `CardError`; the reader drivers throw only these.
 *
 * Context is what happened, never what was read: the instruction byte, the status word and the
 * step of the operation (`select-jpki`, `read-certificate`, `verify-pin`, …). No data field, no
 * PIN, no certificate bytes are ever attached to an error, so errors are safe to log (SPEC §5).
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

/** A response that cannot be what the card is specified to send (too short, bad DER, wrong length). */
export class MalformedResponseError extends CardError {
  constructor(what: string, context: CardErrorContext = {}) {
    super(`malformed response: ${what}`, context);
  }
}

/**
 * Card data that is not well-formed BER-TLV (ISO/IEC 7816-4 §5.2.2, X.690 §8.1). A kind of
 * malformed response: the bytes came from the card, and the reader faces a possibly hostile one.
 */
export class TlvFormatError extends MalformedResponseError {
  constructor(
    reason: string,
    /** Offset of the offending byte (or object) in the buffer handed to the parser. */
    readonly offset: number,
  ) {
    super(`${reason} (at byte ${offset})`);
  }
}

/**
 * A command APDU that fits none of the four ISO/IEC 7816-3 §12.1 cases (short or extended). Thrown
 * while *decoding commands* — by the card emulator, which answers it with `6700`, and by the
 * simulated reader's logging — so it is not a CardError: no card said anything wrong.
 */
export class MalformedCommandError extends Error {
  constructor(
    /** Length of the whole command, header included. */
    readonly length: number,
    reason: string,
  ) {
    super(`malformed command APDU (${length} bytes): ${reason}`);
    this.name = 'MalformedCommandError';
  }
}

/** A status word the operation did not expect (callers map the ones they expect first). */
export class UnexpectedStatusError extends CardError {
  constructor(context: CardErrorContext = {}) {
    super('unexpected status word', context);
  }
}
