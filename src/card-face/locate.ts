/**
 * Finds the card in a camera frame and brings it back to the 856×540 frame of the printed face
 * (SPEC §5.1 layout). The card is the large bright rounded rectangle on the darker tray: a
 * two-class threshold (Otsu, biased toward the card so a glare spot on the tray stays out), the
 * largest bright component, its four extreme points as a first guess, then a line fitted to each
 * edge (so the rounded corners and the tilt do not bias the corners) and intersected.
 */
import type { GreyImage } from '../imaging/grey-image';
import { homography, warpGrey, type Point, type Homography } from './geometry';

export const FACE_WIDTH = 856;
export const FACE_HEIGHT = 540;

/** The card-face pipeline's frame: the product's one grey image type. */
export type GreyFrame = GreyImage;

export class CardNotFoundError extends Error {
  constructor(readonly why: string) {
    super(`card not found in the image: ${why}`);
    this.name = 'CardNotFoundError';
  }
}

function otsu(data: Uint8Array): { threshold: number; darkMean: number; brightMean: number } {
  const hist = new Array<number>(256).fill(0);
  for (const v of data) hist[v] = (hist[v] ?? 0) + 1;
  const total = data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * (hist[i] ?? 0);
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t] ?? 0;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] ?? 0);
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  let dark = 0;
  let darkN = 0;
  for (let i = 0; i <= threshold; i++) {
    dark += i * (hist[i] ?? 0);
    darkN += hist[i] ?? 0;
  }
  const brightN = total - darkN;
  return { threshold, darkMean: darkN ? dark / darkN : 0, brightMean: brightN ? (sum - dark) / brightN : 255 };
}

/** Largest 4-connected bright component on a coarse grid; returns its cells' mask at grid scale. */
function largestComponent(mask: Uint8Array, w: number, h: number): { cells: Uint8Array; count: number } {
  const label = new Int32Array(w * h).fill(-1);
  let bestId = -1;
  let bestCount = 0;
  const stack: number[] = [];
  let id = 0;
  for (let i = 0; i < w * h; i++) {
    if (!mask[i] || label[i] !== -1) continue;
    let count = 0;
    stack.push(i);
    label[i] = id;
    while (stack.length > 0) {
      const p = stack.pop() as number;
      count++;
      const x = p % w;
      const y = (p - x) / w;
      const n = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1];
      for (const q of n) {
        if (q >= 0 && mask[q] && label[q] === -1) {
          label[q] = id;
          stack.push(q);
        }
      }
    }
    if (count > bestCount) {
      bestCount = count;
      bestId = id;
    }
    id++;
  }
  const cells = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) if (label[i] === bestId) cells[i] = 1;
  return { cells, count: bestCount };
}

interface Line {
  /** Point on the line and unit direction. */
  px: number;
  py: number;
  dx: number;
  dy: number;
}

function fitLine(points: Point[]): Line | undefined {
  if (points.length < 5) return undefined;
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p.x;
    my += p.y;
  }
  mx /= points.length;
  my /= points.length;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  return { px: mx, py: my, dx: Math.cos(angle), dy: Math.sin(angle) };
}

function intersect(a: Line, b: Line): Point | undefined {
  const det = a.dx * -b.dy - a.dy * -b.dx;
  if (Math.abs(det) < 1e-9) return undefined;
  const rx = b.px - a.px;
  const ry = b.py - a.py;
  const t = (rx * -b.dy - ry * -b.dx) / det;
  return { x: a.px + t * a.dx, y: a.py + t * a.dy };
}

export interface LocatedCard {
  /** Corners in the frame: top-left, top-right, bottom-right, bottom-left of the card as it lies. */
  corners: [Point, Point, Point, Point];
  threshold: number;
}

