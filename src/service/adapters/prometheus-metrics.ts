/**
 * The fleet metrics hook over `prom-client` (issue 17): the reader service reports through the
 * `ReaderMetrics` port, this adapter keeps Prometheus series, and `metrics-server.ts` serves them
 * as the Prometheus text format for a fleet's Prometheus to scrape.
 *
 * What is exported (SPEC §9, counts only):
 * - `fcr_sessions_total{method,status}`: ended sessions by identity method and result;
 *   `fcr_session_failures_total{kind,detail}`: sessions that ended at the counter, by cause
 *   (SPEC §8); `fcr_errors_total{kind,detail}`: every typed failure the flow saw, also the ones
 *   it recovered from; `fcr_adapter_crashes_total{effect}`; `fcr_session_duration_seconds{method}`.
 *   These count from the start of the process (Prometheus handles the reset at a restart).
 * - The device's own day (Japan time, kept across restarts in the state file): `fcr_today_*`
 *   gauges, and the usage rate's numerator `fcr_today_card_confirmations` — online
 *   confirmations done with the My Number card (or its smartphone certificate) that the backend
 *   answered. The rate's denominator, all online confirmations of the facility
 *   (オンライン資格確認利用件数, insurance-card ones included), is known to the facility's
 *   confirmation terminal, not to the reader: the fleet divides (docs/service-and-rig.md).
 * - Device states: `fcr_device_up{device}` (card-reader, camera, backend, result-folder),
 *   `fcr_backend_breaker_open`, `fcr_staff_passcode_locked` with its level and failures.
 *
 * Labels take values only from the engine's closed types; the adapter never sees anything else.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DailyCount } from '../daily-counters';
import type { DeviceStateChange, ReaderMetrics } from '../metrics-port';
import type { FailureCause, SessionOutcome } from '../../session/effects';

export interface PrometheusMetricsOptions {
  /** Today's SPEC §9 counters (the service's `DailyCounters`), read at each scrape. */
  today?: () => DailyCount;
  /** The service clock: the lockout is "locked" while its deadline is ahead of it. */
  clock?: () => number;
  /** Node's process metrics (memory, event loop, GC): on by default. */
  processMetrics?: boolean;
}

/** Identity methods and results, so every series exists (at 0) from the first scrape. */
const METHODS = ['face', 'pin', 'visual', 'smartphone', 'none'] as const;
const STATUSES = ['qualified', 'invalid', 'no-record', 'not-confirmed'] as const;
/** Session lengths at a reception counter: seconds to a few minutes (consent screens, retries). */
const DURATION_BUCKETS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300];

function detailOf(cause: FailureCause): string {
  return 'detail' in cause ? cause.detail : '';
}

export class PrometheusReaderMetrics implements ReaderMetrics {
  readonly registry = new Registry();
  private readonly clock: () => number;
  private lockout = { lockedUntil: 0, level: 0, failures: 0 };

  private readonly started = new Counter({ name: 'fcr_sessions_started_total', help: 'Sessions started (a card or phone placed, or the staff button)', registers: [this.registry] });
  private readonly sessions = new Counter({ name: 'fcr_sessions_total', help: 'Ended sessions by identity method and result (SPEC §9)', labelNames: ['method', 'status'] as const, registers: [this.registry] });
  private readonly sessionFailures = new Counter({ name: 'fcr_session_failures_total', help: 'Sessions that ended at the counter, by typed cause (SPEC §8)', labelNames: ['kind', 'detail'] as const, registers: [this.registry] });
  private readonly errors = new Counter({ name: 'fcr_errors_total', help: 'Typed failures seen during sessions, recovered ones included', labelNames: ['kind', 'detail'] as const, registers: [this.registry] });
  private readonly crashes = new Counter({ name: 'fcr_adapter_crashes_total', help: 'Adapters that threw instead of returning a failure (bugs)', labelNames: ['effect'] as const, registers: [this.registry] });
  private readonly staffCalls = new Counter({ name: 'fcr_staff_calls_total', help: 'Presses of 職員を呼ぶ by patients (issue 16)', registers: [this.registry] });
  private readonly duration = new Histogram({ name: 'fcr_session_duration_seconds', help: 'Session length from leaving the idle screen to its result', labelNames: ['method'] as const, buckets: DURATION_BUCKETS, registers: [this.registry] });
  private readonly deviceUp = new Gauge({ name: 'fcr_device_up', help: 'Device parts working (1) or not (0); absent until first known', labelNames: ['device'] as const, registers: [this.registry] });
  private readonly breakerOpen = new Gauge({ name: 'fcr_backend_breaker_open', help: "The backend client's circuit breaker is open (1) or closed (0)", registers: [this.registry] });

