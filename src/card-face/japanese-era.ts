/**
 * Japanese era dates as printed on the card face (`昭和33年 4月 1日生`) and the 照合番号B built from
 * them (SPEC §5.1: era year YYMMDD + expiry Western year + security code).
 */
export type EraName = '明治' | '大正' | '昭和' | '平成' | '令和';

export interface Era {
  name: EraName;
  /** First day, ISO. */
  start: string;
  /** Last day, ISO (undefined = current era). */
  end?: string;
}

export const ERAS: readonly Era[] = [
  { name: '明治', start: '1868-10-23', end: '1912-07-29' },
  { name: '大正', start: '1912-07-30', end: '1926-12-24' },
  { name: '昭和', start: '1926-12-25', end: '1989-01-07' },
  { name: '平成', start: '1989-01-08', end: '2019-04-30' },
  { name: '令和', start: '2019-05-01' },
];

export interface EraDate {
  era: EraName;
  /** 1 = 元年. */
  year: number;
  month: number;
  day: number;
}

function isoParts(iso: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

export function toEraDate(iso: string): EraDate {
  const [y, m, d] = isoParts(iso);
  for (let i = ERAS.length - 1; i >= 0; i--) {
    const era = ERAS[i];
    if (era && iso >= era.start) {
      const startYear = Number(era.start.slice(0, 4));
      return { era: era.name, year: y - startYear + 1, month: m, day: d };
    }
  }
  throw new RangeError(`date before 明治: ${iso}`);
}

/** The Gregorian ISO date of an era date, or undefined when it is not a real date inside that era. */
export function fromEraDate(e: EraDate): string | undefined {
  const era = ERAS.find((x) => x.name === e.era);
  if (!era) return undefined;
  const y = Number(era.start.slice(0, 4)) + e.year - 1;
  if (!isRealDate(y, e.month, e.day)) return undefined;
  const iso = `${String(y).padStart(4, '0')}-${String(e.month).padStart(2, '0')}-${String(e.day).padStart(2, '0')}`;
  if (iso < era.start || (era.end !== undefined && iso > era.end)) return undefined;
  return iso;
}

/**
 * `昭和33年 4月 1日生` — single-digit years, months and days padded with a space. The first year
 * of an era is printed as ` 1年` here (not 元年): the 照合番号B digits are `01` either way.
 */
export function formatEraBirthDate(iso: string): string {
  const e = toEraDate(iso);
  const year = String(e.year).padStart(2, ' ');
  return `${e.era}${year}年${String(e.month).padStart(2, ' ')}月${String(e.day).padStart(2, ' ')}日生`;
}

/** `2032年 4月 1日まで有効`. */
export function formatExpiry(iso: string): string {
  const [y, m, d] = isoParts(iso);
  return `${y}年${String(m).padStart(2, ' ')}月${String(d).padStart(2, ' ')}日まで有効`;
}

/** 照合番号B: era YYMMDD of birth + expiry year + security code (14 digits). */
export function codeB(birthIso: string, expiryIso: string, securityCode: string): string {
  const e = toEraDate(birthIso);
  const two = (n: number): string => String(n).padStart(2, '0');
  const code = `${two(e.year)}${two(e.month)}${two(e.day)}${expiryIso.slice(0, 4)}${securityCode}`;
  if (!/^\d{14}$/.test(code)) throw new RangeError('照合番号B must be 14 digits');
  return code;
}
