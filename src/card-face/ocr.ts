/**
 * Reads the digits of 照合番号B from a card-face image (SPEC §5.1): the birth date as printed, the
 * expiry's Western year and the security code under the photo.
 *
 * Fields are found by what they say, not where one renderer put them (issue 13): the card is found
 * and rectified (locate.ts), PaddleOCR's text detector finds every line of the face and its
 * recogniser reads each (tesseract's sparse-text layout analysis looks again for a field it
 * missed), and the fields are picked by content — the date line ending in 生 (an era name or a
 * Western year), the date line followed by まで有効, and a line of exactly four digits with the
 * photo (the darkest block of the face) above it. The birth date's calendar decides the first six
 * digits (card-profile.ts). Each field is then re-read from its own line crop by the other engine
 * (tesseract, Japanese LSTM) and, unless the two already agree with nothing else read, by both in
 * other preparations, with a third engine (Debian's fast Japanese LSTM for the dates, tesseract's
 * legacy recogniser for the code) once the first two disagree; a value is presented only when the
 * reads agree (`enginesAgree`, `agreement`, `enginesMajority`, `enginesOverDroppedOne`,
 * `enginesOverLstm`: at least two engines whenever PaddleOCR's page read found the line, the
 * code's tesseract reads by its digits-only English model), the birth date exists (in its era)
 * and lies in the past, and the expiry is within a card's life of today: a confident wrong read
 * costs one of the card's 10 照合番号B tries.
 *
 * A face that yields no fields upright is read turned by 180° (a card placed upside down).
 *
 * Layers (issue 12 item 3): this file is the policy (which reads to make, when to present);
 * printed-fields.ts the domain (what the face says), ocr-image.ts the pixels, ocr-engine.ts
 * PaddleOCR and tesseract (transport).
 */
import sharp from 'sharp';
import { PSM } from 'tesseract.js';
import { locateCard, CardNotFoundError, type GreyFrame } from './locate';
import type { EraName } from './japanese-era';
import { DEFAULT_CARD_PROFILE, type BirthCalendar, type CardProfile } from './card-profile';
import { agreementOfReads, compact, enginesAgree, enginesMajority, enginesOverDroppedOne, enginesOverLstm, looksLike, parseDateDigits, parseField, plausible, possible, unreadField, type FieldKind, type Parsed, type Vote } from './printed-fields';
import { DATE_GLYPHS, ocrPage, levelOf, meanOf, preparedCrop, REREADS, THIRD_ENGINE_REREADS, toOcrImage, WIDENED_REREADS, type Box, type Preparation } from './ocr-image';
import { areaAboveCode, fieldCandidates, photoAbove, whereCodeIs } from './field-lines';
import { ConfirmingTesseract, PaddleEngine, TesseractEngines, type PaddleEngineOptions, type TextLine } from './ocr-engine';

export { agreement, agreementOfReads, enginesAgree, enginesMajority, enginesOverDroppedOne, enginesOverLstm, AGREEING_READS } from './printed-fields';

/** A line found on the face, and the engine whose page read found it. */
export type PageLine = TextLine & { engine: Vote['engine'] };

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
  /** The detector sides whose passes this scan ran, in order (the cascade, PADDLE_SETTINGS; absent when no card was found). */
  detectorSides?: number[];
  ms: number;
}

/**
 * The detector cascade (issue 13, speed): a pass per detector side in turn, the next only when
 * the last was not confident (`ok: false`); the answer is the first confident pass's, or the
 * last pass's refusal. A confident pass is never second-guessed: every pass keeps the agreement
 * rules, so a confident wrong read is as unlikely in each pass as in one scan at that side.
 */
export async function cascade(sides: readonly number[], pass: (side: number) => Promise<CardFaceScan>): Promise<CardFaceScan> {
  const ran: number[] = [];
  let last: CardFaceScan | undefined;
  for (const side of sides) {
    ran.push(side);
    last = await pass(side);
    if (last.ok) break;
  }
  if (!last) throw new RangeError('cascade: no detector side');
  return { ...last, detectorSides: ran };
}

