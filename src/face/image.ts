/** Small pixel helpers shared by the pipeline (no I/O; frames never touch the disk). */
import type { RgbFrame } from '../devices/camera/frame';

import type { GreyImage } from '../imaging/grey-image';

export type { GreyImage } from '../imaging/grey-image';

export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export type AnyImage = RgbImage | RgbFrame | GreyImage;

export function isGrey(img: AnyImage): img is GreyImage {
  return 'grey' in img;
}

/** The card photo is greyscale: replicate it into three channels for the RGB models. */
export function toRgb(img: AnyImage): RgbImage {
  if (!isGrey(img)) return { width: img.width, height: img.height, rgb: img.rgb };
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.grey.length; i++) {
    const v = img.grey[i] ?? 0;
    rgb[i * 3] = v;
    rgb[i * 3 + 1] = v;
    rgb[i * 3 + 2] = v;
  }
  return { width: img.width, height: img.height, rgb };
}

/** ITU-R BT.601 luma of an RGB image. */
export function toGrey(img: AnyImage): GreyImage {
  if (isGrey(img)) return img;
  const n = img.width * img.height;
  const grey = new Uint8Array(n);
  const rgb = img.rgb;
  for (let i = 0; i < n; i++) {
    grey[i] = Math.round(0.299 * (rgb[i * 3] ?? 0) + 0.587 * (rgb[i * 3 + 1] ?? 0) + 0.114 * (rgb[i * 3 + 2] ?? 0));
  }
  return { width: img.width, height: img.height, grey };
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Mean luma inside a box (clipped to the image). */
export function meanLuma(img: GreyImage, box: Box): number {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height));
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      sum += img.grey[y * img.width + x] ?? 0;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/**
 * Sharpness of a region: variance of the 4-neighbour Laplacian, sampled on a grid so a large face
 * costs the same as a small one (about 96×96 samples). Motion blur and defocus lower it.
 */
export function laplacianVariance(img: GreyImage, box: Box): number {
  const x0 = Math.max(1, Math.floor(box.x));
  const y0 = Math.max(1, Math.floor(box.y));
  const x1 = Math.min(img.width - 1, Math.ceil(box.x + box.width));
  const y1 = Math.min(img.height - 1, Math.ceil(box.y + box.height));
  // Step so that ~96 samples span the face; Laplacian taps at the same step (scale-normalised).
  const step = Math.max(1, Math.floor(Math.min(x1 - x0, y1 - y0) / 96));
  const at = (x: number, y: number): number => img.grey[y * img.width + x] ?? 0;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = y0 + step; y < y1 - step; y += step) {
    for (let x = x0 + step; x < x1 - step; x += step) {
      const l = at(x - step, y) + at(x + step, y) + at(x, y - step) + at(x, y + step) - 4 * at(x, y);
      sum += l;
      sumSq += l * l;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * The better cosine of like preparations: `a` and `b` are descriptors of `part` values per
 * preparation, end to end, in the same order; each part is compared with its counterpart only
 * (a globally equalised crop's descriptor with another's, a CLAHE one's with another's), never
 * across. A descriptor of one part is compared as plain cosine.
 */
export function bestCosine(a: ArrayLike<number>, b: ArrayLike<number>, part: number): number {
  const parts = Math.floor(Math.min(a.length, b.length) / part);
  if (parts <= 1) return cosineSimilarity(a, b);
  let best = -1;
  for (let k = 0; k < parts; k++) {
    const of = (v: ArrayLike<number>): ArrayLike<number> => (v instanceof Float32Array ? v.subarray(k * part, (k + 1) * part) : Array.from({ length: part }, (_, i) => v[k * part + i] ?? 0));
    best = Math.max(best, cosineSimilarity(of(a), of(b)));
  }
  return best;
}

/**
 * Skin-coloured fraction of a region (Kovač et al. daylight rule, which holds for a wide range of
 * skin tones under normal light): used to notice a mask, which hides the skin of the lower face.
 */
export function skinFraction(img: RgbImage, box: Box): number {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height));
  let skin = 0;
  let n = 0;
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const i = (y * img.width + x) * 3;
      const r = img.rgb[i] ?? 0;
      const g = img.rgb[i + 1] ?? 0;
      const b = img.rgb[i + 2] ?? 0;
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      if (r > 95 && g > 40 && b > 20 && max - min > 15 && Math.abs(r - g) > 15 && r > g && r > b) skin++;
      n++;
    }
  }
  return n === 0 ? 0 : skin / n;
}

/**
 * Skin fractions of the cheek band and of the mouth-and-chin band of a face box. A mask leaves
 * the first and removes the second; a grey image has no skin colour at all (both 0).
 */
export function faceSkinBands(img: RgbImage, face: Box): { upper: number; lower: number } {
  const band = (top: number, bottom: number): Box => ({ x: face.x + face.width * 0.25, y: face.y + face.height * top, width: face.width * 0.5, height: face.height * (bottom - top) });
  return { upper: skinFraction(img, band(0.3, 0.5)), lower: skinFraction(img, band(0.62, 0.85)) };
}
