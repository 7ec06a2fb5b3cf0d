/**
 * Plane-to-image maps fitted to landmark correspondences, for the parallax test of the head-turn
 * challenge (./head-turn.ts): the image of a flat object (a print, a phone screen) moves between
 * two frames by a homography, whatever way it is turned; a 3-D head does not. Pure arithmetic.
 *
 * The fit is the normalised direct linear transform (Hartley & Zisserman, Multiple View Geometry,
 * §4.4): points are centred and scaled to mean distance √2 on both sides, h33 is fixed to 1 and
 * the 8 unknowns solved by least squares (normal equations, Gaussian elimination with pivoting).
 */
export interface Point {
  x: number;
  y: number;
}

/** Row-major 3×3 matrix. */
export type Matrix3 = [number, number, number, number, number, number, number, number, number];

export function applyHomography(h: Matrix3, p: Point): Point {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}

function normaliser(points: readonly Point[]): Matrix3 {
  let cx = 0;
  let cy = 0;
  for (const p of points) {
    cx += p.x;
    cy += p.y;
  }
  cx /= points.length;
  cy /= points.length;
  let d = 0;
  for (const p of points) d += Math.hypot(p.x - cx, p.y - cy);
  d /= points.length;
  const s = d > 0 ? Math.SQRT2 / d : 1;
  return [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1];
}

function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c] = (out[r * 3 + c] ?? 0) + a[r * 3 + k]! * b[k * 3 + c]!;
  return out as Matrix3;
}

function invertSimilarity(t: Matrix3): Matrix3 {
  // t = [s 0 tx; 0 s ty; 0 0 1]
  const s = t[0];
  return [1 / s, 0, -t[2] / s, 0, 1 / s, -t[5] / s, 0, 0, 1];
}

/** Solves A x = b (n×n, row-major) in place; undefined when singular. */
function solve(a: number[], b: number[], n: number): number[] | undefined {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    if (Math.abs(a[pivot * n + col]!) < 1e-12) return undefined;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c]!, a[col * n + c]!];
      [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / a[col * n + col]!;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] = a[r * n + c]! - f * a[col * n + c]!;
      b[r] = b[r]! - f * b[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r * n + c]! * x[c]!;
    x[r] = s / a[r * n + r]!;
  }
  return x;
}

/**
 * Least-squares homography taking `from[i]` to `to[i]` (at least 4 pairs, not all collinear);
 * undefined when the points are degenerate.
 */
export function fitHomography(from: readonly Point[], to: readonly Point[]): Matrix3 | undefined {
  const n = Math.min(from.length, to.length);
  if (n < 4) return undefined;
  const tf = normaliser(from.slice(0, n));
  const tt = normaliser(to.slice(0, n));
  const ata = new Array<number>(64).fill(0);
  const atb = new Array<number>(8).fill(0);
  const addRow = (row: number[], rhs: number): void => {
    for (let i = 0; i < 8; i++) {
      atb[i] = atb[i]! + row[i]! * rhs;
      for (let j = 0; j < 8; j++) ata[i * 8 + j] = ata[i * 8 + j]! + row[i]! * row[j]!;
    }
  };
  for (let i = 0; i < n; i++) {
    const p = applyHomography(tf, from[i]!);
    const q = applyHomography(tt, to[i]!);
    addRow([p.x, p.y, 1, 0, 0, 0, -q.x * p.x, -q.x * p.y], q.x);
    addRow([0, 0, 0, p.x, p.y, 1, -q.y * p.x, -q.y * p.y], q.y);
  }
  const h = solve(ata, atb, 8);
  if (!h || h.some((v) => !Number.isFinite(v))) return undefined;
  const hn: Matrix3 = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
  return multiply(invertSimilarity(tt), multiply(hn, tf));
}

/** Least-squares affine map (6 unknowns) taking `from[i]` to `to[i]`, as a Matrix3; undefined when degenerate. */
export function fitAffine(from: readonly Point[], to: readonly Point[]): Matrix3 | undefined {
  const n = Math.min(from.length, to.length);
  if (n < 3) return undefined;
  const ata = new Array<number>(9).fill(0);
  const bx = new Array<number>(3).fill(0);
  const by = new Array<number>(3).fill(0);
  for (let i = 0; i < n; i++) {
    const r = [from[i]!.x, from[i]!.y, 1];
    for (let a = 0; a < 3; a++) {
      bx[a] = bx[a]! + r[a]! * to[i]!.x;
      by[a] = by[a]! + r[a]! * to[i]!.y;
      for (let b = 0; b < 3; b++) ata[a * 3 + b] = ata[a * 3 + b]! + r[a]! * r[b]!;
    }
  }
  const x = solve([...ata], bx, 3);
  const y = solve([...ata], by, 3);
  if (!x || !y) return undefined;
  return [x[0]!, x[1]!, x[2]!, y[0]!, y[1]!, y[2]!, 0, 0, 1];
}
