/**
 * SPEC §9: what the device counts per day — confirmations by identity method, by result, and
 * errors. Only counts, never who. The day is the Japanese calendar day (the facility's day).
 */
import type { SessionOutcome } from '../session/effects';

export interface DailyCount {
  day: string;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
}

const JST_OFFSET_MS = 9 * 3_600_000;

export function japanDay(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 10);
}

export class DailyCounters {
  private readonly days = new Map<string, DailyCount>();

  record(outcome: SessionOutcome, now: number): void {
    const day = japanDay(now);
    let c = this.days.get(day);
    if (!c) {
      c = { day, byMethod: {}, byStatus: {}, errors: {} };
      this.days.set(day, c);
    }
    c.byMethod[outcome.method] = (c.byMethod[outcome.method] ?? 0) + 1;
    c.byStatus[outcome.status] = (c.byStatus[outcome.status] ?? 0) + 1;
    if (outcome.error) c.errors[outcome.error.kind] = (c.errors[outcome.error.kind] ?? 0) + 1;
  }

  /** Every day counted, for the durable state file (issue 11 item 5). */
  snapshot(): DailyCount[] {
    return [...this.days.values()].map((c) => structuredClone(c));
  }

  /** Seeds the counters from the state file at start; a day already counted in memory wins. */
  restore(days: readonly DailyCount[]): void {
    for (const c of days) if (!this.days.has(c.day)) this.days.set(c.day, structuredClone(c));
  }

  today(now: number): DailyCount {
    const day = japanDay(now);
    return this.days.get(day) ?? { day, byMethod: {}, byStatus: {}, errors: {} };
  }
}