/** Below this the code is not presented to a card (from the eval: no wrong read above it). */
export const PRESENT_CONFIDENCE = 0.45;


export interface CardFaceReaderOptions {
  /** Clock for plausibility checks. */
  now?: () => Date;
  /** Confidence needed to present (default PRESENT_CONFIDENCE). */
  presentConfidence?: number;
  profile?: CardProfile;
  /**
   * Sees every line a page read found and every crop read of a field, in memory (the evaluation's
   * error analysis; test faces only — a real card's text must never reach a log, SPEC §5.1).
   */
  trace?: (event: ReadTrace) => void;
  /** PaddleOCR's detector and recogniser settings (default PADDLE_SETTINGS). */
  paddle?: PaddleEngineOptions;
}

/** One read the scan made: a page line (`field` absent) or a crop re-read of a field. */
export interface ReadTrace {
  engine: Vote['engine'];
  field?: FieldKind;
  text: string;
  /** The value it parsed to, when it did. */
  key?: string;
}

/**
 * The security code among one page read's lines: a line of exactly four digits with the photo
 * right above it. Which line is the code decides what is presented, so a wrong pick would cost a
 * card try: either
 * - the area above it is the face's darkest block (mean < the face's mean − 25, and darker by 30
 *   than any other such line's), or
 * - a pale photo (its background near the paper's tone, tuning seeds 1 and 13: above 173–200
 *   against a face mean of 187–221, so the first test fails): it is the page read's only 4-digit
 *   line, it lies where every public layout puts the code — the right 40 % of the face, in its
 *   lower half (under the photo; the dates and address are left or at the top) — and the area
 *   above it holds a dark mass (its darkest tenth ≥ 50 below the face's median: the shoulders
 *   and hair of the photo) while its mean is still ≥ 10 below the median. Text lines above a
 *   stray 4-digit fragment would also be dark in their darkest tenth, hence the position and
 *   only-one conditions.
 */
export function pickSecurityCode(face: GreyFrame, lines: readonly PageLine[]): { line: PageLine; parsed: Parsed } | undefined {
  const whole = { x0: 0, y0: 0, x1: face.width - 1, y1: face.height - 1 };
  const paper = meanOf(face, whole);
  const codes = lines
    .map((line) => ({ line, parsed: parseField('code', line.text) }))
    .filter((f): f is { line: PageLine; parsed: Parsed } => f.parsed !== undefined)
    .map((f) => {
      const box = areaAboveCode(f.line.bbox);
      return { ...f, box, above: meanOf(face, box) };
    });
  const dark = codes.filter((f) => photoAbove(face, f.line.bbox, paper)).sort((p, q) => p.above - q.above);
  if (dark.length === 1 || (dark.length > 1 && (dark[1]?.above ?? 255) - (dark[0]?.above ?? 0) > 30)) {
    const first = dark[0];
    return first ? { line: first.line, parsed: first.parsed } : undefined;
  }
  const [only] = codes;
  if (codes.length !== 1 || !only || dark.length > 0) return undefined;
  const median = levelOf(face, whole, 0.5);
  const where = whereCodeIs(face, only.line.bbox);
  const photo = levelOf(face, only.box, 0.1) <= median - 50 && only.above <= median - 10;
  return where && photo ? { line: only.line, parsed: only.parsed } : undefined;
}

/**
 * PaddleOCR's settings (docs/card-face.md, "Speed"): each line is recognised at its own width
 * instead of padded to 320 px (a 4-digit code is ~100 px at height 48): the same decisions on
 * the tuning faces at 15–30 % less recogniser time. The detector runs as a cascade (issue 13,
 * "Detector cascade (session 11)"): the face is read at a 640-px input first (about half the
 * detector's time at 960), and only a scan that is not confident is made again at 960. 640 alone
 * moved the line boxes by a few pixels and tesseract's re-reads of the moved crops refused 1–3
 * more (net) of 48–90 tuning faces — refused, never read wrong — so the 960 pass gets those faces
 * back, and the faces 640 reads confidently (most) pay for one pass at 640. Two intra-op threads
 * (a board has 4 cores, this machine 2; the card face is read before the face worker works):
 * the same page reads, boxes and confidences on 40 faces of seed 1, scan median 0.88 → 0.64 s on
 * a quiet machine, and no slower than one thread at load ~4 once the pool does not spin.
 */
