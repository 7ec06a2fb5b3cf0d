/**
 * The card face as paddleocr's `Image`, with its pixel work done on one channel (issue 13,
 * speed). The face is grey (ocr-image.ts), so paddleocr's three RGB channels are three copies of
 * one plane, and its generic per-channel loops — the detector's bilinear resize and tensor fill,
 * each line's cubic-sampled perspective crop, resize and tensor — did the same arithmetic three
 * times with a small allocation per pixel: ~115 ms of a ~400 ms scan (docs/card-face.md, "Where
 * the time goes now (session 15)").
 *
 * Every override computes exactly what paddleocr 1.2.0's own method computes — the same
 * expressions in the same order, in doubles, rounded and clamped as it does — once per pixel
 * instead of once per channel, so the detector and the recogniser see bit-identical tensors and
 * every decision measured before holds unchanged. The test holds this against paddleocr's own
 * `Image` on the reader's faces and on random images (test/card-face/paddle-grey-image.test.ts);
 * a paddleocr upgrade that changes its arithmetic turns that test red. Each image also has a true
 * RGB `data` (built when first read), so a method not overridden here (paddleocr's padding of
 * tiny images, its 180° turn) still works, at paddleocr's own speed.
 */
import { Image } from 'paddleocr';

type Point = { x: number; y: number };
type Quad = [Point, Point, Point, Point];
type TensorOptions = Parameters<Image['tensor']>[0];
type ResizeOptions = Parameters<Image['resize']>[0];
type CropOptions = Parameters<Image['crop']>[0];

function rgbOf(grey: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(grey.length * 3);
  for (let i = 0, j = 0; i < grey.length; i++, j += 3) {
    const v = grey[i] as number;
    rgb[j] = v;
    rgb[j + 1] = v;
    rgb[j + 2] = v;
  }
  return rgb;
}

function clamp(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, v));
}

export class PaddleGreyImage extends Image {
  /** The one plane the three channels repeat. */
  readonly grey: Uint8Array;

  constructor(width: number, height: number, grey: Uint8Array) {
    if (grey.length !== width * height) throw new RangeError(`grey plane of ${grey.length} bytes for ${width}×${height}`);
    // paddleocr's constructor stores `data` as an own property; it is replaced by a read-only one
    // built on first use (no method here reads it: the interleaved copy is only for paddleocr's
    // own methods). The image is never drawn on (paddleocr's `rect`), so the copy cannot drift.
    super(width, height, 3, new Uint8Array(0));
    this.grey = grey;
    let rgb: Uint8Array | undefined;
    Object.defineProperty(this, 'data', { enumerable: true, get: () => (rgb ??= rgbOf(grey)) });
  }

