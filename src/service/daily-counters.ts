/**
 * SPEC §9 and seed 000's statistics (issue 16 item 7): what the device counts per day —
 * confirmations by identity method (smartphones by platform, Android and iPhone apart), by result,
 * the medical information acquired by the consents given (薬剤 / 診療 / 特定健診 / 手術), sessions that
 * ended unfinished (quit, timeout, card removed: a quit is a quit, not a method `none`), and errors.
 * Only counts, never who. The day is the Japanese calendar day (the facility's day); a month is the
 * sum of its days.
 *
 * Usage rate: the device counts マイナ保険証利用件数 (confirmations with the card or a phone on this
 * reader); the rate's denominator, オンライン資格確認利用件数, also holds the reception computer's
 * confirmations of paper insurance cards, which the reader never sees. The export gives the
 * numerator; the facility's confirmation terminal holds the denominator.
 */
import type { SessionOutcome } from '../session/effects';

export interface DailyCount {
  day: string;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  /** Smartphone sessions by platform (android / iphone). */
  byPlatform: Record<string, number>;
  /** Sessions that acquired each kind of information (surgery / clinical / medication / checkup). */
  acquired: Record<string, number>;
  /** Unfinished sessions by how they ended (quit / timeout / removed). */
  ended: Record<string, number>;
}

/** One month's counts and the numerator of the usage rate. */
export interface PeriodCount extends Omit<DailyCount, 'day'> {
  period: string;
  /** マイナ保険証利用件数: sessions the backend answered with a qualification result. */
  mynaConfirmations: number;
}

const JST_OFFSET_MS = 9 * 3_600_000;
/** Results that are a qualification confirmation by マイナ保険証 (the backend answered). */
const CONFIRMED = new Set(['qualified', 'invalid', 'no-record']);

export function japanDay(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 10);
}

export function emptyDay(day: string): DailyCount {
  return { day, byMethod: {}, byStatus: {}, errors: {}, byPlatform: {}, acquired: {}, ended: {} };
}

/** The usage rate's numerator from counts by result. */
const mynaConfirmationsIn = (byStatus: Record<string, number>): number => Object.entries(byStatus).reduce((n, [k, v]) => n + (CONFIRMED.has(k) ? v : 0), 0);

const bump = (r: Record<string, number>, key: string): void => {
  r[key] = (r[key] ?? 0) + 1;
};

export class DailyCounters {
  private readonly days = new Map<string, DailyCount>();

  record(outcome: SessionOutcome, now: number): void {
    const day = japanDay(now);
    let c = this.days.get(day);
    if (!c) {
      c = emptyDay(day);
      this.days.set(day, c);
    }
    // An unfinished session is counted by how it ended, not as a method `none`.
    if (outcome.ended && outcome.method === 'none') bump(c.ended, outcome.ended);
    else {
      bump(c.byMethod, outcome.method);
      if (outcome.ended) bump(c.ended, outcome.ended);
    }
    bump(c.byStatus, outcome.status);
    if (outcome.platform) bump(c.byPlatform, outcome.platform);
    for (const [kind, given] of Object.entries(outcome.acquired ?? {})) if (given) bump(c.acquired, kind);
    if (outcome.error) bump(c.errors, outcome.error.kind);
  }

  /** Every day counted, for the durable state file (issue 11 item 5). */
  snapshot(): DailyCount[] {
    return [...this.days.values()].map((c) => structuredClone(c));
  }

  /** Seeds the counters from the state file at start; a day already counted in memory wins. */
  restore(days: readonly (Partial<DailyCount> & { day: string })[]): void {
    for (const c of days) if (!this.days.has(c.day)) this.days.set(c.day, { ...emptyDay(c.day), ...structuredClone(c) });
  }

  today(now: number): DailyCount {
    const day = japanDay(now);
    return structuredClone(this.days.get(day) ?? emptyDay(day));
  }

  /** The Japanese calendar month of `now` (or `YYYY-MM`), summed over its days. */
  month(nowOrMonth: number | string): PeriodCount {
    const period = typeof nowOrMonth === 'string' ? nowOrMonth : japanDay(nowOrMonth).slice(0, 7);
    const sum = { ...emptyDay(''), period, mynaConfirmations: 0 };
    const add = (into: Record<string, number>, from: Record<string, number>) => {
      for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
    };
    for (const c of this.days.values()) {
      if (!c.day.startsWith(period)) continue;
      for (const key of ['byMethod', 'byStatus', 'errors', 'byPlatform', 'acquired', 'ended'] as const) add(sum[key], c[key]);
    }
    sum.mynaConfirmations = mynaConfirmationsIn(sum.byStatus);
    const { day: _day, ...rest } = sum;
    return rest;
  }

  /** Today's counts with the usage-rate numerator. */
  todayWithRate(now: number): DailyCount & { mynaConfirmations: number } {
    const c = this.today(now);
    return { ...c, mynaConfirmations: mynaConfirmationsIn(c.byStatus) };
  }
}