export const PADDLE_SETTINGS: PaddleEngineOptions = { minLineWidth: 48, threads: 2, detectorSides: [640, 960] };

type Confirmed = { parsed: Parsed; confidence: number } | { failure: ScanFailure };
type Field = { line: PageLine; parsed: Parsed };

/** Which speculative re-read belongs to a picked field: the field kind and the page line's box and text. */
function fieldKey(kind: FieldKind, line: PageLine): string {
  return `${kind}:${line.engine}:${line.bbox.x0},${line.bbox.y0},${line.bbox.x1},${line.bbox.y1}:${line.text}`;
}

const tag =
  (engine: Vote['engine']) =>
  (lines: TextLine[]): PageLine[] =>
    lines.map((l) => ({ ...l, engine }));

/** A crop of the face as a grey image (whitened light print, as the first re-read preparation). */
function greyCrop(face: GreyFrame, crop: Box): Promise<GreyFrame> {
  return preparedCrop(face, crop, { height: 48, binarise: false, psm: PSM.SINGLE_LINE });
}

/**
 * The card-face OCR with its engines warm (PaddleOCR's two ONNX sessions, two tesseract workers).
 * `start()` once, `scan()` per image, `stop()` at shutdown (idempotent). Scans run one at a time.
 */
export class CardFaceReader {
  /** tesseract: the Japanese engine, and the digits engine that must agree on the security code. */
  private readonly engines = new TesseractEngines();
  /** PaddleOCR: finds the lines (its detector) and reads them first (its recogniser). */
  private readonly paddle: PaddleEngine;
  /** The third engine (Debian's fast Japanese LSTM, tesseract's legacy digits), read when PaddleOCR and the LSTM disagree. */
  private readonly third = new ConfirmingTesseract();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;
  private readonly presentConfidence: number;
  private readonly profile: CardProfile;
  private readonly trace: ((event: ReadTrace) => void) | undefined;

  constructor(options: CardFaceReaderOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.presentConfidence = options.presentConfidence ?? PRESENT_CONFIDENCE;
    this.profile = options.profile ?? DEFAULT_CARD_PROFILE;
    this.trace = options.trace;
    this.paddle = new PaddleEngine(options.paddle ?? PADDLE_SETTINGS);
  }

  async start(): Promise<void> {
    // Every card-face image is processed once: libvips' operation cache (sharp's default, up to
    // 50 MB) would only hold native memory that grows the reader's RSS (issue 11 item 8).
    sharp.cache(false);
    await Promise.all([this.engines.start(), this.paddle.start(), this.third.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.engines.stop(), this.paddle.stop(), this.third.stop()]);
  }

