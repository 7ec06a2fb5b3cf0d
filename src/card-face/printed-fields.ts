/**
 * What a card face says (issue 12 item 3: the OCR's domain, no image and no engine): the birth
 * date as printed (era or Western), the expiry, the 4-digit security code; how a read line parses
 * into one of them, when reads agree, and when the dates are plausible. Text in, values out.
 */
import { fromEraDate, isRealDate, type EraName } from './japanese-era';
import type { PrintedBirthDate } from './card-profile';

/** Reads of a field that must agree (the page read and the line re-reads), none disagreeing. */
export const AGREEING_READS = 3;

const ERA_RE = '(明治|大正|昭和|平成|令和)';
/**
 * The birth line: a date that is not the expiry. Its trailing 生 is optional because tesseract's
 * layout analysis sometimes leaves the last glyph out of the line; the line must be the only one
 * of its kind on the face, and the re-reads see the whole crop.
 */
const BIRTH_ERA = new RegExp(`(${ERA_RE.slice(1, -1)}|[^\\d][和成正治]|[昭平令明大][^\\d])(元|\\d{1,2})年(\\d{1,2})月(\\d{1,2})日(?!\\d)`);
/**
 * An era name with one glyph misread (信和, 半成) still says which eras it can be: only the era
 * year's digits enter 照合番号B, the era itself only decides whether the date exists.
 */
function erasOf(printed: string): EraName[] {
  const exact = ['明治', '大正', '昭和', '平成', '令和'] as const;
  if ((exact as readonly string[]).includes(printed)) return [printed as EraName];
  const bySecond: Record<string, EraName[]> = { 和: ['昭和', '令和'], 成: ['平成'], 正: ['大正'], 治: ['明治'] };
  const byFirst: Record<string, EraName[]> = { 昭: ['昭和'], 平: ['平成'], 令: ['令和'], 明: ['明治'], 大: ['大正'] };
  return bySecond[printed[1] ?? ''] ?? byFirst[printed[0] ?? ''] ?? [];
}
const BIRTH_WESTERN = /(?<![\d.])((?:18|19|20)\d{2})年(\d{1,2})月(\d{1,2})日(?!\d)/;
/**
 * The expiry: `…日まで有効`. For tesseract the kana まで are the sure mark (the kanji 有効 blur into
 * 有幼, 用郊); PaddleOCR's Chinese dictionary has no kana, so it reads まで as one or two other
 * glyphs (飞, 主) or drops them, then 有 (有效): a date followed by 有 within three glyphs that are
 * not 生.
 */
const EXPIRY = /(?<!\d)(20\d{2})年(\d{1,2})月(\d{1,2})日(?:まで|[^生\d]{0,3}有)/;
/** Exactly four digits, with at most a speck of something else around them (the photo's edge, dust). */
const CODE = /^[^\d]{0,2}(\d{4})[^\d]{0,3}$/;

export type FieldKind = 'birth' | 'expiry' | 'code';

export interface Birth {
  printed: PrintedBirthDate;
  /** The eras the printed era name can be (one when read exactly). */
  eras: EraName[];
}

/**
 * What the reads of an expiry vote on: its year, the only part of the expiry in 照合番号B (SPEC
 * §5.1). Month and day still parse — a read with month 13 or day 36 is no vote (`possible`) and
 * the presented expiry must be a real date (`plausible`) — but a day read 16 or 19 for 10
 * (tuning seed 13 sample 23: both tesseract models and PaddleOCR each read another day) says
 * nothing against the year, and cannot cost a card try.
 */
export function expiryKey(year: number): string {
  return String(year);
}

/** A parsed field; `key` is what its reads must agree on (the birth date whole, the expiry's year, the code). */
export type Parsed = { kind: 'birth'; value: Birth; key: string } | { kind: 'expiry'; value: { year: number; month: number; day: number }; key: string } | { kind: 'code'; value: string; key: string };

