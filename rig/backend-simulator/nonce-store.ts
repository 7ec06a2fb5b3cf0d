/**
 * Single-use, short-lived nonces for the PIN / smartphone proof (issue 3 §1): the card signs a
 * nonce the backend chose, so a captured signature cannot be replayed. Each nonce is bound to the
 * device that asked for it. The clock is injected so expiry is tested without sleeping.
 */
import { randomBytes } from 'node:crypto';
import type { NonceProblem } from '../../src/backend/errors';

interface Entry {
  deviceId: string;
  expiresAt: number;
  used: boolean;
}

export class NonceStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    /** Bound on remembered nonces (used ones are kept until expiry to answer `reused`). */
    private readonly capacity = 10_000,
  ) {}

  issue(deviceId: string): { nonce: string; expiresAt: Date } {
    this.sweep();
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const nonce = randomBytes(32).toString('base64');
    const expiresAt = this.now() + this.ttlMs;
    this.entries.set(nonce, { deviceId, expiresAt, used: false });
    return { nonce, expiresAt: new Date(expiresAt) };
  }

  /** Marks the nonce used; returns the problem when it cannot be used. */
  consume(nonce: string, deviceId: string): NonceProblem | undefined {
    const e = this.entries.get(nonce);
    if (!e) return 'unknown';
    if (e.used) return 'reused';
    if (this.now() >= e.expiresAt) return 'expired';
    if (e.deviceId !== deviceId) return 'wrong-device';
    e.used = true;
    return undefined;
  }

  private sweep(): void {
    // Keep expired entries for one more TTL so a late reuse still says `reused`/`expired`, not `unknown`.
    const cutoff = this.now() - this.ttlMs;
    for (const [k, e] of this.entries) if (e.expiresAt < cutoff) this.entries.delete(k);
  }
}