  /** Scans one camera frame (any format sharp reads). */
  scan(image: Buffer): Promise<CardFaceScan> {
    const run = this.queue.then(() => this.scanNow(image));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async scanNow(image: Buffer): Promise<CardFaceScan> {
    const t0 = performance.now();
    await this.start();
    const done = (r: Omit<CardFaceScan, 'ms'>): CardFaceScan => ({ ...r, ms: Math.round(performance.now() - t0) });
    const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
    const frame: GreyFrame = { width: info.width, height: info.height, grey: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
    let corners;
    try {
      corners = locateCard(frame).corners;
    } catch (err) {
      if (err instanceof CardNotFoundError) return done({ ok: false, reason: 'no-card', confidence: 0 });
      throw err;
    }
    const upright = ocrPage(frame, corners);
    // The card is found and rectified once: a second pass of the cascade differs only in the
    // detector's side (the same pixels, so the same decisions as a scan at that side alone).
    let turned: Promise<GreyFrame> | undefined;
    const turnedFace = (): Promise<GreyFrame> => (turned ??= Promise.resolve(ocrPage(frame, corners, true)));
    return cascade(this.paddle.detectorSides, (side) => this.pass(upright, turnedFace, side, done));
  }

  /** One scan of the rectified face with the detector at `side`. */
  private async pass(upright: GreyFrame, turnedFace: () => Promise<GreyFrame>, side: number, done: (r: Omit<CardFaceScan, 'ms'>) => CardFaceScan): Promise<CardFaceScan> {
    // Each line of the upright page read that parses as a field is re-read by tesseract at once,
    // while PaddleOCR reads the face's other lines (tesseract's workers are threads of their own;
    // ONNX Runtime runs on this one): whether it is the field is decided after the whole page,
    // as before, and a re-read of a line that is not taken is only waited for.
    const early = new Map<string, Promise<Confirmed>>();
    const onLine = (l: TextLine): void => {
      const line: PageLine = { ...l, engine: 'paddle' };
      for (const kind of ['birth', 'expiry', 'code'] as const) {
        const parsed = parseField(kind, line.text);
        if (parsed) early.set(fieldKey(kind, line), this.confirm(upright, { line, parsed }, stale));
      }
    };
    // Set when the scan has its answer: a re-read still running for a line that was not taken
    // stops before its next read (it must not hold tesseract's workers for the next scan).
    const stale = { done: false };
    try {
      return await this.readFields(upright, turnedFace, side, early, onLine, done);
    } finally {
      stale.done = true;
      await Promise.allSettled(early.values());
    }
  }

  private async readFields(
    upright: GreyFrame,
    turnedFace: () => Promise<GreyFrame>,
    side: number,
    early: Map<string, Promise<Confirmed>>,
    onLine: (l: TextLine) => void,
    done: (r: Omit<CardFaceScan, 'ms'>) => CardFaceScan,
  ): Promise<CardFaceScan> {
    let face = upright;
    // Only the lines whose shape can be a field are recognised, the likeliest first (field-lines.ts).
    const select = (f: GreyFrame) => (boxes: Box[]) => fieldCandidates(f, boxes);
    let pageLines = await this.paddle.readPage(face, compact, { onLine, select: select(face), side }).then(tag('paddle'));
    let fields = this.pickFields(face, pageLines);
    const pageReads: PageLine[][] = [];
    if (!fields.birth && !fields.expiry) {
      const turned = await turnedFace();
      const turnedLines = await this.paddle.readPage(turned, compact, { select: select(turned), side }).then(tag('paddle'));
      const turnedFields = this.pickFields(turned, turnedLines);
      if (turnedFields.birth || turnedFields.expiry) {
        face = turned;
        fields = turnedFields;
        pageLines = turnedLines;
      }
    }
    // Fields PaddleOCR's page read missed: tesseract's sparse-text layout analysis, then again
    // with the light print whitened.
    for (const whiten of [false, true]) {
      if (fields.birth && fields.expiry && fields.code) break;
      const lines = await this.readPage(face, whiten);
      pageReads.push(lines);
      fields = { ...this.pickFields(face, lines), ...fields };
    }
    // A date line no page read parsed but one of them found (PaddleOCR's first): its crops are
    // re-read, its page read is no vote.
    for (const kind of ['birth', 'expiry'] as const) {
      if (fields[kind]) continue;
      for (const read of [pageLines, ...pageReads]) {
        const like = read.filter((l) => looksLike(kind, l.text) && !(['birth', 'expiry', 'code'] as const).some((k) => parseField(k, l.text)));
        const [only] = like;
        if (like.length === 1 && only) {
          fields[kind] = { line: only, parsed: unreadField(kind) };
          break;
        }
      }
    }
    if (!fields.birth || !fields.expiry || !fields.code) return done({ ok: false, reason: 'unreadable', confidence: 0 });

    // The three fields' re-reads run concurrently (the security code's on the digits worker);
    // a field whose line was already being re-read takes that re-read.
    const confirmed = (kind: FieldKind, field: Field): Promise<Confirmed> => (face === upright ? early.get(fieldKey(kind, field.line)) : undefined) ?? this.confirm(face, field);
    const [birth, expiry, code] = await Promise.all([confirmed('birth', fields.birth), confirmed('expiry', fields.expiry), confirmed('code', fields.code)]);
    for (const r of [birth, expiry, code]) if ('failure' in r) return done({ ok: false, reason: r.failure, confidence: 0 });
    if (!('parsed' in birth) || !('parsed' in expiry) || !('parsed' in code)) return done({ ok: false, reason: 'unreadable', confidence: 0 });
    const b = birth.parsed.kind === 'birth' ? birth.parsed.value : undefined;
    const e = expiry.parsed.kind === 'expiry' ? expiry.parsed.value : undefined;
    const c = code.parsed.kind === 'code' ? code.parsed.value : undefined;
    if (!b || !e || !c) return done({ ok: false, reason: 'unreadable', confidence: 0 });
    const confidence = Math.min(birth.confidence, expiry.confidence, code.confidence);
    const result = {
      birth: this.profile.codeBDatePart(b.printed),
      calendar: b.printed.calendar,
      ...(b.eras.length === 1 ? { era: b.eras[0] } : {}),
      expiryYear: String(e.year),
      securityCode: c,
      confidence,
    };
    if (!plausible(b, e, this.now())) return done({ ok: false, reason: 'implausible-date', ...result });
    if (confidence < this.presentConfidence) return done({ ok: false, reason: 'low-confidence', ...result });
    return done({ ok: true, ...result });
  }

  /** Every text line tesseract finds on the face; `whiten`: with the light print whitened first. */
  private async readPage(face: GreyFrame, whiten = false): Promise<PageLine[]> {
    const png = whiten ? await toOcrImage(face, { x0: 0, y0: 0, x1: face.width, y1: face.height }, { height: face.height, binarise: false, psm: PSM.SPARSE_TEXT }) : await toOcrImage(face);
    return tag('tesseract')(await this.engines.readPage(png, compact));
  }

  /**
   * The three fields by content. Each must be found exactly once (two different birth lines, say,
   * and the scan is not sure which is the holder's); the security code is the 4-digit line with
   * the photo — the face's darkest block — right above it.
   */
  private pickFields(face: GreyFrame, lines: PageLine[]): Partial<Record<FieldKind, { line: PageLine; parsed: Parsed }>> {
    if (this.trace) for (const l of lines) this.trace({ engine: l.engine, text: l.text });
    const out: Partial<Record<FieldKind, { line: PageLine; parsed: Parsed }>> = {};
    for (const kind of ['birth', 'expiry'] as const) {
      const found = lines.map((line) => ({ line, parsed: parseField(kind, line.text) })).filter((f): f is { line: PageLine; parsed: Parsed } => f.parsed !== undefined);
      if (found.length === 1) out[kind] = found[0];
    }
    const code = pickSecurityCode(face, lines);
    if (code) out.code = code;
    return out;
  }

  /**
   * Re-reads one field from crops of its line: first by tesseract (the other engine from the one
   * whose page read found the line), then by PaddleOCR, then by the third engine, then by
   * tesseract in the other preparations. Accepted as soon as two engines have read the same value
   * and no read said anything else (`enginesAgree`), or when at least AGREEING_READS reads agree
   * and outnumber the others (`agreement`), or when PaddleOCR and the third engine each read one
   * value throughout (`enginesOverLstm`); a disagreement is `inconsistent`, too few agreeing reads
   * `unreadable`.
   */
  private async confirm(face: GreyFrame, field: Field, stale?: { done: boolean }): Promise<Confirmed> {
    const { bbox } = field.line;
    const h = bbox.y1 - bbox.y0;
    const crop: Box = { x0: bbox.x0 - 0.8 * h, y0: bbox.y0 - 0.45 * h, x1: bbox.x1 + 0.8 * h, y1: bbox.y1 + 0.45 * h };
    const votes: Vote[] = possible(field.parsed) ? [{ engine: field.line.engine, key: field.parsed.key }] : [];
    // tesseract's page confidence is not counted: it rates short lines of a sparse page low
    // whatever their glyphs; PaddleOCR rates each line on its own.
    const confidences = new Map<string, number[]>(field.line.engine === 'paddle' ? [[field.parsed.key, [field.line.confidence]]] : []);
    const parsedByKey = new Map<string, Parsed>([[field.parsed.key, field.parsed]]);
    const [firstPrep, ...otherPreps] = REREADS;
    // tesseract reads the security code with its digits-only English model: the Japanese one
    // takes a blurred 0 for 9 in some preparations (tuning seed 1, sample 48).
    const tesseract = async (prep: Preparation) => {
      const png = await toOcrImage(face, crop, prep);
      return { engine: 'tesseract' as const, widened: prep.stretch !== undefined, ...(field.parsed.kind === 'code' ? await this.engines.readDigits(png) : await this.engines.readLine(png, prep.psm, prep.dateGlyphsOnly ? DATE_GLYPHS : '')) };
    };
    const third = async (prep: Preparation) => {
      const png = await toOcrImage(face, crop, prep);
      return field.parsed.kind === 'code' ? { engine: 'legacy' as const, ...(await this.third.readCode(png)) } : { engine: 'fast' as const, ...(await this.third.readDate(png)) };
    };
    const reads: Array<() => Promise<{ engine: Vote['engine']; text: string; confidence: number; widened?: boolean } | undefined>> = [
      ...(firstPrep ? [() => tesseract(firstPrep)] : []),
      async () => ({ engine: 'paddle' as const, ...(await this.paddle.readLine(await greyCrop(face, crop))) }),
      // The third engine once the first two did not settle the field (`enginesOverLstm`).
      ...THIRD_ENGINE_REREADS.map((prep) => () => third(prep)),
      ...otherPreps.map((prep) => () => tesseract(prep)),
      // Widened crops only where they were measured to help: PaddleOCR read two 1s side by side
      // (widened, tesseract parts them; it also reads a blurred 10 as 19 more often, tuning
      // seed 1 sample 48, so a line without 11 is not widened).
      ...WIDENED_REREADS.map((prep) => () => (votes.some((v) => v.engine === 'paddle' && v.key.includes('11')) ? tesseract(prep) : Promise.resolve(undefined))),
    ];
    const verdictOf = (): string | undefined => enginesAgree(votes) ?? agreementOfReads(votes) ?? enginesOverLstm(votes);
    const accept = (verdict: string): { parsed: Parsed; confidence: number } => {
      const winner = parsedByKey.get(verdict) as Parsed;
      // The upper median of the agreeing reads' confidences (one read with a speck beside the
      // digits rates low; of two engines agreeing, tesseract rates a short line low).
      const rated = [...(confidences.get(verdict) ?? [])].sort((p, q) => p - q);
      return { parsed: winner, confidence: rated[Math.floor(rated.length / 2)] ?? 0 };
    };
    for (const next of reads) {
      if (stale?.done) return { failure: 'unreadable' };
      const read = await next();
      if (!read) continue;
      const text = compact(read.text);
      const parsed = parseField(field.parsed.kind, text) ?? (read.widened ? parseDateDigits(field.parsed, text) : undefined);
      this.trace?.({ engine: read.engine, field: field.parsed.kind, text, ...(parsed ? { key: parsed.key } : {}) });
      // A month 19 or a day 36 is certainly a misread: it says nothing about the right value.
      if (!parsed || !possible(parsed)) continue;
      votes.push({ engine: read.engine, key: parsed.key });
      confidences.set(parsed.key, [...(confidences.get(parsed.key) ?? []), read.confidence]);
      // The first read of a value stands for it (the page read's when it voted): an expiry's reads
      // agree on its year only, and their days may differ.
      if (!parsedByKey.has(parsed.key)) parsedByKey.set(parsed.key, parsed);
      const verdict = verdictOf();
      if (verdict) return accept(verdict);
    }
    const majority = enginesMajority(votes) ?? enginesOverDroppedOne(votes);
    if (majority) return accept(majority);
    return { failure: new Set(votes.map((v) => v.key)).size > 1 ? 'inconsistent' : 'unreadable' };
  }

}