export function parseField(kind: FieldKind, text: string): Parsed | undefined {
  if (kind === 'birth') {
    // Never the expiry line (its date would read as a Western birth date without the 生).
    if (/まで/.test(text) || EXPIRY.test(text)) return undefined;
    const e = BIRTH_ERA.exec(text);
    if (e) {
      const year = e[2] === '元' ? 1 : Number(e[2]);
      const eras = erasOf(e[1] ?? '');
      if (eras.length === 0) return undefined;
      const value: Birth = { printed: { calendar: 'era', year, month: Number(e[3]), day: Number(e[4]) }, eras };
      return { kind, value, key: `era${year}-${value.printed.month}-${value.printed.day}` };
    }
    const w = BIRTH_WESTERN.exec(text);
    if (w) {
      const value: Birth = { printed: { calendar: 'western', year: Number(w[1]), month: Number(w[2]), day: Number(w[3]) }, eras: [] };
      return { kind, value, key: `${value.printed.year}-${value.printed.month}-${value.printed.day}` };
    }
    return undefined;
  }
  if (kind === 'expiry') {
    const m = EXPIRY.exec(text);
    if (!m) return undefined;
    const value = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
    return { kind, value, key: expiryKey(value.year) };
  }
  const c = CODE.exec(text);
  return c ? { kind, value: c[1] as string, key: c[1] as string } : undefined;
}

/**
 * A line that looks like the date field but whose page read does not parse (a digit dropped from
 * the year: `229年2月9日飞有效`, tuning seed 1 sample 74). It is only where to look: its crops are
 * re-read and the page read is no vote (`unreadField`).
 */
export function looksLike(kind: 'birth' | 'expiry', text: string): boolean {
  const expiry = /\d.*(?:まで|有[效効])/.test(text);
  return kind === 'expiry' ? expiry : !expiry && /\d.*月.*\d.*生/.test(text);
}

/** The stand-in for a field whose line was found but not read: no value (`possible` is false), never a vote. */
export function unreadField(kind: 'birth' | 'expiry'): Parsed {
  return kind === 'expiry'
    ? { kind, value: { year: 0, month: 0, day: 0 }, key: '' }
    : { kind, value: { printed: { calendar: 'western', year: 0, month: 0, day: 0 }, eras: [] }, key: '' };
}

/**
 * A date line read from a widened crop (ocr-image.ts `WIDENED_REREADS`): widened, tesseract parts
 * two narrow 1s but garbles 年 and 日 (`昭和11和年4月5日生`, `1953生9月11日生`, tuning seed 1). Its
 * digits still speak: exactly three groups of digits, shaped as the field's (the era year's one
 * or two digits, or a Western year of the page read's century range; a month and a day of one or
 * two), in the calendar of `found` (the line's page read, which decided the field). Only the
 * digits enter 照合番号B; the era name is the page read's and the date checks stay as they are.
 */
export function parseDateDigits(found: Parsed, text: string): Parsed | undefined {
  if (found.kind === 'code' || !possible(found)) return undefined;
  const groups = text.match(/\d+/g) ?? [];
  const [y, m, d] = groups;
  if (groups.length !== 3 || y === undefined || m === undefined || d === undefined || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d)) return undefined;
  const month = Number(m);
  const day = Number(d);
  if (found.kind === 'expiry') {
    if (!/^20\d{2}$/.test(y)) return undefined;
    return { kind: 'expiry', value: { year: Number(y), month, day }, key: expiryKey(Number(y)) };
  }
  if (found.value.printed.calendar === 'era') {
    if (!/^\d{1,2}$/.test(y)) return undefined;
    const year = Number(y);
    return { kind: 'birth', value: { printed: { calendar: 'era', year, month, day }, eras: found.value.eras }, key: `era${year}-${month}-${day}` };
  }
  if (!/^(?:18|19|20)\d{2}$/.test(y)) return undefined;
  return { kind: 'birth', value: { printed: { calendar: 'western', year: Number(y), month, day }, eras: [] }, key: `${y}-${month}-${day}` };
}

