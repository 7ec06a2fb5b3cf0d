/**
 * Image preparation for the card-face OCR (issue 12 item 3): the enlarged page, line crops in
 * several preparations (scaled, light print whitened, binarised with Otsu's threshold), and the
 * mean brightness of a box (the photo is the face's darkest block). Pixels only, in memory: a card
 * face never touches the disk (SPEC §5.1).
 */
import sharp from 'sharp';
import { PSM } from 'tesseract.js';
import { rectify, type GreyFrame } from './locate';
import type { Point } from './geometry';

/** The rectified face is enlarged by this much for tesseract (its LSTM likes ~20–30 px glyphs). */
const PAGE_SCALE = 1.5;

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A line-crop preparation for the re-reads. */
export interface Preparation {
  /** Crop height in px after scaling. */
  height: number;
  binarise: boolean;
  psm: PSM;
  /**
   * Widen the crop by this factor after scaling (default 1): tesseract reads two narrow 1s of a
   * blurred serif line as one glyph (`11月` → `昌月`, `1月`); widened by a quarter they part
   * (tuning seed 1, samples 5, 35, 53, 104).
   */
  stretch?: number;
  /** tesseract may only answer with the glyphs a date line holds (`DATE_GLYPHS`); for the dates. */
  dateGlyphsOnly?: boolean;
}

export const REREADS: readonly Preparation[] = [
  { height: 56, binarise: false, psm: PSM.SINGLE_LINE },
  { height: 80, binarise: true, psm: PSM.SINGLE_LINE },
  { height: 68, binarise: false, psm: PSM.RAW_LINE },
  { height: 96, binarise: false, psm: PSM.SINGLE_LINE },
  { height: 76, binarise: true, psm: PSM.RAW_LINE },
  { height: 64, binarise: true, psm: PSM.SINGLE_LINE },
];

/**
 * The third engine's reads (ocr-engine.ts `ConfirmingTesseract`), once the LSTM's first read and
 * PaddleOCR's crop read did not settle a field: four of the LSTM's preparations.
 */
export const THIRD_ENGINE_REREADS: readonly Preparation[] = [
  { height: 56, binarise: false, psm: PSM.SINGLE_LINE },
  { height: 80, binarise: true, psm: PSM.SINGLE_LINE },
  { height: 96, binarise: false, psm: PSM.SINGLE_LINE },
  { height: 64, binarise: true, psm: PSM.SINGLE_LINE },
];

/**
 * Read after REREADS when they did not settle a field: the crop widened by 1.25–1.6 and read with
 * only a date line's glyphs allowed (unrestricted, a widened 年 reads as 全 or 和人年); their
 * digits vote (printed-fields.ts `parseDateDigits`). The two raw-line modes are left out: widened,
 * they read neither 1 right on the tuning faces.
 */
export const WIDENED_REREADS: readonly Preparation[] = [1.25, 1.4, 1.6].flatMap((stretch) => [
  { height: 56, binarise: false, psm: PSM.SINGLE_LINE, stretch, dateGlyphsOnly: true },
  { height: 80, binarise: true, psm: PSM.SINGLE_LINE, stretch, dateGlyphsOnly: true },
  { height: 96, binarise: false, psm: PSM.SINGLE_LINE, stretch, dateGlyphsOnly: true },
  { height: 64, binarise: true, psm: PSM.SINGLE_LINE, stretch, dateGlyphsOnly: true },
]);

/**
 * The grey level below which the given share of a box's pixels lie (every second pixel and row,
 * as `meanOf`): `share` 0.5 is the median, 0.1 the darkest tenth's upper edge.
 */
export function levelOf(face: GreyFrame, b: Box, share: number): number {
  const x0 = Math.max(0, Math.round(b.x0));
  const x1 = Math.min(face.width - 1, Math.round(b.x1));
  const y0 = Math.max(0, Math.round(b.y0));
  const y1 = Math.min(face.height - 1, Math.round(b.y1));
  if (x1 <= x0 || y1 <= y0) return 255;
  const counts = new Array<number>(256).fill(0);
  let n = 0;
  for (let y = y0; y <= y1; y += 2) {
    for (let x = x0; x <= x1; x += 2) {
      const v = face.grey[y * face.width + x] ?? 255;
      counts[v] = (counts[v] ?? 0) + 1;
      n++;
    }
  }
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += counts[v] ?? 0;
    if (seen > share * n) return v;
  }
  return 255;
}