export function locateCard(frame: GreyFrame): LocatedCard {
  const { width, height, grey: data } = frame;
  const stats = otsu(data);
  if (stats.brightMean - stats.darkMean < 40) throw new CardNotFoundError('no contrast between card and tray');
  const t = stats.darkMean + 0.62 * (stats.brightMean - stats.darkMean);
  const step = 4;
  const gw = Math.floor(width / step);
  const gh = Math.floor(height / step);
  const coarse = new Uint8Array(gw * gh);
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) coarse[y * gw + x] = (data[(y * step + 2) * width + x * step + 2] ?? 0) > t ? 1 : 0;
  }
  const { cells, count } = largestComponent(coarse, gw, gh);
  if (count < gw * gh * 0.08) throw new CardNotFoundError('no card-sized bright region');
  let tl = { x: 0, y: 0, v: Infinity };
  let br = { x: 0, y: 0, v: -Infinity };
  let tr = { x: 0, y: 0, v: -Infinity };
  let bl = { x: 0, y: 0, v: Infinity };
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      if (!cells[y * gw + x]) continue;
      const s = x + y;
      const d = x - y;
      if (s < tl.v) tl = { x, y, v: s };
      if (s > br.v) br = { x, y, v: s };
      if (d > tr.v) tr = { x, y, v: d };
      if (d < bl.v) bl = { x, y, v: d };
    }
  }
  const guess = [tl, tr, br, bl].map((p) => ({ x: p.x * step + 2, y: p.y * step + 2 }));
  const bright = (x: number, y: number): boolean => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= width || yi >= height) return false;
    return (data[yi * width + xi] ?? 0) > t;
  };
  // Fit each edge: walk from outside to inside along the inward normal, at points along the side.
  const lines: Line[] = [];
  const centre = { x: guess.reduce((s, p) => s + p.x, 0) / 4, y: guess.reduce((s, p) => s + p.y, 0) / 4 };
  for (let i = 0; i < 4; i++) {
    const a = guess[i] as Point;
    const b = guess[(i + 1) % 4] as Point;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len < 50) throw new CardNotFoundError('degenerate card outline');
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    let nx = -uy;
    let ny = ux;
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    if ((centre.x - mid.x) * nx + (centre.y - mid.y) * ny < 0) {
      nx = -nx;
      ny = -ny;
    }
    const pts: Point[] = [];
    for (let k = 0; k <= 40; k++) {
      const f = 0.15 + (0.7 * k) / 40;
      const sx = a.x + (b.x - a.x) * f;
      const sy = a.y + (b.y - a.y) * f;
      for (let s = -30; s <= 30; s += 0.5) {
        if (bright(sx + nx * s, sy + ny * s) && bright(sx + nx * (s + 2), sy + ny * (s + 2)) && bright(sx + nx * (s + 4), sy + ny * (s + 4))) {
          pts.push({ x: sx + nx * s, y: sy + ny * s });
          break;
        }
      }
    }
    // Drop outliers (a glare spot touching the edge) by distance to a first fit.
    let line = fitLine(pts);
    if (!line) throw new CardNotFoundError('card edge not found');
    const l0 = line;
    const dist = (p: Point): number => Math.abs((p.x - l0.px) * -l0.dy + (p.y - l0.py) * l0.dx);
    const kept = pts.filter((p) => dist(p) < 3);
    line = fitLine(kept) ?? line;
    lines.push(line);
  }
  const corners: Point[] = [];
  for (let i = 0; i < 4; i++) {
    const p = intersect(lines[(i + 3) % 4] as Line, lines[i] as Line);
    if (!p) throw new CardNotFoundError('card edges do not meet');
    corners.push(p);
  }
  return { corners: corners as [Point, Point, Point, Point], threshold: t };
}

/**
 * The card as a greyscale face of 856×540 × `scale` pixels; `rotate180` reads it as if turned
 * round. The reader takes it at its OCR size in this one resampling (issue 13, scan time: the
 * 856×540 face then enlarged by libvips cost a second pass and ~25–50 ms).
 */
export function rectify(frame: GreyFrame, corners: readonly Point[], rotate180 = false, scale = 1): GreyFrame {
  const width = Math.round(FACE_WIDTH * scale);
  const height = Math.round(FACE_HEIGHT * scale);
  const canonical: Point[] = [
    { x: 0, y: 0 },
    { x: width - 1, y: 0 },
    { x: width - 1, y: height - 1 },
    { x: 0, y: height - 1 },
  ];
  const src = rotate180 ? [corners[2], corners[3], corners[0], corners[1]] : [...corners];
  const h: Homography = homography(canonical, src as Point[]);
  return { width, height, grey: warpGrey(frame, width, height, h, 255) };
}
