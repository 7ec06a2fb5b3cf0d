/**
 * The stop half of the start/stop contract (STYLE §6, issue 12 item 6): every part started
 * registers how to stop it; `stop()` runs those steps in reverse order of starting, each under
 * its own guard (one failing step is logged and the rest still run), and is idempotent (a second
 * call, e.g. SIGTERM during a SIGINT shutdown, waits for the first).
 */
import type { Logger } from '../log/logger';

export class TeardownStepError extends Error {
  override readonly name = 'TeardownStepError';
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`stopping ${step} failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
  }
}

export class Teardown {
  private readonly steps: { name: string; run: () => unknown }[] = [];
  private stopping: Promise<TeardownStepError[]> | undefined;

  constructor(private readonly log: Logger) {}

  /** Registers the way to stop a part that has just started. */
  defer(name: string, run: () => unknown): void {
    if (this.stopping) throw new Error(`cannot start ${name}: shutting down`);
    this.steps.push({ name, run });
  }

  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /** Stops everything started, last first; resolves with the steps that failed (already logged). */
  stop(): Promise<TeardownStepError[]> {
    this.stopping ??= (async () => {
      const failed: TeardownStepError[] = [];
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (e) {
          const error = new TeardownStepError(step.name, e);
          this.log.error(error.message);
          failed.push(error);
        }
      }
      return failed;
    })();
    return this.stopping;
  }
}
