/**
 * Reads the digits of 照合番号B from a card-face image (SPEC §5.1): date of birth (era year, month,
 * day), the expiry's Western year and the security code under the photo.
 *
 * The card is found and rectified first (locate.ts), its orientation checked (the photo is the
 * darkest block, upper right), then each field is found by layout and measured: the printed lines
 * use a fixed-pitch font, so from a line's ink extent the reader knows the character grid, masks
 * the kanji cells (年, 月, 日, the era) and gives tesseract only digits, each variant in one crop.
 * The era is recognised by comparing its two glyphs with IPAGothic renderings of the five era
 * names, to check that the date is real. Every field is read twice from two different
 * preparations (grey and binarised, different scale); any disagreement, missing digit or
 * implausible value makes the scan not confident, because a confident wrong read costs a try of
 * the card's 照合番号B counter.
 *
 * OCR: tesseract.js 7 with the `@tesseract.js-data/eng` traineddata from node_modules
 * (`cacheMethod: 'none'`: nothing is cached or written anywhere; no network).
 */
import { dirname } from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { locateCard, rectify, CardNotFoundError, FACE_WIDTH, FACE_HEIGHT, type GreyFrame } from './locate';
import { ERAS, fromEraDate, isRealDate, type EraName } from './japanese-era';

export type ScanFailure = 'no-card' | 'upside-down' | 'too-blurred' | 'unreadable' | 'implausible-date' | 'inconsistent' | 'low-confidence';

export interface CardFaceScan {
  ok: boolean;
  /** Why the scan is not good enough to present (absent when ok). */
  reason?: ScanFailure;
  /** Era `YYMMDD` as printed. */
  birth?: string;
  era?: EraName;
  expiryYear?: string;
  securityCode?: string;
  /** 0–1: the lowest digit confidence of the two reads (0 when a read is missing). */
  confidence: number;
  ms: number;
}

/** Below this the code is not presented to a card (chosen from the eval: no wrong read above it). */
export const PRESENT_CONFIDENCE = 0.9;
/**
 * Lines less sharp than this are not read (see `sharpness`). From the eval: every confident wrong
 * read seen had 0.32 or less; correct reads cluster at 0.35–0.7.
 */
export const MIN_SHARPNESS = 0.34;
/** Two agreeing reads at or above this are enough; below it a third must agree. */
const SURE_READ = 0.95;

interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Where the real card prints each field, in the 856×540 frame, with room for misregistration. */
export const REGION = {
  birth: { x0: 330, y0: 40, x1: 556, y1: 100 },
  expiry: { x0: 24, y0: 386, x1: 320, y1: 424 },
  securityCode: { x0: 630, y0: 304, x1: 810, y1: 346 },
  photo: { x0: 630, y0: 60, x1: 800, y1: 280 },
} as const;

/** Character grid of the birth line `昭和33年 4月 1日生` (em units) and of the expiry `2032年 4月 1日まで有効`. */
const BIRTH_EMS = 9;
const BIRTH_DIGIT_CELLS: Array<[number, number]> = [
  [2, 3],
  [4, 5],
  [6, 7],
];
const EXPIRY_EMS = 11;
const EXPIRY_YEAR_CELL: [number, number] = [0, 2];

export function crop(face: GreyFrame, r: Region): GreyFrame {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[y * w + x] = face.data[(r.y0 + y) * face.width + r.x0 + x] ?? 255;
  }
  return { width: w, height: h, data: out };
}

