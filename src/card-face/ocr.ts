/**
 * Reads the digits of 照合番号B from a card-face image (SPEC §5.1): the birth date as printed, the
 * expiry's Western year and the security code under the photo.
 *
 * Fields are found by what they say, not where one renderer put them (issue 13): the card is found
 * and rectified (locate.ts), tesseract's layout analysis with Japanese LSTM data finds and reads
 * every text line of the face, and the fields are picked by content — the date line ending in 生
 * (an era name or a Western year), the line ending in まで有効, and a line of exactly four digits
 * with the photo (the darkest block of the face) above it. The birth date's calendar decides the
 * first six digits (card-profile.ts). Each field is then re-read from its own line crop in other
 * preparations, and presented only when every read that parses agrees, at least three do, the
 * birth date exists (in its era) and lies in the past, and the expiry is within a card's life of
 * today: a confident wrong read costs one of the card's 10 照合番号B tries.
 *
 * A face that yields no fields upright is read turned by 180° (a card placed upside down).
 *
 * OCR: tesseract.js 7 with `@tesseract.js-data/jpn` (4.0.0_best_int, LSTM) for the page and the
 * line re-reads, and `@tesseract.js-data/eng` (digits only) as the second engine that must read
 * the same security code; both from node_modules, `cacheMethod: 'none'`: nothing is cached or
 * written anywhere; no network.
 */
import { dirname } from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { locateCard, rectify, CardNotFoundError, FACE_WIDTH, FACE_HEIGHT, type GreyFrame } from './locate';
import { fromEraDate, isRealDate, type EraName } from './japanese-era';
import { DEFAULT_CARD_PROFILE, type BirthCalendar, type CardProfile, type PrintedBirthDate } from './card-profile';

export type ScanFailure = 'no-card' | 'upside-down' | 'too-blurred' | 'unreadable' | 'implausible-date' | 'inconsistent' | 'low-confidence';

export interface CardFaceScan {
  ok: boolean;
  /** Why the scan is not good enough to present (absent when ok). */
  reason?: ScanFailure;
  /** The first six digits of 照合番号B (`YYMMDD`, year as the face prints it). */
  birth?: string;
  /** The calendar the face prints the birth date in. */
  calendar?: BirthCalendar;
  era?: EraName;
  expiryYear?: string;
  securityCode?: string;
  /** 0–1: the lowest, over the three fields, of the median confidence of the agreeing line re-reads (0 when a field is missing). */
  confidence: number;
  ms: number;
}

/** Below this the code is not presented to a card (from the eval: no wrong read above it). */
export const PRESENT_CONFIDENCE = 0.45;
/** Reads of a field that must agree (the page read and the line re-reads), none disagreeing. */
export const AGREEING_READS = 3;

/** The rectified face is enlarged by this much for tesseract (its LSTM likes ~20–30 px glyphs). */
const PAGE_SCALE = 1.5;

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
/** The expiry: `…日まで有効`; the kanji 有効 blur into look-alikes (有幼, 用郊), the kana まで do not. */
const EXPIRY = /(?<!\d)(20\d{2})年(\d{1,2})月(\d{1,2})日まで/;
/** Exactly four digits, with at most a speck of something else around them (the photo's edge, dust). */
const CODE = /^[^\d]{0,2}(\d{4})[^\d]{0,3}$/;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface TextLine {
  /** Text with all whitespace removed. */
  text: string;
  bbox: Box;
  confidence: number;
}

type FieldKind = 'birth' | 'expiry' | 'code';

interface Birth {
  printed: PrintedBirthDate;
  /** The eras the printed era name can be (one when read exactly). */
  eras: EraName[];
}

type Parsed = { kind: 'birth'; value: Birth; key: string } | { kind: 'expiry'; value: { year: number; month: number; day: number }; key: string } | { kind: 'code'; value: string; key: string };

function parseField(kind: FieldKind, text: string): Parsed | undefined {
  if (kind === 'birth') {
    if (/まで/.test(text)) return undefined;
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
    return { kind, value, key: `${value.year}-${value.month}-${value.day}` };
  }
  const c = CODE.exec(text);
  return c ? { kind, value: c[1] as string, key: c[1] as string } : undefined;
}

