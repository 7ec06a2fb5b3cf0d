/**
 * Circuit breaker for the eligibility backend (issue 3 §2): repeated failures turn into a fast
 * "backend unavailable" answer that the panel and the LEDs can show, instead of every patient
 * waiting out a timeout.
 *
 * closed --(failureThreshold consecutive failures)--> open --(openMs elapsed)--> half-open
 * half-open --(one probe succeeds)--> closed;  half-open --(probe fails)--> open
 *
 * String-valued states, every transition reported with its cause (STYLE §5). The clock is
 * injected so tests move time instead of sleeping.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitTransition {
  from: CircuitState;
  to: CircuitState;
  cause: 'failure-threshold' | 'cooldown-elapsed' | 'probe-succeeded' | 'probe-failed';
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long it stays open before letting one probe through. */
  openMs?: number;
  now?: () => number;
}

export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly listeners = new Set<(t: CircuitTransition) => void>();
  readonly failureThreshold: number;
  readonly openMs: number;
  private readonly now: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 3;
    this.openMs = options.openMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** Current state; an open circuit whose cooldown has elapsed reads as half-open. */
  state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.openMs) this.move('half-open', 'cooldown-elapsed');
    return this.current;
  }

  /** Milliseconds until an open circuit lets a probe through (0 otherwise). */
  retryInMs(): number {
    return this.state() === 'open' ? Math.max(0, this.openMs - (this.now() - this.openedAt)) : 0;
  }

  /**
   * Asks to send one request. False = fail fast. In half-open exactly one probe is allowed until
   * it reports back.
   */
  tryAcquire(): boolean {
    const s = this.state();
    if (s === 'closed') return true;
    if (s === 'open') return false;
    if (this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    if (this.current !== 'closed') this.move('closed', 'probe-succeeded');
  }

  onFailure(): void {
    this.probeInFlight = false;
    if (this.current === 'half-open') {
      this.trip('probe-failed');
      return;
    }
    if (this.current === 'open') return;
    this.failures += 1;
    if (this.failures >= this.failureThreshold) this.trip('failure-threshold');
  }

  /** The request was answered but not as a backend failure (e.g. a 4xx): releases a probe slot. */
  onNeutral(): void {
    if (this.current === 'half-open' && this.probeInFlight) this.onSuccess();
  }

  onChange(listener: (t: CircuitTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private trip(cause: CircuitTransition['cause']): void {
    this.openedAt = this.now();
    this.failures = 0;
    this.move('open', cause);
  }

  private move(to: CircuitState, cause: CircuitTransition['cause']): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    for (const l of this.listeners) {
      try {
        l({ from, to, cause });
      } catch {
        // A broken listener (panel, LEDs) must not break the backend client (STYLE §8).
      }
    }
  }
}