function otsuThreshold(data: Uint8Array): number {
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

interface InkBox {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  threshold: number;
}

/** The ink extent of the one text line in a region (columns/rows with at least `minInk` dark pixels). */
export function inkBox(img: GreyFrame): InkBox | undefined {
  const t = otsuThreshold(img.data);
  const { width: w, height: h, data } = img;
  const rows = new Array<number>(h).fill(0);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((data[y * w + x] ?? 255) <= t) rows[y] = (rows[y] ?? 0) + 1;
  // The text band: the longest run of rows with ink (gaps of ≤ 2 rows bridged).
  let best: [number, number] | undefined;
  let start = -1;
  let gap = 0;
  for (let y = 0; y <= h; y++) {
    const ink = y < h && (rows[y] ?? 0) >= 2;
    if (ink) {
      if (start < 0) start = y;
      gap = 0;
    } else if (start >= 0) {
      gap++;
      if (gap > 2 || y === h) {
        const end = y - gap;
        if (!best || end - start > best[1] - best[0]) best = [start, end];
        start = -1;
        gap = 0;
      }
    }
  }
  if (!best || best[1] - best[0] < 6) return undefined;
  const [y0, y1] = best;
  const cols = new Array<number>(w).fill(0);
  for (let y = y0; y <= y1; y++) for (let x = 0; x < w; x++) if ((data[y * w + x] ?? 255) <= t) cols[x] = (cols[x] ?? 0) + 1;
  let x0 = cols.findIndex((c) => c >= 2);
  let x1 = w - 1 - [...cols].reverse().findIndex((c) => c >= 2);
  if (x0 < 0 || x1 <= x0) return undefined;
  // Trim a trailing glyph that stands apart by more than an em (the sex glyph, a speck).
  const height = y1 - y0 + 1;
  let run = 0;
  for (let x = x1; x > x0; x--) {
    if ((cols[x] ?? 0) >= 2) {
      if (run > height * 1.1) {
        x1 = x;
        break;
      }
      run = 0;
    } else run++;
  }
  run = 0;
  for (let x = x0; x < x1; x++) {
    if ((cols[x] ?? 0) >= 2) {
      if (run > height * 1.1) {
        x0 = x;
        break;
      }
      run = 0;
    } else run++;
  }
  return { x0, x1, y0, y1, threshold: t };
}

/**
 * How sharp the printed digits are: the steepest grey steps across the line (98th percentile of
 * the horizontal gradient) relative to its ink–paper contrast. A step edge gives about 1, a blur
 * of σ px about 0.4/σ. Too blurred a line is not read at all: blur turns 9 into 3 and 6 into 5
 * consistently, and consistency is what the reader relies on.
 */
export function sharpness(img: GreyFrame, box: InkBox): number {
  const grads: number[] = [];
  const values: number[] = [];
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = Math.max(0, box.x0 - 2); x < Math.min(img.width - 1, box.x1 + 2); x++) {
      const v = img.data[y * img.width + x] ?? 255;
      values.push(v);
      grads.push(Math.abs((img.data[y * img.width + x + 1] ?? 255) - v));
    }
  }
  if (values.length === 0) return 0;
  values.sort((p, q) => p - q);
  grads.sort((p, q) => p - q);
  const pct = (xs: number[], f: number): number => xs[Math.min(xs.length - 1, Math.floor(xs.length * f))] ?? 0;
  const contrast = pct(values, 0.95) - pct(values, 0.03);
  return contrast <= 0 ? 0 : pct(grads, 0.98) / contrast;
}

/**
 * A white canvas holding the digits of the given cells of a line, set close together like one
 * word (tesseract is far surer of a digit string than of lone digits); records where each cell's
 * digits went so recognised symbols can be assigned back by position.
 */
