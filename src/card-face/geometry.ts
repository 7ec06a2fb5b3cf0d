/**
 * Plane geometry for the card-face path: a homography from four point pairs, and a bilinear
 * resampler over 8-bit raw images (1 or 3 channels). The rig uses it to put a card in perspective;
 * the reader uses it to bring the card back to its 856×540 frame before cropping fields.
 */
export interface Point {
  x: number;
  y: number;
}

/** 3×3 homography, row-major, h[8] = 1. */
export type Homography = [number, number, number, number, number, number, number, number, number];

/** Solves the homography mapping each `from[i]` to `to[i]` (Gaussian elimination, 8×8). */
export function homography(from: readonly Point[], to: readonly Point[]): Homography {
  if (from.length !== 4 || to.length !== 4) throw new RangeError('four point pairs needed');
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const f = from[i] as Point;
    const t = to[i] as Point;
    a.push([f.x, f.y, 1, 0, 0, 0, -f.x * t.x, -f.y * t.x, t.x]);
    a.push([0, 0, 0, f.x, f.y, 1, -f.x * t.y, -f.y * t.y, t.y]);
  }
  for (let c = 0; c < 8; c++) {
    let pivot = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs((a[r] as number[])[c] as number) > Math.abs((a[pivot] as number[])[c] as number)) pivot = r;
    [a[c], a[pivot]] = [a[pivot] as number[], a[c] as number[]];
    const row = a[c] as number[];
    const pv = row[c] as number;
    if (Math.abs(pv) < 1e-12) throw new RangeError('degenerate quadrilateral');
    for (let k = c; k < 9; k++) row[k] = (row[k] as number) / pv;
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const other = a[r] as number[];
      const factor = other[c] as number;
      if (factor === 0) continue;
      for (let k = c; k < 9; k++) other[k] = (other[k] as number) - factor * (row[k] as number);
    }
  }
  const h = a.map((r) => r[8] as number);
  return [h[0] ?? 0, h[1] ?? 0, h[2] ?? 0, h[3] ?? 0, h[4] ?? 0, h[5] ?? 0, h[6] ?? 0, h[7] ?? 0, 1];
}

export function apply(h: Homography, p: Point): Point {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}

export interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/**
 * Output pixel (x, y) takes the source at `dstToSrc(x, y)` (bilinear); outside the source,
 * `fill(x, y, channel)` decides.
 */
export function warp(src: RawImage, width: number, height: number, dstToSrc: Homography, fill: (x: number, y: number, c: number) => number): RawImage {
  const ch = src.channels;
  const out = new Uint8Array(width * height * ch);
  const sw = src.width;
  const sh = src.height;
  const d = src.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = dstToSrc[6] * x + dstToSrc[7] * y + dstToSrc[8];
      const sx = (dstToSrc[0] * x + dstToSrc[1] * y + dstToSrc[2]) / w;
      const sy = (dstToSrc[3] * x + dstToSrc[4] * y + dstToSrc[5]) / w;
      const o = (y * width + x) * ch;
      if (sx < 0 || sy < 0 || sx > sw - 1 || sy > sh - 1) {
        for (let c = 0; c < ch; c++) out[o + c] = fill(x, y, c);
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, sw - 1);
      const y1 = Math.min(y0 + 1, sh - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < ch; c++) {
        const p00 = d[(y0 * sw + x0) * ch + c] ?? 0;
        const p10 = d[(y0 * sw + x1) * ch + c] ?? 0;
        const p01 = d[(y1 * sw + x0) * ch + c] ?? 0;
        const p11 = d[(y1 * sw + x1) * ch + c] ?? 0;
        out[o + c] = Math.round((p00 * (1 - fx) + p10 * fx) * (1 - fy) + (p01 * (1 - fx) + p11 * fx) * fy);
      }
    }
  }
  return { width, height, channels: ch, data: out };
}

/**
 * `warp` for one 8-bit channel with a constant fill, written for speed (issue 13, scan time): the
 * reader rectifies every card face at its OCR size (1284×810, a million pixels) in one pass. Per
 * pixel one reciprocal instead of two divisions, no callback, no channel loop: ~2× `warp`'s
 * speed. The same sampling; the blend is factored differently, so a pixel may round one grey
 * level apart (`geometry.test.ts`).
 */
export function warpGrey(src: { width: number; height: number; grey: Uint8Array }, width: number, height: number, dstToSrc: Homography, fill: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const sw = src.width;
  const d = src.grey;
  const xmax = src.width - 1;
  const ymax = src.height - 1;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = dstToSrc;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const ax = h1 * y + h2;
    const ay = h4 * y + h5;
    const aw = h7 * y + h8;
    for (let x = 0; x < width; x++, o++) {
      const r = 1 / (h6 * x + aw);
      const sx = (h0 * x + ax) * r;
      const sy = (h3 * x + ay) * r;
      if (!(sx >= 0 && sy >= 0 && sx <= xmax && sy <= ymax)) {
        out[o] = fill;
        continue;
      }
      const x0 = sx | 0;
      const y0 = sy | 0;
      const i = y0 * sw + x0;
      const dx = x0 < xmax ? 1 : 0;
      const dy = y0 < ymax ? sw : 0;
      const fx = sx - x0;
      const p00 = d[i] as number;
      const p10 = d[i + dx] as number;
      const p01 = d[i + dy] as number;
      const p11 = d[i + dy + dx] as number;
      const top = p00 + (p10 - p00) * fx;
      const bottom = p01 + (p11 - p01) * fx;
      out[o] = (top + (bottom - top) * (sy - y0) + 0.5) | 0;
    }
  }
  return out;
}
