/**
 * The simulator's own reading of SPEC §4 (seeds 001, 002): how the backend judges a
 * user-authentication certificate's dates. Written apart from the device's
 * `src/card/certificate-status.ts` on purpose (the rig must not check the product with the
 * product's rules): Japan dates come from the ICU time-zone database (`Asia/Tokyo`), not from a
 * fixed offset, and every boundary is an ISO date string compared as text, not an instant.
 *
 * - `usable` before E − 3 months (day clamped to the month's end);
 * - `expiring-soon` from that day until notAfter;
 * - `grace-qualification-only` after notAfter until the last day of the month three months after
 *   the month of E (有効期限満了日が属する月の末日から3カ月; E = 2025-03-15 → 2025-06-30);
 * - `past-grace` after that.
 */

export type DateUsability = 'usable' | 'expiring-soon' | 'grace-qualification-only' | 'past-grace';

const tokyoDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });

/** `YYYY-MM-DD` of an instant on a Japanese calendar. */
export function tokyoIsoDate(instant: Date): string {
  return tokyoDate.format(instant);
}

function parts(iso: string): [number, number, number] {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Days in a month, from the proleptic Gregorian leap-year rule (no Date arithmetic). */
function monthLength(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Month `m` of year `y` shifted by `delta` months, as [year, month]. */
function shiftMonth(y: number, m: number, delta: number): [number, number] {
  const zeroBased = m - 1 + delta;
  return [y + Math.floor(zeroBased / 12), ((zeroBased % 12) + 12) % 12 + 1];
}

export interface DateJudgement {
  usability: DateUsability;
  /** E, the expiry date in Japan. */
  expiresOn: string;
  noticeFrom: string;
  graceEndsOn: string;
}

export function judgeCertificateDates(notAfter: Date, now: Date): DateJudgement {
  const expiresOn = tokyoIsoDate(notAfter);
  const [y, m, d] = parts(expiresOn);
  const [ny, nm] = shiftMonth(y, m, -3);
  const noticeFrom = iso(ny, nm, Math.min(d, monthLength(ny, nm)));
  const [gy, gm] = shiftMonth(y, m, 3);
  const graceEndsOn = iso(gy, gm, monthLength(gy, gm));
  const today = tokyoIsoDate(now);
  let usability: DateUsability;
  if (now.getTime() > notAfter.getTime()) usability = today <= graceEndsOn ? 'grace-qualification-only' : 'past-grace';
  else usability = today >= noticeFrom ? 'expiring-soon' : 'usable';
  return { usability, expiresOn, noticeFrom, graceEndsOn };
}
