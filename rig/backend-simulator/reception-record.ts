/**
 * The reception record of SPEC §7: every confirmation in arrival order (受付順). In memory only —
 * it holds qualification records, which never go to disk or logs (privacy requirement).
 */
import type { ReceptionEntry, ReceptionList } from '../../src/backend/protocol';

export class ReceptionRecord {
  private readonly entries: ReceptionEntry[] = [];

  constructor(private readonly capacity = 5000) {}

  /** Appends with the next sequence number and returns the stored entry. */
  append(entry: Omit<ReceptionEntry, 'seq'>): ReceptionEntry {
    const last = this.entries[this.entries.length - 1];
    const stored: ReceptionEntry = { seq: (last?.seq ?? 0) + 1, ...entry };
    this.entries.push(stored);
    // A day of a busy clinic is a few hundred; drop the oldest beyond capacity.
    if (this.entries.length > this.capacity) this.entries.shift();
    return stored;
  }

  get(seq: number): ReceptionEntry | undefined {
    return this.entries.find((e) => e.seq === seq);
  }

  /** Entries with `seq > since`, oldest first. */
  list(since = 0): ReceptionList {
    const entries = this.entries.filter((e) => e.seq > since);
    const last = this.entries[this.entries.length - 1];
    return { entries: structuredClone(entries), lastSeq: last?.seq ?? 0 };
  }

  get size(): number {
    return this.entries.length;
  }
}