/** Every glyph a printed date line can hold: digits, 年月日, 生 or まで有効, the era names and 元. */
export const DATE_GLYPHS = '0123456789年月日生まで有効明治大正昭和平成令元';

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

export function meanOf(face: GreyFrame, b: Box): number {
  const x0 = Math.max(0, Math.round(b.x0));
  const x1 = Math.min(face.width - 1, Math.round(b.x1));
  const y0 = Math.max(0, Math.round(b.y0));
  const y1 = Math.min(face.height - 1, Math.round(b.y1));
  if (x1 <= x0 || y1 <= y0) return 255;
  let s = 0;
  let n = 0;
  for (let y = y0; y <= y1; y += 2) {
    for (let x = x0; x <= x1; x += 2) {
      s += face.grey[y * face.width + x] ?? 255;
      n++;
    }
  }
  return s / n;
}

/** The card found at `corners` as the OCR's page: rectified straight to the enlarged size (`PAGE_SCALE`). */
export function ocrPage(frame: GreyFrame, corners: readonly Point[], rotate180 = false): GreyFrame {
  return rectify(frame, corners, rotate180, PAGE_SCALE);
}

/** The pixels of a box of the face (whole pixels: the box's edges rounded outwards from its origin). */
function cropOf(img: GreyFrame, box: Box): GreyFrame {
  const left = Math.max(0, Math.floor(box.x0));
  const top = Math.max(0, Math.floor(box.y0));
  const width = Math.max(1, Math.min(img.width - left, Math.ceil(box.x1 - left)));
  const height = Math.max(1, Math.min(img.height - top, Math.ceil(box.y1 - top)));
  const grey = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) grey.set(img.grey.subarray((top + y) * img.width + left, (top + y) * img.width + left + width), y * width);
  return { width, height, grey };
}

async function resized(img: GreyFrame, size: { width?: number; height: number; fill?: boolean }): Promise<GreyFrame> {
  const { data, info } = await sharp(Buffer.from(img.grey.buffer, img.grey.byteOffset, img.grey.length), { raw: { width: img.width, height: img.height, channels: 1 } })
    .resize({ ...size, ...(size.fill ? { fit: 'fill' as const } : {}), kernel: 'cubic' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, grey: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
}

/**
 * A line crop in one preparation, as pixels: scaled to the preparation's height (libvips' cubic
 * kernel), widened, the light print whitened, binarised. One libvips call per resize and the rest
 * in JS: each libvips call is a round trip through the event loop, which the recogniser holds
 * ~20 ms at a time while it reads the page's other lines (a crop of three round trips started its
 * re-read three lines late). The pixels are those of the PNG pipeline they replace (session 9):
 * the crop is whole pixels either way.
 */
export async function preparedCrop(img: GreyFrame, box?: Box, prep?: Preparation): Promise<GreyFrame> {
  if (!box) return img;
  let out = cropOf(img, box);
  if (!prep) return out;
  out = await resized(out, { height: prep.height });
  if (prep.stretch && prep.stretch !== 1) out = await resized(out, { width: Math.round(out.width * prep.stretch), height: out.height, fill: true });
  // Whiten the tinted band and the light security print behind the text: map the ink level
  // to black and anything lighter than halfway to the paper to white.
  const sorted = Uint8Array.from(out.grey).sort();
  const ink = sorted[Math.floor(sorted.length * 0.03)] ?? 0;
  const paper = sorted[Math.floor(sorted.length * 0.6)] ?? 255;
  const white = ink + 0.6 * (paper - ink);
  if (white - ink > 8) {
    const g = new Uint8Array(out.grey.length);
    for (let k = 0; k < g.length; k++) g[k] = Math.max(0, Math.min(255, Math.round((((out.grey[k] ?? 255) - ink) / (white - ink)) * 255)));
    out = { ...out, grey: g };
  }
  if (prep.binarise) {
    // Otsu's threshold t: what libvips' threshold(t + 1) did, ≥ t + 1 → white.
    const t = otsu(out.grey);
    out = { ...out, grey: out.grey.map((v) => (v >= t + 1 ? 255 : 0)) };
  }
  return out;
}

/** A grey image as a binary PGM (P5), which tesseract's Leptonica reads with no decoding work. */
export function toPgm(img: GreyFrame): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, 'ascii'), Buffer.from(img.grey.buffer, img.grey.byteOffset, img.width * img.height)]);
}

/** A crop of the face in one preparation, as an image file for tesseract. */
export async function toOcrImage(img: GreyFrame, box?: Box, prep?: Preparation): Promise<Buffer> {
  return toPgm(await preparedCrop(img, box, prep));
}
