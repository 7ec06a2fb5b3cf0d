/**
 * SPEC §4 certificate validity, as a pure function of dates so the card layer and the engine agree:
 * usable and silent until E − 3 months; renewal notice until E; after E, qualification only until
 * the last day of the month three months after E's month (E = 2025-03-15 → grace ends
 * 2025-06-30); then unusable. Dates are calendar dates in Japan time (JST, UTC+9).
 */
import type { CertificateStatus } from './events';

export interface CalendarDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const JST_OFFSET_MS = 9 * 3_600_000;

/** The calendar date in Japan of an instant (ms since the epoch). */
export function jstDate(instantMs: number): CalendarDate {
  const d = new Date(instantMs + JST_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const ordinal = (d: CalendarDate): number => Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;

function lastDayOfMonth(year: number, month: number): CalendarDate {
  // Day 0 of the next month is the last day of this one.
  const d = new Date(Date.UTC(year, month, 0));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Same day three months earlier, clamped to the month's end (2025-05-31 → 2025-02-28). */
function threeMonthsBefore(d: CalendarDate): CalendarDate {
  const monthIndex = d.year * 12 + (d.month - 1) - 3;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const last = lastDayOfMonth(year, month);
  return { year, month, day: Math.min(d.day, last.day) };
}

/** Last day of grace: the end of the month three months after the month of `expiry`. */
export function graceEnd(expiry: CalendarDate): CalendarDate {
  const monthIndex = expiry.year * 12 + (expiry.month - 1) + 3;
  return lastDayOfMonth(Math.floor(monthIndex / 12), (monthIndex % 12) + 1);
}

/**
 * Status of a certificate expiring on `expiry` (its last valid day) on `today`. `revoked` is
 * reported separately (a revoked certificate is unusable whatever this says).
 */
export function certificateStatusAt(expiry: CalendarDate, today: CalendarDate): CertificateStatus {
  const t = ordinal(today);
  if (t > ordinal(graceEnd(expiry))) return 'expired';
  if (t > ordinal(expiry)) return 'grace';
  if (t >= ordinal(threeMonthsBefore(expiry))) return 'expiring-soon';
  return 'valid';
}