  constructor(o: PrometheusMetricsOptions = {}) {
    this.clock = o.clock ?? Date.now;
    const today = o.today;
    const lockout = () => this.lockout;
    const clock = this.clock;
    new Gauge({
      name: 'fcr_staff_passcode_locked',
      help: 'The staff visual-check passcode is locked out (SPEC §3.1)',
      registers: [this.registry],
      collect() {
        this.set(lockout().lockedUntil > clock() ? 1 : 0);
      },
    });
    new Gauge({ name: 'fcr_staff_passcode_lockout_level', help: 'Lockouts since the last correct passcode (each doubles the period)', registers: [this.registry], collect() { this.set(lockout().level); } });
    new Gauge({ name: 'fcr_staff_passcode_failures', help: 'Wrong staff passcodes since the last lockout or correct one', registers: [this.registry], collect() { this.set(lockout().failures); } });
    if (today) {
      const daily = (name: string, help: string, label: 'method' | 'status' | 'kind', pick: (c: DailyCount) => Record<string, number>) =>
        new Gauge({
          name,
          help,
          labelNames: [label],
          registers: [this.registry],
          collect() {
            this.reset();
            for (const [k, v] of Object.entries(pick(today()))) this.set({ [label]: k }, v);
          },
        });
      daily('fcr_today_confirmations', "Today's sessions by identity method (SPEC §9, Japan day)", 'method', (c) => c.byMethod);
      daily('fcr_today_results', "Today's sessions by result (SPEC §9, Japan day)", 'status', (c) => c.byStatus);
      daily('fcr_today_errors', "Today's sessions ended by a failure, by kind (SPEC §9, Japan day)", 'kind', (c) => c.errors);
      new Gauge({
        name: 'fcr_today_card_confirmations',
        help: 'Usage-rate numerator (SPEC §9): today\'s online confirmations with the My Number card or its smartphone certificate that the backend answered',
        registers: [this.registry],
        collect() {
          const s = today().byStatus;
          this.set((s.qualified ?? 0) + (s.invalid ?? 0) + (s['no-record'] ?? 0));
        },
      });
    }
    for (const method of METHODS) for (const status of STATUSES) this.sessions.inc({ method, status }, 0);
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  sessionStarted(): void {
    this.started.inc();
  }

  sessionEnded(outcome: Pick<SessionOutcome, 'method' | 'status' | 'error'>, durationMs: number): void {
    this.sessions.inc({ method: outcome.method, status: outcome.status });
    this.duration.observe({ method: outcome.method }, Math.max(0, durationMs) / 1000);
    if (outcome.error) this.sessionFailures.inc({ kind: outcome.error.kind, detail: detailOf(outcome.error) });
  }

  failure(cause: FailureCause): void {
    this.errors.inc({ kind: cause.kind, detail: detailOf(cause) });
  }

  effectCrashed(effect: string): void {
    this.crashes.inc({ effect });
  }

  staffCalled(): void {
    this.staffCalls.inc();
  }

  deviceState(change: DeviceStateChange): void {
    switch (change.device) {
      case 'backend-breaker':
        this.breakerOpen.set(change.open ? 1 : 0);
        return;
      case 'staff-lockout':
        this.lockout = { lockedUntil: change.lockedUntil, level: change.level, failures: change.failures };
        return;
      default:
        this.deviceUp.set({ device: change.device }, change.up ? 1 : 0);
    }
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