export function composeCells(img: GreyFrame, box: InkBox, em: number, cells: Array<[number, number]>): { image: GreyFrame; spans: Array<[number, number]>; digitCounts: number[] } {
  const pad = Math.round(em * 0.6);
  const gap = Math.max(3, Math.round(em * 0.22));
  const y0 = Math.max(0, Math.round(box.y0 - em * 0.15));
  const y1 = Math.min(img.height - 1, Math.round(box.y1 + em * 0.15));
  const h = y1 - y0 + 1 + 2 * pad;
  const origin = box.x0 - em * 0.04;
  const pieces: Array<{ a: number; b: number; keep: boolean[] }> = [];
  // Digits are half-width: each half-em position of a cell holds one digit or a space, so the
  // positions with ink say how many digits tesseract must return (it sometimes drops a 1).
  const digitCounts: number[] = [];
  for (const [ca, cb] of cells) {
    const a = Math.max(0, Math.round(origin + ca * em - em * 0.04));
    const b = Math.min(img.width - 1, Math.round(origin + cb * em + em * 0.02));
    let inkLevel = box.threshold;
    const isInk = (x: number): boolean => {
      if (x < 0 || x >= img.width) return false;
      let n = 0;
      for (let y = y0; y <= y1; y++) if ((img.data[y * img.width + x] ?? 255) <= inkLevel) n++;
      return n >= 2;
    };
    const segment = (): { inkCols: boolean[]; kept: Array<{ from: number; to: number }>; collided: boolean } => {
      let collidedNow = false;
      const inkCols: boolean[] = [];
      for (let x = a; x <= b; x++) inkCols.push(isInk(x));
      // A run of ink touching the cell's edge is either a neighbouring kanji reaching in (drop it)
      // or a narrow digit such as 1 that the grid placed across the edge (keep it whole): measure
      // the run's full width beyond the edge to tell them apart.
      const runs: Array<{ from: number; to: number }> = [];
      for (let i = 0; i < inkCols.length; i++) {
        if (!inkCols[i]) continue;
        const last = runs[runs.length - 1];
        if (last && i - last.to <= 1) last.to = i;
        else runs.push({ from: i, to: i });
      }
      const fullWidth = (g: { from: number; to: number }): number => {
        let lo = a + g.from;
        let hi = a + g.to;
        while (lo > a - em && isInk(lo - 1)) lo--;
        while (hi < b + em && isInk(hi + 1)) hi++;
        return hi - lo + 1;
      };
      const kept = runs.filter((g) => {
        const touches = g.from <= 0 || g.to >= inkCols.length - 1;
        if (!touches || fullWidth(g) <= em * 0.3) return true;
        // A kanji reaching in leaves a sliver; more ink than that inside the cell means a digit
        // has merged with the kanji (blur): the cell cannot be read safely.
        if (g.to - g.from + 1 > em * 0.12) collidedNow = true;
        return false;
      });
      return { inkCols, kept, collided: collidedNow };
    };
    // A digit blurred into the neighbouring kanji: the bridge is lighter than the strokes, so
    // look again at a darker ink level before giving up on the cell.
    let { inkCols, kept, collided } = segment();
    if (collided) {
      inkLevel = Math.round(box.threshold * 0.8);
      ({ inkCols, kept, collided } = segment());
    }
    const first = kept[0];
    const last = kept[kept.length - 1];
    const cellStart = origin + ca * em;
    const perHalf = new Map<number, number>();
    for (const g of kept) {
      for (let i = g.from; i <= g.to; i++) {
        const half = Math.floor((a + i - cellStart) / (em / 2));
        perHalf.set(half, (perHalf.get(half) ?? 0) + 1);
      }
    }
    digitCounts.push(collided ? -1 : [...perHalf.values()].filter((n) => n >= Math.max(2, Math.round(em * 0.1))).length);
    if (!first || !last) {
      pieces.push({ a, b: a - 1, keep: [] });
      continue;
    }
    // Kept runs are taken whole, even where a narrow digit crosses the cell's edge.
    let from = first.from;
    let to = last.to;
    while (a + from > 0 && from > -Math.round(em * 0.3) && isInk(a + from - 1)) from--;
    while (a + to < img.width - 1 && to < inkCols.length - 1 + Math.round(em * 0.3) && isInk(a + to + 1)) to++;
    from = Math.max(-a, from - 1);
    to = Math.min(img.width - 1 - a, to + 1);
    const keep: boolean[] = [];
    for (let i = from; i <= to; i++) keep.push(i < first.from || i > last.to || kept.some((g) => i >= g.from - 1 && i <= g.to + 1));
    pieces.push({ a: a + from, b: a + to, keep });
  }
  const width = pieces.reduce((s, p) => s + Math.max(0, p.b - p.a + 1) + gap, 2 * pad - gap);
  const out = new Uint8Array(width * h).fill(255);
  const spans: Array<[number, number]> = [];
  let cx = pad;
  for (const p of pieces) {
    const w = Math.max(0, p.b - p.a + 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = p.a; x <= p.b; x++) out[(y - y0 + pad) * width + cx + (x - p.a)] = p.keep[x - p.a] ? (img.data[y * img.width + x] ?? 255) : 255;
    }
    spans.push([cx - gap / 2, cx + w - 1 + gap / 2]);
    cx += w + gap;
  }
  return { image: { width, height: h, data: out }, spans, digitCounts };
}