  /** paddleocr's `resizeBilinear` (half-pixel centres, edge clamped, rounded); its triangle filter is left to it. */
  override resize(options: ResizeOptions): Image {
    if (options.filter === 'triangle') return super.resize(options);
    let { width, height } = options;
    if (width === undefined && height === undefined) throw new Error('At least one of width or height must be specified');
    if (width === undefined) width = Math.round(this.width * ((height ?? this.height) / this.height));
    if (height === undefined) height = Math.round(this.height * (width / this.width));
    if (!Number.isInteger(width) || width <= 0) throw new Error(`Invalid resize width: ${width}. Expected a positive integer.`);
    if (!Number.isInteger(height) || height <= 0) throw new Error(`Invalid resize height: ${height}. Expected a positive integer.`);
    const srcW = this.width;
    const srcH = this.height;
    const src = this.grey;
    const out = new Uint8Array(width * height);
    const scaleX = srcW / width;
    const scaleY = srcH / height;
    // The column weights are the same on every row: computed once.
    const x1s = new Int32Array(width);
    const x2s = new Int32Array(width);
    const xWeights = new Float64Array(width);
    for (let x = 0; x < width; x++) {
      const sourceX = (x + 0.5) * scaleX - 0.5;
      let x1 = Math.floor(sourceX);
      let xWeight = sourceX - x1;
      if (x1 < 0) {
        x1 = 0;
        xWeight = 0;
      } else if (x1 >= srcW - 1) {
        x1 = srcW - 1;
        xWeight = 0;
      }
      x1s[x] = x1;
      x2s[x] = clamp(x1 + 1, 0, srcW - 1);
      xWeights[x] = xWeight;
    }
    for (let y = 0; y < height; y++) {
      const sourceY = (y + 0.5) * scaleY - 0.5;
      let y1 = Math.floor(sourceY);
      let yWeight = sourceY - y1;
      if (y1 < 0) {
        y1 = 0;
        yWeight = 0;
      } else if (y1 >= srcH - 1) {
        y1 = srcH - 1;
        yWeight = 0;
      }
      const y2 = clamp(y1 + 1, 0, srcH - 1);
      const row1 = y1 * srcW;
      const row2 = y2 * srcW;
      const rowOut = y * width;
      for (let x = 0; x < width; x++) {
        const x1 = x1s[x] as number;
        const x2 = x2s[x] as number;
        const xWeight = xWeights[x] as number;
        const top = (src[row1 + x1] as number) * (1 - xWeight) + (src[row1 + x2] as number) * xWeight;
        const bottom = (src[row2 + x1] as number) * (1 - xWeight) + (src[row2 + x2] as number) * xWeight;
        out[rowOut + x] = Math.round(clamp(top * (1 - yWeight) + bottom * yWeight, 0, 255));
      }
    }
    return new PaddleGreyImage(width, height, out);
  }

  /** paddleocr's `tensor`: planar CHW, `value · norm[c] − mean[c] · norm[c]` (the channel order cannot matter: the channels are equal). */
  override tensor(options: TensorOptions): Float32Array {
    const mean = options.mean_values;
    const norm = options.norm_values;
    const plane = this.width * this.height;
    const tensor = new Float32Array(plane * 3);
    for (let c = 0; c < 3; c++) {
      const scale = norm[c] as number;
      const offset = (mean[c] as number) * scale;
      // The same expression per grey level as paddleocr's per pixel: a table of 256 values.
      const table = new Float32Array(256);
      for (let v = 0; v < 256; v++) table[v] = v * scale - offset;
      const base = c * plane;
      for (let i = 0; i < plane; i++) tensor[base + i] = table[this.grey[i] as number] as number;
    }
    return tensor;
  }

  /** paddleocr's `crop` of an axis-aligned box. */
  override crop(options: CropOptions): Image {
    const { x, y, width, height } = options;
    if (x < 0 || y < 0 || x + width > this.width || y + height > this.height) throw new Error('Crop area is out of bounds');
    const out = new Uint8Array(width * height);
    for (let j = 0; j < height; j++) out.set(this.grey.subarray((y + j) * this.width + x, (y + j) * this.width + x + width), j * width);
    return new PaddleGreyImage(width, height, out);
  }

