/**
 * What the emulated card's face prints and what its 照合番号B is, written for the rig alone (no
 * code shared with the reader's `src/card-face/japanese-era.ts` or `card-profile.ts`, issue 13):
 * this file's own era table, the printed date strings, and 照合番号B = the birth date `YYMMDD`
 * as printed + the expiry's Western year + the 4-digit security code (SPEC §5.1; AokiApp/jsapdu
 * `KENKAKU_AP_EF.PIN_B`: "券面事項14桁, YYMMDD + 有効期限年 + セキュリティコード").
 *
 * `YY` is the era year on a face that prints the era (soltia48/myna-card, confirmed on a card),
 * and — the rig's ASSUMPTION, the same one the reader's card profile makes and README "Card
 * designs" states — the last two digits of the printed year on a face that prints a Western birth
 * date (a foreign resident's current card, the next-generation card).
 */
import type { CardDesign, Persona } from '../../personas/catalogue';

/** First day of each era, newest first. */
const ERA_FIRST_DAYS: ReadonlyArray<readonly [string, string]> = [
  ['令和', '2019-05-01'],
  ['平成', '1989-01-08'],
  ['昭和', '1926-12-25'],
  ['大正', '1912-07-30'],
  ['明治', '1868-10-23'],
];

function ymd(iso: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function eraYear(iso: string): { era: string; year: number } {
  for (const [era, first] of ERA_FIRST_DAYS) {
    if (iso >= first) return { era, year: ymd(iso)[0] - ymd(first)[0] + 1 };
  }
  throw new RangeError(`before 明治: ${iso}`);
}

/** A design prints the birth date in the era (current card) or the Western calendar. */
export function printsEra(design: CardDesign): boolean {
  return design === 'current';
}

export function designOf(p: Persona): CardDesign {
  return p.cardDesign ?? 'current';
}

const space2 = (n: number): string => String(n).padStart(2, ' ');
const zero2 = (n: number): string => String(n).padStart(2, '0');

/** `昭和33年 4月 1日生` or `1985年 3月31日生` (single digits padded with a space; an era's first year as ` 1年`). */
export function printedBirthDate(iso: string, design: CardDesign): string {
  const [y, m, d] = ymd(iso);
  const year = printsEra(design) ? (({ era, year: ey }) => `${era}${space2(ey)}`)(eraYear(iso)) : String(y);
  return `${year}年${space2(m)}月${space2(d)}日生`;
}

/** `2032年 4月 1日まで有効`. */
export function printedExpiry(iso: string): string {
  const [y, m, d] = ymd(iso);
  return `${y}年${space2(m)}月${space2(d)}日まで有効`;
}

/** The birth date's `YYMMDD` as the face prints it (also the value of key reference 0011). */
export function printedBirthYymmdd(iso: string, design: CardDesign): string {
  const [y, m, d] = ymd(iso);
  const yy = printsEra(design) ? eraYear(iso).year : y % 100;
  return `${zero2(yy)}${zero2(m)}${zero2(d)}`;
}

/** 照合番号B of the persona's card (14 digits). */
export function cardCodeB(p: Persona): string {
  const code = `${printedBirthYymmdd(p.person.birthDate, designOf(p))}${p.cardExpiry.slice(0, 4)}${p.securityCode}`;
  if (!/^\d{14}$/.test(code)) throw new RangeError(`persona ${p.name}: 照合番号B is not 14 digits`);
  return code;
}