interface Variant {
  height: number;
  binarise: boolean;
  /** Page segmentation: a text line (7) or a raw line with no layout analysis (13). */
  psm: PSM;
}

/** Preparations of a strip for tesseract, tried in order (its LSTM reads each a little differently). */
const VARIANTS: readonly Variant[] = [
  { height: 64, binarise: true, psm: PSM.SINGLE_LINE },
  { height: 90, binarise: false, psm: PSM.SINGLE_LINE },
  { height: 128, binarise: true, psm: PSM.SINGLE_LINE },
  { height: 48, binarise: true, psm: PSM.SINGLE_LINE },
  { height: 64, binarise: false, psm: PSM.RAW_LINE },
  { height: 90, binarise: true, psm: PSM.RAW_LINE },
];

interface DigitRead {
  /** Digits per span, in order. */
  groups: string[];
  confidence: number;
}

const ERA_NAMES: EraName[] = ERAS.map((e) => e.name);
const TEMPLATE_W = 64;
const TEMPLATE_H = 32;

async function binaryGlyphs(text: string): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90"><rect width="100%" height="100%" fill="#fff"/><text x="8" y="68" font-family="IPAGothic" font-size="64" fill="#000">${text}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true });
  return normaliseGlyphs({ width: info.width, height: info.height, data: new Uint8Array(data) });
}

/** Ink bounding box scaled to TEMPLATE_W×TEMPLATE_H, as 0/1. */
function normaliseGlyphs(img: GreyFrame, threshold?: number): Uint8Array {
  const t = threshold ?? otsuThreshold(img.data);
  let x0 = img.width;
  let x1 = -1;
  let y0 = img.height;
  let y1 = -1;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if ((img.data[y * img.width + x] ?? 255) <= t) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const out = new Uint8Array(TEMPLATE_W * TEMPLATE_H);
  if (x1 < x0) return out;
  for (let y = 0; y < TEMPLATE_H; y++) {
    for (let x = 0; x < TEMPLATE_W; x++) {
      const sx = Math.min(x1, Math.floor(x0 + ((x + 0.5) * (x1 - x0 + 1)) / TEMPLATE_W));
      const sy = Math.min(y1, Math.floor(y0 + ((y + 0.5) * (y1 - y0 + 1)) / TEMPLATE_H));
      out[y * TEMPLATE_W + x] = (img.data[sy * img.width + sx] ?? 255) <= t ? 1 : 0;
    }
  }
  return out;
}

