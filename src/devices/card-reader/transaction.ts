/**
 * One running transaction's removal handling, shared by both drivers: `transact` rejects with
 * CardRemovedError as soon as the card leaves, and the channel refuses further APDUs.
 */
import { CardError, CardRemovedError, type CardChannel } from '../../iso7816';

export class ActiveTransaction {
  private aborted: CardError | undefined;
  private rejectOuter: ((e: CardError) => void) | undefined;
  private readonly pending = new Set<(e: CardError) => void>();

  /** Ends the transaction with `error` (card removed, driver stopped); pending APDUs reject too. */
  abort(error: CardError): void {
    if (this.aborted) return;
    this.aborted = error;
    this.rejectOuter?.(error);
    for (const reject of this.pending) reject(error);
    this.pending.clear();
  }

  get abortedWith(): CardError | undefined {
    return this.aborted;
  }

  /**
   * Wraps a raw transmit so it refuses to run once the transaction is aborted, and an APDU in
   * flight rejects at the abort instead of waiting for a reader that may never answer (so `fn`
   * settles and the queue moves on). A late answer is zeroed and dropped.
   */
  channel(raw: (apdu: Buffer) => Promise<Buffer>): CardChannel {
    return {
      transmit: (apdu: Buffer) => {
        if (this.aborted) return Promise.reject(this.aborted);
        return new Promise<Buffer>((resolve, reject) => {
          this.pending.add(reject);
          raw(apdu).then(
            (res) => {
              this.pending.delete(reject);
              if (this.aborted) {
                res.fill(0);
                reject(this.aborted);
              } else resolve(res);
            },
            (e: unknown) => {
              this.pending.delete(reject);
              reject(this.aborted ?? e);
            },
          );
        });
      },
    };
  }

  /**
   * Runs `fn`; the returned promise settles with fn's result, or rejects with the abort error as
   * soon as `abort` is called. `settled` resolves when fn itself is done (the queue waits for it).
   */
  run<T>(fn: () => Promise<T>): { result: Promise<T>; settled: Promise<void> } {
    // An fn that throws before its first await still ends as a rejection, not an exception here.
    const inner = (async () => fn())();
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
