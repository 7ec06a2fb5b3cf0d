/**
 * Synchronising tests on state, not on time (issue 11, "Tests"; developers' guide: "Synchronise on
 * state or fake timers, never sleeps").
 *
 * - `waitFor(cond, …)`: a bounded poll for a state the test cannot be told about (a line on a
 *   child's stdout, a reader shown by `opensc-tool -l`, a process gone from /proc). It checks,
 *   waits a short interval, checks again, and fails after the deadline naming what it awaited.
 * - `withTimeout(promise, …)`: awaits a promise (an event, an exit) with the same kind of bound.
 *
 * Both keep their own references to the real timers, taken when this module loads, so they still
 * bound a test that has installed `@sinonjs/fake-timers` (the fake clock never reaches them).
 * Load this module before installing a fake clock (a static import does).
 */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export interface WaitOptions {
  /** What is awaited, for the failure message ("the card on reader 0"). */
  what: string;
  /** Deadline in ms (default 5000). A bound for failure, never a pace for success. */
  timeoutMs?: number;
  /** Pause between two checks in ms (default 25). */
  intervalMs?: number;
}

export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    detail?: string,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail}` : ''}`);
    this.name = 'WaitTimeoutError';
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => realSetTimeout(resolve, ms));

/**
 * Resolves with the first truthy value of `cond` (which may be async), checked at once and then
 * every `intervalMs`; rejects with `WaitTimeoutError` once `timeoutMs` has passed. A check that
 * throws fails the wait with that error. `describe()`, if given, adds the last observed state
 * to the failure message.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  options: WaitOptions & { describe?: () => string },
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 25;
  let expired = false;
  const timer = realSetTimeout(() => (expired = true), timeoutMs);
  try {
    for (;;) {
      const value = await cond();
      if (value) return value as NonNullable<T>;
      if (expired) throw new WaitTimeoutError(options.what, timeoutMs, options.describe?.());
      await pause(intervalMs);
    }
  } finally {
    realClearTimeout(timer);
  }
}

/**
 * Settles as `promise` does, or rejects with `WaitTimeoutError` after `timeoutMs` (default 5000);
 * `describe()`, if given, adds what was seen by then to the failure message.
 */
export function withTimeout<T>(promise: Promise<T>, options: Omit<WaitOptions, 'intervalMs'> & { describe?: () => string }): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise<T>((resolve, reject) => {
    const timer = realSetTimeout(() => reject(new WaitTimeoutError(options.what, timeoutMs, options.describe?.())), timeoutMs);
    promise.then(
      (value) => {
        realClearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        realClearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