/** Similarity of two binary glyph maps after a 1-pixel tolerance (Dice on dilated maps). */
function similarity(a: Uint8Array, b: Uint8Array): number {
  const dilate = (m: Uint8Array): Uint8Array => {
    const o = new Uint8Array(m.length);
    for (let y = 0; y < TEMPLATE_H; y++) {
      for (let x = 0; x < TEMPLATE_W; x++) {
        let v = 0;
        for (let dy = -1; dy <= 1 && !v; dy++) for (let dx = -1; dx <= 1 && !v; dx++) v = m[(y + dy) * TEMPLATE_W + x + dx] ?? 0;
        o[y * TEMPLATE_W + x] = v;
      }
    }
    return o;
  };
  const da = dilate(a);
  const db = dilate(b);
  let hitA = 0;
  let nA = 0;
  let hitB = 0;
  let nB = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]) {
      nA++;
      if (db[i]) hitA++;
    }
    if (b[i]) {
      nB++;
      if (da[i]) hitB++;
    }
  }
  return nA && nB ? (hitA / nA + hitB / nB) / 2 : 0;
}

export interface CardFaceReaderOptions {
  /** Clock for plausibility checks (years). */
  now?: () => Date;
  /** Confidence needed to present (default PRESENT_CONFIDENCE). */
  presentConfidence?: number;
}

/**
 * The card-face OCR with a warm tesseract worker. `start()` once, `scan()` per image, `stop()` at
 * shutdown (idempotent). Scans run one at a time (one worker).
 */
export class CardFaceReader {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private eraTemplates: Map<EraName, Uint8Array> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private psm: PSM = PSM.SINGLE_LINE;
  private readonly now: () => Date;
  private readonly presentConfidence: number;

  constructor(options: CardFaceReaderOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.presentConfidence = options.presentConfidence ?? PRESENT_CONFIDENCE;
  }

  async start(): Promise<void> {
    // Every card-face image is processed once: libvips' operation cache (sharp's default, up to
    // 50 MB) would only hold native memory that grows the reader's RSS (issue 11 item 8).
    sharp.cache(false);
    await this.ensureWorker();
    if (!this.eraTemplates) {
      const entries = await Promise.all(ERA_NAMES.map(async (n) => [n, await binaryGlyphs(n)] as const));
      this.eraTemplates = new Map(entries);
    }
  }

