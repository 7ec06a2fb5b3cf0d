/**
 * Certificate status of the user-authentication certificate per SPEC §4 (seeds 001, 002):
 *
 * - `valid`          before E − 3 months;
 * - `expiring-soon`  from E − 3 months to E: usable, show the renewal notice;
 * - `grace`          after E until the last day of the month three months after the month of E
 *                    (有効期限満了日が属する月の末日から3カ月): qualification only, no medical-info consent;
 * - `expired`        after that: not usable;
 * - `revoked`        (from the backend, `withRevocation`) whatever the dates.
 *
 * Dates are calendar dates in Japan time. Japan has had no daylight saving time since 1951, so
 * JST is a fixed UTC+09:00 and is computed arithmetically, never from the machine's time zone.
 */
import type { X509Certificate } from 'node:crypto';

export type CertificateStatusValue = 'valid' | 'expiring-soon' | 'grace' | 'expired' | 'revoked';

export interface CertificateStatus {
  status: CertificateStatusValue;
  /** The certificate's notAfter instant. */
  notAfter: Date;
  /** E: the expiry date in Japan time, `YYYY-MM-DD`. */
  expiresOn: string;
  /** First day (Japan time) of the renewal notice: E − 3 months (day clamped to the month's end). */
  noticeFrom: string;
  /** Last day (Japan time) of the qualification-only grace: last day of the month of E + 3 months. */
  graceEndsOn: string;
}

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

export interface CalendarDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

/** The calendar date in Japan of an instant. */
export function japanDate(instant: Date): CalendarDate {
  const shifted = new Date(instant.getTime() + JST_OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** Midnight at the start of a Japan calendar date, as an instant. Day overflow rolls over (day + 1 is fine). */
export function startOfJapanDay(d: CalendarDate): Date {
  return new Date(Date.UTC(d.year, d.month - 1, d.day) - JST_OFFSET_MS);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds whole months; the day is clamped to the target month's length (May 31 − 3 months → Feb 28/29). */
export function addMonths(d: CalendarDate, months: number): CalendarDate {
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

/** Last day of the month three months after the month of E (SPEC §4: 2025-03-15 → 2025-06-30). */
export function graceEnd(expiry: CalendarDate): CalendarDate {
  const m = addMonths({ ...expiry, day: 1 }, 3);
  return { year: m.year, month: m.month, day: daysInMonth(m.year, m.month) };
}

export function formatDate(d: CalendarDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** Status from the notAfter instant alone (testable without a certificate). */
export function statusForExpiry(notAfter: Date, now: Date): CertificateStatus {
  const e = japanDate(notAfter);
  const notice = addMonths(e, -3);
  const grace = graceEnd(e);
  const noticeStart = startOfJapanDay(notice);
  const graceStop = startOfJapanDay({ ...grace, day: grace.day + 1 });
  let status: CertificateStatusValue;
  const t = now.getTime();
  if (t > notAfter.getTime()) status = t < graceStop.getTime() ? 'grace' : 'expired';
  else status = t >= noticeStart.getTime() ? 'expiring-soon' : 'valid';
  return {
    status,
    notAfter,
    expiresOn: formatDate(e),
    noticeFrom: formatDate(notice),
    graceEndsOn: formatDate(grace),
  };
}

/** Status of the user-authentication certificate at `now` (dates only; revocation comes from the backend). */
export function certificateStatus(cert: X509Certificate, now: Date): CertificateStatus {
  return statusForExpiry(new Date(cert.validTo), now);
}

/** Revocation (lost/stolen card suspended) overrides the dates (SPEC §4). */
export function withRevocation(status: CertificateStatus, revoked: boolean): CertificateStatus {
  return revoked ? { ...status, status: 'revoked' } : status;
}

/** Usable for qualification (the grace period allows qualification only). */
export function usableForQualification(s: CertificateStatus): boolean {
  return s.status === 'valid' || s.status === 'expiring-soon' || s.status === 'grace';
}

/** Usable for medical-information consent: not during grace (SPEC §4). */
export function usableForConsent(s: CertificateStatus): boolean {
  return s.status === 'valid' || s.status === 'expiring-soon';
}