  /**
   * paddleocr's `cropRotated`: the quad (clockwise from top-left) sampled through the perspective
   * map from the crop's corners onto it, bicubic (a = −0.75), a tall crop turned upright.
   */
  override cropRotated(points: Quad): Image {
    const width = Math.max(Math.floor(distance(points[0], points[1])), Math.floor(distance(points[2], points[3])), 1);
    const height = Math.max(Math.floor(distance(points[0], points[3])), Math.floor(distance(points[1], points[2])), 1);
    const m = perspectiveMap(
      [
        { x: 0, y: 0 },
        { x: width, y: 0 },
        { x: width, y: height },
        { x: 0, y: height },
      ],
      points,
    );
    const out = new Uint8Array(width * height);
    const src = this.grey;
    const srcW = this.width;
    const maxX = this.width - 1;
    const maxY = this.height - 1;
    const cx = new Float64Array(4);
    const cy = new Float64Array(4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const denominator = m[6] * x + m[7] * y + m[8];
        let sx = 0;
        let sy = 0;
        if (!(Math.abs(denominator) < Number.EPSILON)) {
          sx = (m[0] * x + m[1] * y + m[2]) / denominator;
          sy = (m[3] * x + m[4] * y + m[5]) / denominator;
        }
        const baseX = Math.floor(sx);
        const baseY = Math.floor(sy);
        cubicCoefficients(sx - baseX, cx);
        cubicCoefficients(sy - baseY, cy);
        let value = 0;
        for (let ky = 0; ky < 4; ky++) {
          const row = clamp(baseY + ky - 1, 0, maxY) * srcW;
          const wy = cy[ky] as number;
          for (let kx = 0; kx < 4; kx++) {
            const pixel = src[row + clamp(baseX + kx - 1, 0, maxX)] as number;
            value += pixel * (cx[kx] as number) * wy;
          }
        }
        out[y * width + x] = Math.round(clamp(value, 0, 255));
      }
    }
    const crop = new PaddleGreyImage(width, height, out);
    return height / width >= 1.5 ? crop.rotateCounterClockwise() : crop;
  }

  /** paddleocr's `rotateCounterClockwise`. */
  override rotateCounterClockwise(): Image {
    const w = this.width;
    const h = this.height;
    const out = new Uint8Array(w * h);
    // Rotated: h wide, w high; its (x, y) is the source's (w − 1 − y, x).
    for (let y = 0; y < w; y++) for (let x = 0; x < h; x++) out[y * h + x] = this.grey[x * w + (w - 1 - y)] as number;
    return new PaddleGreyImage(h, w, out);
  }
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Keys' bicubic weights for a fractional offset (a = −0.75, paddleocr's and OpenCV's). */
function cubicCoefficients(t: number, out: Float64Array): void {
  const a = -0.75;
  const t1 = t + 1;
  const t2 = 1 - t;
  const c0 = ((a * t1 - 5 * a) * t1 + 8 * a) * t1 - 4 * a;
  const c1 = ((a + 2) * t - (a + 3)) * t * t + 1;
  const c2 = ((a + 2) * t2 - (a + 3)) * t2 * t2 + 1;
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = 1 - c0 - c1 - c2;
}

/**
 * The homography taking `from[i]` to `to[i]`, h33 = 1: the 8×8 system solved by Gauss–Jordan
 * elimination with partial pivoting, the rows and operations in paddleocr's order (so its
 * coefficients, and the crop's pixels, are bit-identical).
 */
function perspectiveMap(from: Quad, to: Quad): [number, number, number, number, number, number, number, number, number] {
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const s = from[i] as Point;
    const d = to[i] as Point;
    rows.push([s.x, s.y, 1, 0, 0, 0, -s.x * d.x, -s.y * d.x, d.x]);
    rows.push([0, 0, 0, s.x, s.y, 1, -s.x * d.y, -s.y * d.y, d.y]);
  }
  const n = 8;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs((rows[r] as number[])[col] as number) > Math.abs((rows[pivot] as number[])[col] as number)) pivot = r;
    if (Math.abs((rows[pivot] as number[])[col] as number) < Number.EPSILON) throw new Error('Cannot calculate perspective transform from degenerate points');
    if (pivot !== col) [rows[col], rows[pivot]] = [rows[pivot] as number[], rows[col] as number[]];
    const p = rows[col] as number[];
    const pv = p[col] as number;
    for (let e = col; e <= n; e++) p[e] = (p[e] as number) / pv;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = rows[r] as number[];
      const f = row[col] as number;
      for (let e = col; e <= n; e++) row[e] = (row[e] as number) - f * (p[e] as number);
    }
  }
  const c = rows.map((row) => row[n] as number);
  return [c[0] as number, c[1] as number, c[2] as number, c[3] as number, c[4] as number, c[5] as number, c[6] as number, c[7] as number, 1];
}