  private ensureWorker(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    if (!this.starting) {
      const langPath = `${dirname(require.resolve('@tesseract.js-data/eng'))}/4.0.0`;
      this.starting = (async () => {
        const w = await createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' });
        // debug_file: tesseract's own diagnostics (e.g. stats on an empty strip) would go to stdout.
        await w.setParameters({ tessedit_char_whitelist: '0123456789', tessedit_pageseg_mode: PSM.SINGLE_LINE, user_defined_dpi: '300', debug_file: '/dev/null' });
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
    this.psm = PSM.SINGLE_LINE;
    if (w) await w.terminate();
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
    const frame: GreyFrame = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
    let corners;
    try {
      corners = locateCard(frame).corners;
    } catch (err) {
      if (err instanceof CardNotFoundError) return done({ ok: false, reason: 'no-card', confidence: 0 });
      throw err;
    }
    const face = rectify(frame, corners);
    // Orientation: the photo (darkest block) must be upper right, not lower left.
    const mean = (r: Region): number => {
      const c = crop(face, r);
      return c.data.reduce((s, v) => s + v, 0) / c.data.length;
    };
    const upright = mean(REGION.photo);
    const turned = mean({ x0: FACE_WIDTH - REGION.photo.x1, y0: FACE_HEIGHT - REGION.photo.y1, x1: FACE_WIDTH - REGION.photo.x0, y1: FACE_HEIGHT - REGION.photo.y0 });
    if (turned < upright - 25) return done({ ok: false, reason: 'upside-down', confidence: 0 });
    if (upright > turned - 25) return done({ ok: false, reason: 'unreadable', confidence: 0 });

    const birthImg = crop(face, REGION.birth);
    const birthBox = inkBox(birthImg);
    const expiryImg = crop(face, REGION.expiry);
    const expiryBox = inkBox(expiryImg);
    const codeImg = crop(face, REGION.securityCode);
    const codeBox = inkBox(codeImg);
    if (!birthBox || !expiryBox || !codeBox) return done({ ok: false, reason: 'unreadable', confidence: 0 });
    if (Math.min(sharpness(birthImg, birthBox), sharpness(expiryImg, expiryBox), sharpness(codeImg, codeBox)) < MIN_SHARPNESS) {
      return done({ ok: false, reason: 'too-blurred', confidence: 0 });
    }
    const birthEm = (birthBox.x1 - birthBox.x0 + 1) / (BIRTH_EMS - 0.1);
    const expiryEm = (expiryBox.x1 - expiryBox.x0 + 1) / (EXPIRY_EMS - 0.1);
    // Fixed pitch means the line height and the em from the width agree; if not, the line is not what we think.
    if (Math.abs(birthEm - (birthBox.y1 - birthBox.y0 + 1) / 0.9) > birthEm * 0.35) return done({ ok: false, reason: 'unreadable', confidence: 0 });

    const birthCells = composeCells(birthImg, birthBox, birthEm, BIRTH_DIGIT_CELLS);
    const expiryCells = composeCells(expiryImg, expiryBox, expiryEm, [EXPIRY_YEAR_CELL]);
    const codeEm = codeBox.y1 - codeBox.y0 + 1;
    const codeCells = composeCells(codeImg, codeBox, codeEm, [[0, (codeBox.x1 - codeBox.x0 + 1) / codeEm + 0.04]]);

    const birthRead = await this.readField(birthCells.image, birthCells.spans, (g) => g.every((x, i) => /^\d{1,2}$/.test(x) && x.length === birthCells.digitCounts[i]));
    const expiryRead = await this.readField(expiryCells.image, expiryCells.spans, (g) => /^\d{4}$/.test(g[0] ?? '') && expiryCells.digitCounts[0] === 4);
    const codeRead = await this.readField(codeCells.image, codeCells.spans, (g) => /^\d{4}$/.test(g[0] ?? ''));
    const failed = [birthRead, expiryRead, codeRead].find((r) => 'failure' in r);
    if (failed && 'failure' in failed) return done({ ok: false, reason: failed.failure, confidence: 0 });
    const [yy = '', mm = '', dd = ''] = 'groups' in birthRead ? birthRead.groups : [];
    const expiryYear = 'groups' in expiryRead ? (expiryRead.groups[0] ?? '') : '';
    const securityCode = 'groups' in codeRead ? (codeRead.groups[0] ?? '') : '';
    const confidence = Math.min(...[birthRead, expiryRead, codeRead].map((r) => ('confidence' in r ? r.confidence : 0)));
    const two = (s: string): string => s.padStart(2, '0');
    const birth = `${two(yy)}${two(mm)}${two(dd)}`;
    const result = { birth, expiryYear, securityCode, confidence };

    // Plausibility: the era (from its glyphs) makes the date real and in the past; the expiry year
    // lies within a card's life (10 years, plus the grace the issuer allows) of today.
    const era = this.recogniseEra(birthImg, birthBox, birthEm);
    const today = this.now();
    const thisYear = today.getUTCFullYear();
    const y = Number(yy);
    const m = Number(mm);
    const d = Number(dd);
    const todayIso = today.toISOString().slice(0, 10);
    const candidates = (era ? [era] : ERA_NAMES).map((e) => fromEraDate({ era: e, year: y, month: m, day: d })).filter((iso): iso is string => iso !== undefined && iso <= todayIso && Number(iso.slice(0, 4)) >= thisYear - 125);
    const expiry = Number(expiryYear);
    if (!isRealDate(2000, m, d) || candidates.length === 0 || expiry < thisYear - 6 || expiry > thisYear + 11) {
      return done({ ok: false, reason: 'implausible-date', ...result, ...(era ? { era } : {}) });
    }
    if (confidence < this.presentConfidence) return done({ ok: false, reason: 'low-confidence', ...result, ...(era ? { era } : {}) });
    return done({ ok: true, ...result, ...(era ? { era } : {}) });
  }

  /** The era from the first two cells of the birth line, or undefined when no template clearly wins. */
  private recogniseEra(img: GreyFrame, box: InkBox, em: number): EraName | undefined {
    if (!this.eraTemplates) return undefined;
    const x1 = Math.min(img.width - 1, Math.round(box.x0 + 1.96 * em));
    const cell = crop(img, { x0: box.x0, y0: box.y0, x1, y1: box.y1 + 1 });
    const glyphs = normaliseGlyphs(cell, box.threshold);
    const scored = [...this.eraTemplates].map(([name, t]) => ({ name, s: similarity(glyphs, t) })).sort((p, q) => q.s - p.s);
    const [first, second] = scored;
    if (!first || !second || first.s < 0.6 || first.s - second.s < 0.05) return undefined;
    return first.name;
  }

  /**
   * Reads one field from up to six preparations of its strip: accepted as soon as two sure reads
   * (or three reads) agree and none disagrees; any two different well-formed readings make the field inconsistent (a wrong
   * read must never look confident); fewer than two agreeing makes it unreadable.
   */
  private async readField(img: GreyFrame, spans: Array<[number, number]>, wellFormed: (groups: string[]) => boolean): Promise<{ groups: string[]; confidence: number } | { failure: ScanFailure }> {
    if (spans.some(([s0, s1]) => s1 - s0 < 2)) return { failure: 'unreadable' };
    const seen: DigitRead[] = [];
    for (const variant of VARIANTS) {
      const read = await this.readDigits(img, spans, variant);
      if (!wellFormed(read.groups)) continue;
      const key = read.groups.join(',');
      if (seen.some((r) => r.groups.join(',') !== key)) return { failure: 'inconsistent' };
      seen.push(read);
      const confidence = Math.min(...seen.map((r) => r.confidence));
      // Two agreeing sure reads suffice; a less sure pair needs a third to agree (blur turns
      // 6 into 5 or 9 into 3 the same way in two preparations, rarely in three).
      if (seen.length >= 2 && (confidence >= SURE_READ || seen.length >= 3)) return { groups: read.groups, confidence };
    }
    return { failure: 'unreadable' };
  }

  /** One tesseract pass over a composed strip; digits are assigned to spans by their centre. */
  private async readDigits(img: GreyFrame, spans: Array<[number, number]>, variant: Variant): Promise<DigitRead> {
    const worker = await this.ensureWorker();
    if (this.psm !== variant.psm) {
      await worker.setParameters({ tessedit_pageseg_mode: variant.psm });
      this.psm = variant.psm;
    }
    const targetHeight = variant.height;
    const scale = targetHeight / img.height;
    let pipeline = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 1 } })
      .resize(Math.round(img.width * scale), targetHeight, { kernel: 'cubic' })
      .normalise();
    if (variant.binarise) pipeline = pipeline.threshold(150);
    const png = await pipeline.png().toBuffer();
    const { data } = await worker.recognize(png, {}, { text: true, blocks: true });
    const groups = spans.map(() => '');
    let minConf = spans.length > 0 ? 100 : 0;
    const seen = spans.map(() => false);
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const line of para.lines) {
          for (const word of line.words) {
            for (const sym of word.symbols) {
              if (!/^\d$/.test(sym.text)) continue;
              const cx = (sym.bbox.x0 + sym.bbox.x1) / 2 / scale;
              const i = spans.findIndex(([s0, s1]) => cx >= s0 && cx <= s1);
              if (i < 0) continue;
              groups[i] += sym.text;
              seen[i] = true;
              minConf = Math.min(minConf, sym.confidence);
            }
          }
        }
      }
    }
    if (seen.some((s) => !s)) minConf = 0;
    return { groups, confidence: Math.max(0, minConf) / 100 };
  }
}
