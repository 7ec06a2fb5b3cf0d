/**
 * One running transaction's removal handling, shared by both drivers: `transact` rejects with
 * CardRemovedError as soon as the card leaves, and the channel refuses further APDUs.
 */
import type { CardChannel } from '../../card/apdu';
import { CardError, CardRemovedError } from '../../card/errors';

export class ActiveTransaction {
  private aborted: CardError | undefined;
  private rejectOuter: ((e: CardError) => void) | undefined;

  /** Ends the transaction with `error` (card removed, driver stopped). */
  abort(error: CardError): void {
    if (this.aborted) return;
    this.aborted = error;
    this.rejectOuter?.(error);
  }

  get abortedWith(): CardError | undefined {
    return this.aborted;
  }

  /** Wraps a raw transmit so it refuses to run (and to return) once the transaction is aborted. */
  channel(raw: (apdu: Buffer) => Promise<Buffer>): CardChannel {
    return {
      transmit: async (apdu: Buffer) => {
        if (this.aborted) throw this.aborted;
        const res = await raw(apdu);
        if (this.aborted) {
          res.fill(0);
          throw this.aborted;
        }
        return res;
      },
    };
  }

  /**
   * Runs `fn`; the returned promise settles with fn's result, or rejects with the abort error as
   * soon as `abort` is called. `settled` resolves when fn itself is done (the queue waits for it).
   */
  run<T>(fn: () => Promise<T>): { result: Promise<T>; settled: Promise<void> } {
    const inner = fn();
    const settled = inner.then(
      () => undefined,
      () => undefined,
    );
    const result = new Promise<T>((resolve, reject) => {
      this.rejectOuter = reject;
      if (this.aborted) reject(this.aborted);
      inner.then(resolve, (e: unknown) => reject(this.aborted ?? e));
    });
    return { result, settled };
  }
}

export function removedDuring(step: string): CardRemovedError {
  return new CardRemovedError({ step });
}
