/**
 * A small software renderer for the spoof evaluation (test/face/spoofs/README.md): a textured
 * grid of 3-D vertices, projected by a pinhole camera, rasterised with a z-buffer. Enough to turn a
 * face with the depth of its FaceMesh shape, and to turn, tilt or bend a print or a phone in front
 * of the camera. Independent of the product: nothing here is imported from src/face/liveness.
 * Everything stays in memory.
 */
import type { RgbImage } from '../../../src/face/image';

export interface Camera {
  /** Focal length in pixels; the reference plane Z = 0 is at distance `f`, so it maps 1:1. */
  f: number;
  cx: number;
  cy: number;
}

/** 640×480, f = 600 px (≈ 56° horizontal field, a webcam): a face at the counter, ~50 cm away. */
export const counterCamera: Camera = { f: 600, cx: 320, cy: 240 };

export type Vec3 = [number, number, number];

/**
 * A grid of `cols` × `rows` vertices: texture coordinates (sx, sy) in `texture` and world position
 * (X, Y, Z; Z away from the camera). A vertex with `pinned` set is drawn at (sx, sy) of the
 * output at infinite depth (a static background that stretches where the object uncovers it).
 */
export interface SurfaceGrid {
  cols: number;
  rows: number;
  tex: Float64Array; // 2 per vertex
  world: Float64Array; // 3 per vertex
  pinned?: Uint8Array;
  /** Vertices cut away (a print cut to the head's outline): triangles touching them are not drawn. */
  hidden?: Uint8Array;
}

export function newImage(width: number, height: number, fill = 0): RgbImage {
  return { width, height, rgb: new Uint8Array(width * height * 3).fill(fill) };
}

export function copyImage(img: RgbImage): RgbImage {
  return { width: img.width, height: img.height, rgb: Uint8Array.from(img.rgb) };
}

/** Rotation of `p` by `angle` (radians) about the axis `axis` (unit) through `pivot` (Rodrigues). */
export function rotate(p: Vec3, axis: Vec3, angle: number, pivot: Vec3): Vec3 {
  const [kx, ky, kz] = axis;
  const x = p[0] - pivot[0];
  const y = p[1] - pivot[1];
  const z = p[2] - pivot[2];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const dot = kx * x + ky * y + kz * z;
  const cx = ky * z - kz * y;
  const cy = kz * x - kx * z;
  const cz = kx * y - ky * x;
  return [pivot[0] + x * c + cx * s + kx * dot * (1 - c), pivot[1] + y * c + cy * s + ky * dot * (1 - c), pivot[2] + z * c + cz * s + kz * dot * (1 - c)];
}

/** World point of a pixel (u, v) of the reference image seen at depth Z (inverse of the projection). */
export function unproject(cam: Camera, u: number, v: number, z: number): Vec3 {
  const k = (cam.f + z) / cam.f;
  return [(u - cam.cx) * k, (v - cam.cy) * k, z];
}

function sample(tex: RgbImage, x: number, y: number, out: number[]): boolean {
  if (x < 0 || y < 0 || x > tex.width - 1 || y > tex.height - 1) return false;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(tex.width - 1, x0 + 1);
  const y1 = Math.min(tex.height - 1, y0 + 1);
  const fx = x - x0;
  const fy = y - y0;
  const d = tex.rgb;
  for (let c = 0; c < 3; c++) {
    const a = d[(y0 * tex.width + x0) * 3 + c]! * (1 - fx) + d[(y0 * tex.width + x1) * 3 + c]! * fx;
    const b = d[(y1 * tex.width + x0) * 3 + c]! * (1 - fx) + d[(y1 * tex.width + x1) * 3 + c]! * fx;
    out[c] = a * (1 - fy) + b * fy;
  }
  return true;
}

/**
 * Draws the grid into `dst` (z-buffer `zbuf`, +Infinity = empty), texture-mapped from `texture`.
 * With `worldOut` (3 floats a pixel) each drawn pixel also gets its world position (interpolated
 * like the texture), NaN where a triangle touches a pinned vertex (the static background): the
 * colour-flash renderer (flash.ts) lights the scene from it.
 */