/**
 * NFKC (full-width digits → ASCII) without whitespace and without the specks tesseract reads
 * between glyphs (`平成.6年`): a page read that would otherwise not parse still counts as a vote
 * (held-out sample 348 of seed 2: the page read 11月 but failed to parse on a '.', and three crop
 * re-reads that dropped a 1 were presented as 1月).
 */
export function compact(text: string): string {
  return text.normalize('NFKC').replace(/[\s.,・·_'"`’‘“”、。:;|!]+/g, '');
}

export function possible(p: Parsed): boolean {
  if (p.kind === 'code') return true;
  const { month, day } = p.kind === 'birth' ? p.value.printed : p.value;
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/**
 * The value the reads agree on, if any: at least AGREEING_READS reads of one value, and one more
 * for every read of another value (two different values read twice each is never enough).
 */
export function agreement(counts: ReadonlyMap<string, number>): string | undefined {
  const sorted = [...counts].sort((p, q) => q[1] - p[1]);
  const [best, ...rest] = sorted;
  if (!best) return undefined;
  const others = rest.reduce((s, [, n]) => s + n, 0);
  if (rest.some(([, n]) => n > 1)) return undefined;
  return best[1] >= AGREEING_READS + others ? best[0] : undefined;
}

/** One read of a field: which engine read it, and the value it parsed to. */
export interface Vote {
  /**
   * `tesseract`: its best Japanese LSTM (the digits LSTM for the code); the third engine
   * (ocr-engine.ts `ConfirmingTesseract`): `fast`, Debian's fast Japanese LSTM, for the dates,
   * `legacy`, tesseract's legacy classifier, for the code.
   */
  engine: 'paddle' | 'tesseract' | 'fast' | 'legacy';
  key: string;
}

/**
 * The value two independent engines (PaddleOCR and tesseract: other models, other training data,
 * other segmentation) both read, when no read of the field says anything else. Short of that,
 * `agreement` over all reads decides.
 */
export function enginesAgree(votes: readonly Vote[]): string | undefined {
  const first = votes[0];
  if (!first || votes.some((v) => v.key !== first.key)) return undefined;
  return new Set(votes.map((v) => v.engine)).size >= 2 ? first.key : undefined;
}

/**
 * `agreement` over all reads of both engines, but never against PaddleOCR: a value PaddleOCR read
 * otherwise and never itself is not taken on tesseract's count alone (its widened crops add up to
 * twelve reads of one line, ocr-image.ts). When PaddleOCR read nothing that parses (its page read
 * missed the line), tesseract's reads decide as before.
 */
export function agreementOfReads(votes: readonly Vote[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of votes) counts.set(v.key, (counts.get(v.key) ?? 0) + 1);
  const best = agreement(counts);
  if (best === undefined) return undefined;
  const paddle = votes.filter((v) => v.engine === 'paddle');
  return paddle.length > 0 && !paddle.some((v) => v.key === best) ? undefined : best;
}

/**
 * After every read of a field: the value PaddleOCR read every time (at least twice: page and
 * crop) when tesseract, over all its reads, read that value at least twice and more often than any
 * other. tesseract drops one of two narrow 1s (`11月` → `1月`) on a blurred line in some of its
 * preparations but not in most; PaddleOCR does not; a value neither engine's majority agrees on is
 * never taken.
 */
export function enginesMajority(votes: readonly Vote[]): string | undefined {
  const paddle = new Set(votes.filter((v) => v.engine === 'paddle').map((v) => v.key));
  const [key] = paddle;
  if (paddle.size !== 1 || key === undefined || votes.filter((v) => v.engine === 'paddle').length < 2) return undefined;
  const tesseract = new Map<string, number>();
  for (const v of votes) if (v.engine === 'tesseract') tesseract.set(v.key, (tesseract.get(v.key) ?? 0) + 1);
  const mine = tesseract.get(key) ?? 0;
  return mine >= 2 && [...tesseract].every(([k, n]) => k === key || n < mine) ? key : undefined;
}

/** `shorter` is `key` with one 1 of a pair of 1s dropped (`era11-2-1` → `era1-2-1`, `2035-3-11` → `2035-3-1`). */
export function dropsOneOfTwoOnes(key: string, shorter: string): boolean {
  for (let i = 0; i + 1 < key.length; i++) if (key[i] === '1' && key[i + 1] === '1' && key.slice(0, i) + key.slice(i + 1) === shorter) return true;
  return false;
}

/**
 * After every read of a field: the value PaddleOCR read every time (at least twice) when tesseract
 * read it at least twice too and every other tesseract read is that value with one of two narrow
 * 1s dropped (`11月` → `1月`). tesseract's only failure on such a line goes one way — two blurred
 * 1s merge, a 1 is never invented — so those reads do not speak for another value; anything else
 * tesseract read does (tuning seed 1: samples 35 and 104 read 11 in the widened crops, 1 in most
 * of the others). Both engines still read the value; a tie or one read is never enough.
 */
export function enginesOverDroppedOne(votes: readonly Vote[]): string | undefined {
  const paddle = new Set(votes.filter((v) => v.engine === 'paddle').map((v) => v.key));
  const [key] = paddle;
  if (paddle.size !== 1 || key === undefined || votes.filter((v) => v.engine === 'paddle').length < 2) return undefined;
  const tesseract = votes.filter((v) => v.engine === 'tesseract');
  if (tesseract.filter((v) => v.key === key).length < 2) return undefined;
  return tesseract.every((v) => v.key === key || dropsOneOfTwoOnes(key, v.key)) ? key : undefined;
}

/**
 * After a field's third-engine reads (`fast` for a date, `legacy` for the code): the value
 * PaddleOCR read every time (at least twice: page and crop) when the third engine read it at
 * least twice and every other read of the third engine is that value with one of two narrow 1s
 * dropped (as `enginesOverDroppedOne`), whatever tesseract's best LSTM read. Two engines that
 * share no model agree against the third: the best LSTM's failures on these lines (a blurred 0
 * read as 6 or 9, one of two 1s dropped; issue 13 seeds 11 and 17) are where the other models do
 * not fail. No single engine decides: PaddleOCR needs the third engine's reads and they need
 * PaddleOCR's; any other value the third engine reads stops the rule.
 */
export function enginesOverLstm(votes: readonly Vote[]): string | undefined {
  const paddle = votes.filter((v) => v.engine === 'paddle');
  const [first] = paddle;
  if (!first || paddle.length < 2 || paddle.some((v) => v.key !== first.key)) return undefined;
  const key = first.key;
  const third = votes.filter((v) => v.engine === 'fast' || v.engine === 'legacy');
  if (third.filter((v) => v.key === key).length < 2) return undefined;
  return third.every((v) => v.key === key || dropsOneOfTwoOnes(key, v.key)) ? key : undefined;
}

/** The birth date exists (in its era) and lies in the past; the expiry is real and within a card's life of today. */
export function plausible(b: Birth, e: { year: number; month: number; day: number }, today: Date): boolean {
  const todayIso = today.toISOString().slice(0, 10);
  const thisYear = today.getUTCFullYear();
  const p = b.printed;
  const isos = p.calendar === 'era'
    ? b.eras.map((era) => fromEraDate({ era, year: p.year, month: p.month, day: p.day }))
    : [isRealDate(p.year, p.month, p.day) ? `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}` : undefined];
  if (!isos.some((iso) => iso !== undefined && iso <= todayIso && Number(iso.slice(0, 4)) >= thisYear - 125)) return false;
  if (!isRealDate(e.year, e.month, e.day) || e.year < thisYear - 6 || e.year > thisYear + 11) return false;
  return true;
}
