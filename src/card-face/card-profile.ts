/**
 * What the reader assumes about a My Number card's chip and printed face, in one place (issue 13):
 * applications, files, key references and the rule that turns the printed face into 照合番号B.
 * A later card (the next-generation card announced for 2026, whose chip layout is not public) gets
 * its own profile here rather than edits across the session and the OCR.
 *
 * Sources (public readers of the card, read for reference, no code taken):
 * - soltia48/myna-card `src/ap/surface.rs`, `src/data.rs`: 券面事項確認AP `D3 92 10 00 31 00 01 01
 *   04 02`, EF 0001 (age record), 0002 (card face), 0003 (AP basic data), 0004 (CV certificate),
 *   0005 (個人番号 image), key references 0011 (birth date), 0012 (照合番号B), 0013 (照合番号A);
 *   `verification_code_b`: 14 digits = birth date `YYMMDD` with the **Japanese era year**, the
 *   Gregorian expiry year, the 4-digit security code — "confirmed on a card" (1980-02-17 = 昭和55,
 *   expiry 2035, code 2285 → `55021720352285`), a card that prints its date in the era.
 * - AokiApp/jsapdu `packages/mynacard/src/constants.ts`: the same AIDs and key references
 *   (`PIN_B: 0x12`, "券面事項14桁, YYMMDD + 有効期限年 + セキュリティコード"), and 券面事項入力補助AP
 *   `… 04 08` with 照合番号A 0014 / B 0015.
 * - jpki/myna `libmyna/card_info_ap.go`: 照合番号A at 0013 and B at 0012 of the 券面事項確認AP.
 */

export type BirthCalendar = 'era' | 'western';

export interface PrintedBirthDate {
  calendar: BirthCalendar;
  /** Era year (1 = 元年) or the full Western year, as printed. */
  year: number;
  month: number;
  day: number;
}

export interface CardProfile {
  name: string;
  cardFaceAid: readonly number[];
  textAid: readonly number[];
  files: { ageRecord: number; cardFace: number; apBasicData: number; certificate: number; myNumberImage: number };
  keys: { birthDate: number; codeB: number; codeA: number };
  /** The first six digits of 照合番号B from the birth date as the face prints it. */
  codeBDatePart(printed: PrintedBirthDate): string;
  /** What of this profile is confirmed on a real card, and what is assumed. */
  known: string;
  assumed: string;
}

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * The card issued since 2016 (and, by assumption, the next-generation card: its chip layout is not
 * public). Era-printed faces: era year, as soltia48/myna-card confirmed on a card. Western-printed
 * faces (foreign residents' current cards, the next-generation card): the last two digits of the
 * printed Western year — the code is meant to be typed from the face, and the face carries no era.
 * That second half is an ASSUMPTION (no public reader confirms it; soltia48's helper would convert
 * the date to the era year instead); a card that answers 63Cx to it keeps 9 tries and the session
 * never presents more than twice.
 */
export const CURRENT_CARD: CardProfile = {
  name: 'individual-number-card-2016',
  cardFaceAid: [0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02],
  textAid: [0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08],
  files: { ageRecord: 0x0001, cardFace: 0x0002, apBasicData: 0x0003, certificate: 0x0004, myNumberImage: 0x0005 },
  keys: { birthDate: 0x0011, codeB: 0x0012, codeA: 0x0013 },
  codeBDatePart(p: PrintedBirthDate): string {
    const yy = p.calendar === 'era' ? p.year : p.year % 100;
    return `${two(yy)}${two(p.month)}${two(p.day)}`;
  },
  known: 'AIDs, EF 0001–0005, key references 0011/0012/0013, the era-year rule for era-printed faces (soltia48/myna-card, AokiApp/jsapdu, jpki/myna).',
  assumed: 'Western-printed birth dates use the last two digits of the printed year; the next-generation (2026) card keeps these applications, files and key references.',
};

/** The profile the reader and the session use unless configured otherwise. */
export const DEFAULT_CARD_PROFILE: CardProfile = CURRENT_CARD;