export function drawSurface(dst: RgbImage, zbuf: Float32Array, texture: RgbImage, grid: SurfaceGrid, cam: Camera, worldOut?: Float32Array): void {
  const n = grid.cols * grid.rows;
  const su = new Float64Array(n);
  const sv = new Float64Array(n);
  const sz = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (grid.pinned?.[i]) {
      su[i] = grid.tex[i * 2]!;
      sv[i] = grid.tex[i * 2 + 1]!;
      sz[i] = 1e9;
      continue;
    }
    const X = grid.world[i * 3]!;
    const Y = grid.world[i * 3 + 1]!;
    const Z = grid.world[i * 3 + 2]!;
    const w = cam.f / (cam.f + Z);
    su[i] = cam.cx + X * w;
    sv[i] = cam.cy + Y * w;
    sz[i] = Z;
  }
  const rgb = [0, 0, 0];
  const tri = (a: number, b: number, c: number): void => {
    if (grid.hidden && (grid.hidden[a] || grid.hidden[b] || grid.hidden[c])) return;
    const ax = su[a]!, ay = sv[a]!, bx = su[b]!, by = sv[b]!, cx = su[c]!, cy = sv[c]!;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (Math.abs(area) < 1e-9) return;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
    const x1 = Math.min(dst.width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy)));
    const y1 = Math.min(dst.height - 1, Math.ceil(Math.max(ay, by, cy)));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const wa = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area;
        const wb = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area;
        const wc = 1 - wa - wb;
        if (wa < -1e-6 || wb < -1e-6 || wc < -1e-6) continue;
        const z = wa * sz[a]! + wb * sz[b]! + wc * sz[c]!;
        const zi = y * dst.width + x;
        if (z >= zbuf[zi]!) continue;
        const tx = wa * grid.tex[a * 2]! + wb * grid.tex[b * 2]! + wc * grid.tex[c * 2]!;
        const ty = wa * grid.tex[a * 2 + 1]! + wb * grid.tex[b * 2 + 1]! + wc * grid.tex[c * 2 + 1]!;
        if (!sample(texture, tx, ty, rgb)) continue;
        zbuf[zi] = z;
        dst.rgb[zi * 3] = rgb[0]!;
        dst.rgb[zi * 3 + 1] = rgb[1]!;
        dst.rgb[zi * 3 + 2] = rgb[2]!;
        if (worldOut) {
          const pinned = grid.pinned && (grid.pinned[a] || grid.pinned[b] || grid.pinned[c]);
          for (let k = 0; k < 3; k++) worldOut[zi * 3 + k] = pinned ? NaN : wa * grid.world[a * 3 + k]! + wb * grid.world[b * 3 + k]! + wc * grid.world[c * 3 + k]!;
        }
      }
    }
  };
  for (let r = 0; r + 1 < grid.rows; r++) {
    for (let c = 0; c + 1 < grid.cols; c++) {
      const i = r * grid.cols + c;
      tri(i, i + 1, i + grid.cols);
      tri(i + 1, i + grid.cols + 1, i + grid.cols);
    }
  }
}

/** A grid over a texture with a world position given per texture point. */
export function gridOver(width: number, height: number, step: number, world: (sx: number, sy: number) => Vec3 | undefined): SurfaceGrid {
  const cols = Math.ceil((width - 1) / step) + 1;
  const rows = Math.ceil((height - 1) / step) + 1;
  const tex = new Float64Array(cols * rows * 2);
  const pos = new Float64Array(cols * rows * 3);
  const pinned = new Uint8Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const sx = Math.min(width - 1, c * step);
      const sy = Math.min(height - 1, r * step);
      tex[i * 2] = sx;
      tex[i * 2 + 1] = sy;
      const w = world(sx, sy);
      if (!w) {
        pinned[i] = 1;
        continue;
      }
      pos[i * 3] = w[0];
      pos[i * 3 + 1] = w[1];
      pos[i * 3 + 2] = w[2];
    }
  }
  return { cols, rows, tex, world: pos, pinned };
}

/** Seeded PRNG (mulberry32) so that the spoof set is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sensor noise, uniform ±amp, in place. */
export function addNoise(img: RgbImage, amp: number, random: () => number): void {
  for (let i = 0; i < img.rgb.length; i++) img.rgb[i] = Math.max(0, Math.min(255, img.rgb[i]! + Math.round((random() * 2 - 1) * amp)));
}
