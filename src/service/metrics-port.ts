/**
 * The fleet metrics hook (issue 17, SPEC §9): what the reader service tells a metrics adapter.
 * A port like the others in `ports.ts`, so the core never imports a metrics library; the
 * Prometheus adapter is `adapters/prometheus-metrics.ts`.
 *
 * Every argument is a closed set of words from the engine's own types (method, result, failure
 * kind, device) or a number: nothing a patient said or carried — no name, PIN, card or
 * certificate identifier — can reach a label (SPEC §5 last paragraph, §9 "counts only").
 */
import type { FailureCause, SessionOutcome } from '../session/effects';

/** A device state the service observes; each change is reported once. */
export type DeviceStateChange =
  /** The card reader (and pcscd behind it): the panel says 「カードリーダーを準備しています」 when away. */
  | { device: 'card-reader'; up: boolean }
  /** The face camera started (or died during an attempt). */
  | { device: 'camera'; up: boolean }
  /** The last eligibility backend call answered (true) or failed to reach it (false). */
  | { device: 'backend'; up: boolean }
  /** The backend client's circuit breaker (open: the idle screen says the backend is unreachable). */
  | { device: 'backend-breaker'; open: boolean }
  /** The staff passcode lockout (SPEC §3.1): locked until `lockedUntil` (ms of the service clock). */
  | { device: 'staff-lockout'; lockedUntil: number; level: number; failures: number }
  /** The reception computer's result folder (issue 15) takes files. */
  | { device: 'result-folder'; up: boolean };

export interface ReaderMetrics {
  /** A session started: the panel left its idle screen (a card or phone placed, the staff button). */
  sessionStarted(): void;
  /** The session's one outcome (SPEC §7/§9), and how long it took from its start. */
  sessionEnded(outcome: Pick<SessionOutcome, 'method' | 'status' | 'error'>, durationMs: number): void;
  /** A failure cause seen during a session, also when the flow recovered from it (SPEC §8). */
  failure(cause: FailureCause): void;
  /** An adapter threw where it should have returned a value (a bug, turned into a safe failure). */
  effectCrashed(effect: string): void;
  /** A patient pressed 職員を呼ぶ (issue 16); counted, nothing else about it. */
  staffCalled(): void;
  deviceState(change: DeviceStateChange): void;
}

/** No metrics (unit tests, a configuration with metrics off). */
export const noMetrics: ReaderMetrics = {
  sessionStarted: () => undefined,
  sessionEnded: () => undefined,
  failure: () => undefined,
  effectCrashed: () => undefined,
  staffCalled: () => undefined,
  deviceState: () => undefined,
};

/**
 * The hook as the service holds it: a metrics adapter that throws is logged by error name and
 * ignored, so a monitoring fault never stops a reception counter.
 */
export function guardedMetrics(m: ReaderMetrics, onError: (method: string, e: unknown) => void): ReaderMetrics {
  const guard =
    <A extends unknown[]>(method: string, f: (...a: A) => void) =>
    (...a: A): void => {
      try {
        f.apply(m, a);
      } catch (e) {
        onError(method, e);
      }
    };
  return {
    sessionStarted: guard('sessionStarted', m.sessionStarted),
    sessionEnded: guard('sessionEnded', m.sessionEnded),
    failure: guard('failure', m.failure),
    effectCrashed: guard('effectCrashed', m.effectCrashed),
    staffCalled: guard('staffCalled', m.staffCalled),
    deviceState: guard('deviceState', m.deviceState),
  };
}
