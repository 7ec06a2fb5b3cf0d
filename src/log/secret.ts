/**
 * A personal value that never stringifies (issue 11 item 9; SPEC §5 last paragraph): the PIN, the
 * staff passcode, names, birth dates, the certificate serial, 照合番号B, photos. Template strings,
 * `String()`, `JSON.stringify`, `util.inspect` (console.log, assertion messages, error reports) all
 * give `[redacted]`; the value comes out only through an explicit `.reveal()` at the one place
 * that needs it (the APDU that presents the PIN, the scrypt check of the passcode, …), so a line
 * like `log.info(\`verifying PIN ${pin}\`)` logs nothing personal, whatever the output.
 *
 * The value lives in a private class field: `structuredClone` and spreading do not copy it, so a
 * Secret is never part of the engine's plain-JSON state — it is made where the state hands the
 * value to an effect.
 */
import { inspect } from 'node:util';

export const REDACTED = '[redacted]';

export class Secret<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The value itself: call it only where the value must leave the process (APDU, hash check). */
  reveal(): T {
    return this.#value;
  }

  /** A derived secret (e.g. the bytes of a PIN) without revealing it on the way. */
  map<U>(f: (value: T) => U): Secret<U> {
    return new Secret(f(this.#value));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export function secret<T>(value: T): Secret<T> {
  return new Secret(value);
}

export function isSecret(value: unknown): value is Secret<unknown> {
  return value instanceof Secret;
}