/**
 * NFKC (full-width digits → ASCII) without whitespace and without the specks tesseract reads
 * between glyphs (`平成.6年`): a page read that would otherwise not parse still counts as a vote
 * (held-out sample 348 of seed 2: the page read 11月 but failed to parse on a '.', and three crop
 * re-reads that dropped a 1 were presented as 1月).
 */
function compact(text: string): string {
  return text.normalize('NFKC').replace(/[\s.,・·_'"`’‘“”、。:;|!]+/g, '');
}

function possible(p: Parsed): boolean {
  if (p.kind === 'code') return true;
  const { month, day } = p.kind === 'birth' ? p.value.printed : p.value;
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function otsu(data: Uint8Array): number {
  const hist = new Array<number>(256).fill(0);
  for (const v of data) hist[v] = (hist[v] ?? 0) + 1;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * (hist[i] ?? 0);
  let sumB = 0;
  let wB = 0;
  let best = -1;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t] ?? 0;
    if (wB === 0) continue;
    const wF = data.length - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] ?? 0);
    const between = wB * wF * (sumB / wB - (sum - sumB) / wF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

function meanOf(face: GreyFrame, b: Box): number {
  const x0 = Math.max(0, Math.round(b.x0));
  const x1 = Math.min(face.width - 1, Math.round(b.x1));
  const y0 = Math.max(0, Math.round(b.y0));
  const y1 = Math.min(face.height - 1, Math.round(b.y1));
  if (x1 <= x0 || y1 <= y0) return 255;
  let s = 0;
  let n = 0;
  for (let y = y0; y <= y1; y += 2) {
    for (let x = x0; x <= x1; x += 2) {
      s += face.data[y * face.width + x] ?? 255;
      n++;
    }
  }
  return s / n;
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

/** A line-crop preparation for the re-reads. */
interface Preparation {
  /** Crop height in px after scaling. */
  height: number;
  binarise: boolean;
  psm: PSM;
}

const REREADS: readonly Preparation[] = [
  { height: 56, binarise: false, psm: PSM.SINGLE_LINE },
  { height: 80, binarise: true, psm: PSM.SINGLE_LINE },
  { height: 68, binarise: false, psm: PSM.RAW_LINE },
  { height: 96, binarise: false, psm: PSM.SINGLE_LINE },
  { height: 76, binarise: true, psm: PSM.RAW_LINE },
  { height: 64, binarise: true, psm: PSM.SINGLE_LINE },
];

export interface CardFaceReaderOptions {
  /** Clock for plausibility checks. */
  now?: () => Date;
  /** Confidence needed to present (default PRESENT_CONFIDENCE). */
  presentConfidence?: number;
  profile?: CardProfile;
}

/**
 * The card-face OCR with a warm tesseract worker. `start()` once, `scan()` per image, `stop()` at
 * shutdown (idempotent). Scans run one at a time (one worker).
 */
export class CardFaceReader {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  /** A second, independent engine (tesseract's English LSTM, digits only) that must agree on the security code. */
  private digits: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private psm: PSM = PSM.SPARSE_TEXT;
  private readonly now: () => Date;
  private readonly presentConfidence: number;
  private readonly profile: CardProfile;

  constructor(options: CardFaceReaderOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.presentConfidence = options.presentConfidence ?? PRESENT_CONFIDENCE;
    this.profile = options.profile ?? DEFAULT_CARD_PROFILE;
  }

  async start(): Promise<void> {
    // Every card-face image is processed once: libvips' operation cache (sharp's default, up to
    // 50 MB) would only hold native memory that grows the reader's RSS (issue 11 item 8).
    sharp.cache(false);
    await this.ensureWorker();
    if (!this.digits) {
      const langPath = `${dirname(require.resolve('@tesseract.js-data/eng'))}/4.0.0`;
      const w = await createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' });
      await w.setParameters({ tessedit_char_whitelist: '0123456789', tessedit_pageseg_mode: PSM.SINGLE_LINE, user_defined_dpi: '300', debug_file: '/dev/null' });
      if (this.digits) await w.terminate();
      else this.digits = w;
    }
  }

  private ensureWorker(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    if (!this.starting) {
      const langPath = `${dirname(require.resolve('@tesseract.js-data/jpn'))}/4.0.0_best_int`;
      this.starting = (async () => {
        const w = await createWorker('jpn', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' });
        // debug_file: tesseract's own diagnostics would go to stdout.
        await w.setParameters({ tessedit_pageseg_mode: PSM.SPARSE_TEXT, user_defined_dpi: '300', debug_file: '/dev/null' });
        this.psm = PSM.SPARSE_TEXT;
        this.worker = w;
        return w;
      })();
      this.starting.catch(() => (this.starting = undefined));
    }
    return this.starting;
  }

  async stop(): Promise<void> {
    const w = this.worker ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.worker = undefined;
    this.starting = undefined;
    if (w) await w.terminate();
    const d = this.digits;
    this.digits = undefined;
    if (d) await d.terminate();
  }

  /** Scans one camera frame (any format sharp reads). */
  scan(image: Buffer): Promise<CardFaceScan> {
    const run = this.queue.then(() => this.scanNow(image));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async setPsm(psm: PSM): Promise<Worker> {
    const worker = await this.ensureWorker();
    if (this.psm !== psm) {
      await worker.setParameters({ tessedit_pageseg_mode: psm });
      this.psm = psm;
    }
    return worker;
  }

  private async scanNow(image: Buffer): Promise<CardFaceScan> {
    const t0 = performance.now();
    await this.start();
    const done = (r: Omit<CardFaceScan, 'ms'>): CardFaceScan => ({ ...r, ms: Math.round(performance.now() - t0) });
    const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
    const frame: GreyFrame = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
    let corners;
    try {
      corners = locateCard(frame).corners;
    } catch (err) {
      if (err instanceof CardNotFoundError) return done({ ok: false, reason: 'no-card', confidence: 0 });
      throw err;
    }
    let face = await this.enlarge(rectify(frame, corners));
    let lines = await this.readPage(face);
    let fields = this.pickFields(face, lines);
    if (!fields.birth && !fields.expiry) {
      const turned = await this.enlarge(rectify(frame, corners, true));
      const turnedLines = await this.readPage(turned);
      const turnedFields = this.pickFields(turned, turnedLines);
      if (turnedFields.birth || turnedFields.expiry) {
        face = turned;
        lines = turnedLines;
        fields = turnedFields;
      }
    }
    if (!fields.birth || !fields.expiry || !fields.code) {
      // A second look at the whole face with the light print whitened, for the fields the first missed.
      const again = this.pickFields(face, await this.readPage(face, true));
      fields = { ...again, ...fields };
    }
    if (!fields.birth || !fields.expiry || !fields.code) return done({ ok: false, reason: 'unreadable', confidence: 0 });

    const birth = await this.confirm(face, fields.birth);
    const expiry = await this.confirm(face, fields.expiry);
    const code = await this.confirm(face, fields.code);
    for (const r of [birth, expiry, code]) if ('failure' in r) return done({ ok: false, reason: r.failure, confidence: 0 });
    if (!('parsed' in birth) || !('parsed' in expiry) || !('parsed' in code)) return done({ ok: false, reason: 'unreadable', confidence: 0 });
    const b = birth.parsed.kind === 'birth' ? birth.parsed.value : undefined;
    const e = expiry.parsed.kind === 'expiry' ? expiry.parsed.value : undefined;
    const c = code.parsed.kind === 'code' ? code.parsed.value : undefined;
    if (!b || !e || !c) return done({ ok: false, reason: 'unreadable', confidence: 0 });
    // The security code has no date to check it against: a second engine must read the same digits.
    if (fields.code && !(await this.digitsAgree(face, fields.code.line, c))) return done({ ok: false, reason: 'inconsistent', confidence: 0 });
    const confidence = Math.min(birth.confidence, expiry.confidence, code.confidence);
    const result = {
      birth: this.profile.codeBDatePart(b.printed),
      calendar: b.printed.calendar,
      ...(b.eras.length === 1 ? { era: b.eras[0] } : {}),
      expiryYear: String(e.year),
      securityCode: c,
      confidence,
    };
    if (!this.plausible(b, e)) return done({ ok: false, reason: 'implausible-date', ...result });
    if (confidence < this.presentConfidence) return done({ ok: false, reason: 'low-confidence', ...result });
    return done({ ok: true, ...result });
  }

  private async digitsAgree(face: GreyFrame, line: TextLine, expected: string): Promise<boolean> {
    if (!this.digits) return false;
    const { bbox } = line;
    const h = bbox.y1 - bbox.y0;
    const crop: Box = { x0: bbox.x0 - 0.8 * h, y0: bbox.y0 - 0.45 * h, x1: bbox.x1 + 0.8 * h, y1: bbox.y1 + 0.45 * h };
    for (const prep of [REREADS[0], REREADS[1]] as Preparation[]) {
      const { data } = await this.digits.recognize(await this.toPng(face, crop, prep), {}, { text: true });
      if (compact(data.text ?? '') === expected) return true;
    }
    return false;
  }

  /** The birth date exists (in its era) and lies in the past; the expiry is real and within a card's life of today. */
  private plausible(b: Birth, e: { year: number; month: number; day: number }): boolean {
    const today = this.now();
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

  private async enlarge(face: GreyFrame): Promise<GreyFrame> {
    const w = Math.round(FACE_WIDTH * PAGE_SCALE);
    const h = Math.round(FACE_HEIGHT * PAGE_SCALE);
    const out = await sharp(Buffer.from(face.data.buffer, face.data.byteOffset, face.data.length), { raw: { width: face.width, height: face.height, channels: 1 } })
      .resize(w, h, { kernel: 'cubic' })
      .greyscale()
      .raw()
      .toBuffer();
    return { width: w, height: h, data: new Uint8Array(out.buffer, out.byteOffset, w * h) };
  }

  private async toPng(img: GreyFrame, box?: Box, prep?: Preparation): Promise<Buffer> {
    let p = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 1 } });
    if (box) {
      const left = Math.max(0, Math.floor(box.x0));
      const top = Math.max(0, Math.floor(box.y0));
      const width = Math.min(img.width - left, Math.ceil(box.x1 - left));
      const height = Math.min(img.height - top, Math.ceil(box.y1 - top));
      p = sharp(await p.extract({ left, top, width, height }).png().toBuffer());
      if (prep) {
        p = p.resize({ height: prep.height, kernel: 'cubic' }).greyscale();
        // Whiten the tinted band and the light security print behind the text: map the ink level
        // to black and anything lighter than halfway to the paper to white.
        const { data: raw, info: ri } = await p.raw().toBuffer({ resolveWithObject: true });
        const sorted = Uint8Array.from(raw).sort();
        const ink = sorted[Math.floor(sorted.length * 0.03)] ?? 0;
        const paper = sorted[Math.floor(sorted.length * 0.6)] ?? 255;
        const white = ink + 0.6 * (paper - ink);
        if (white - ink > 8) {
          const out = Buffer.alloc(raw.length);
          for (let k = 0; k < raw.length; k++) out[k] = Math.max(0, Math.min(255, Math.round((((raw[k] ?? 255) - ink) / (white - ink)) * 255)));
          p = sharp(out, { raw: { width: ri.width, height: ri.height, channels: 1 } });
        }
        if (prep.binarise) {
          const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
          const t = otsu(new Uint8Array(data.buffer, data.byteOffset, data.length));
          p = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).threshold(t + 1);
        }
      }
    }
    return p.png().toBuffer();
  }

  /** Every text line tesseract finds on the face (sparse-text layout analysis), whitespace removed. */
  private async readPage(face: GreyFrame, whiten = false): Promise<TextLine[]> {
    const worker = await this.setPsm(PSM.SPARSE_TEXT);
    const png = whiten ? await this.toPng(face, { x0: 0, y0: 0, x1: face.width, y1: face.height }, { height: face.height, binarise: false, psm: PSM.SPARSE_TEXT }) : await this.toPng(face);
    const { data } = await worker.recognize(png, {}, { blocks: true, text: true });
    const lines: TextLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const line of para.lines) {
          const text = compact(line.text);
          if (text) lines.push({ text, bbox: line.bbox, confidence: line.confidence / 100 });
        }
      }
    }
    return lines;
  }

  /**
   * The three fields by content. Each must be found exactly once (two different birth lines, say,
   * and the scan is not sure which is the holder's); the security code is the 4-digit line with
   * the photo — the face's darkest block — right above it.
   */
  private pickFields(face: GreyFrame, lines: TextLine[]): Partial<Record<FieldKind, { line: TextLine; parsed: Parsed }>> {
    const out: Partial<Record<FieldKind, { line: TextLine; parsed: Parsed }>> = {};
    for (const kind of ['birth', 'expiry'] as const) {
      const found = lines.map((line) => ({ line, parsed: parseField(kind, line.text) })).filter((f): f is { line: TextLine; parsed: Parsed } => f.parsed !== undefined);
      if (found.length === 1) out[kind] = found[0];
    }
    const paper = meanOf(face, { x0: 0, y0: 0, x1: face.width - 1, y1: face.height - 1 });
    const codes = lines
      .map((line) => ({ line, parsed: parseField('code', line.text) }))
      .filter((f): f is { line: TextLine; parsed: Parsed } => f.parsed !== undefined)
      .map((f) => {
        const h = f.line.bbox.y1 - f.line.bbox.y0;
        const cx = (f.line.bbox.x0 + f.line.bbox.x1) / 2;
        const above = meanOf(face, { x0: cx - 3 * h, y0: f.line.bbox.y0 - 14 * h, x1: cx + 3 * h, y1: f.line.bbox.y0 - 2.5 * h });
        return { ...f, above };
      })
      .filter((f) => f.above < paper - 25)
      .sort((p, q) => p.above - q.above);
    if (codes.length === 1 || (codes.length > 1 && (codes[1]?.above ?? 255) - (codes[0]?.above ?? 0) > 30)) {
      const first = codes[0];
      if (first) out.code = { line: first.line, parsed: first.parsed };
    }
    return out;
  }

  /**
   * Re-reads one field from crops of its line in other preparations. Accepted when at least
   * AGREEING_READS reads (the page read among them) parse to the same value and none parses to
   * another; a disagreement is `inconsistent`, too few agreeing reads `unreadable`.
   */
  private async confirm(face: GreyFrame, field: { line: TextLine; parsed: Parsed }): Promise<{ parsed: Parsed; confidence: number } | { failure: ScanFailure }> {
    const { bbox } = field.line;
    const h = bbox.y1 - bbox.y0;
    const crop: Box = { x0: bbox.x0 - 0.8 * h, y0: bbox.y0 - 0.45 * h, x1: bbox.x1 + 0.8 * h, y1: bbox.y1 + 0.45 * h };
    const counts = new Map<string, number>(possible(field.parsed) ? [[field.parsed.key, 1]] : []);
    // The page's line confidence is not counted: tesseract rates short lines of a sparse page low
    // whatever their glyphs; the crop reads rate the line itself.
    const confidences = new Map<string, number[]>();
    const parsedByKey = new Map<string, Parsed>([[field.parsed.key, field.parsed]]);
    for (const prep of REREADS) {
      const worker = await this.setPsm(prep.psm);
      const { data } = await worker.recognize(await this.toPng(face, crop, prep), {}, { blocks: true, text: true });
      const text = compact(data.text ?? '');
      const parsed = parseField(field.parsed.kind, text);
      // A month 19 or a day 36 is certainly a misread: it says nothing about the right value.
      if (!parsed || !possible(parsed)) continue;
      counts.set(parsed.key, (counts.get(parsed.key) ?? 0) + 1);
      confidences.set(parsed.key, [...(confidences.get(parsed.key) ?? []), data.confidence / 100]);
      parsedByKey.set(parsed.key, parsed);
      const verdict = agreement(counts);
      if (verdict) {
        const winner = parsedByKey.get(verdict) as Parsed;
        // The median of the agreeing crop reads (one read with a speck beside the digits rates low).
        const rated = [...(confidences.get(verdict) ?? [])].sort((p, q) => p - q);
        return { parsed: winner, confidence: rated[Math.floor((rated.length - 1) / 2)] ?? 0 };
      }
    }
    return { failure: counts.size > 1 ? 'inconsistent' : 'unreadable' };
  }
}
