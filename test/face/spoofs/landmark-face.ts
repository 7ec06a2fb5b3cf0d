/**
 * A small 3-D face of our own for the liveness unit tests: 68 points in centimetres laid out by
 * hand from textbook proportions (eyes 6.4 cm apart, nose tip 3.7 cm in front of them), the same
 * face squashed flat (a print), and a pinhole camera to project them. The oracle is the projection
 * geometry, not the product: the product only ever sees the 2-D points.
 */
import type { Point } from '../../../src/face/liveness/homography';

export type V3 = [number, number, number];

/** iBUG-68 layout in cm: x to the image right, y down, z away from the camera (0 = the eyes' plane). */
export function face3d(): V3[] {
  const p: V3[] = [];
  for (let i = 0; i <= 16; i++) {
    const u = (i - 8) / 8;
    p.push([7 * u, 1 + 8 * Math.sqrt(1 - 0.9 * u * u), 1 + 6 * u * u]); // jaw contour
  }
  for (let i = 0; i < 5; i++) p.push([-5.5 + i * 1.1, -1.5 - 0.3 * Math.sin((i / 4) * Math.PI), 0.3 + 0.05 * (5.5 - i * 1.1) ** 2]); // brow (image left)
  for (let i = 0; i < 5; i++) p.push([1 + i * 1.1, -1.5 - 0.3 * Math.sin((i / 4) * Math.PI), 0.3 + 0.05 * (1 + i * 1.1) ** 2]); // brow (image right)
  for (const [y, z] of [[0, -0.6], [1.2, -1.4], [2.4, -2.3], [3.6, -3.2]] as const) p.push([0, y, z]); // bridge to tip (30)
  for (const [x, z] of [[-1.3, -1.2], [-0.7, -1.6], [0, -1.9], [0.7, -1.6], [1.3, -1.2]] as const) p.push([x, 4.2, z]); // nose base
  const eye = (cx: number): void => {
    for (let k = 0; k < 6; k++) {
      const a = Math.PI - (k * Math.PI) / 3;
      p.push([cx + 1.4 * Math.cos(a), 0.3 - 0.5 * Math.sin(a), 0.5 + 0.4 * Math.abs(Math.cos(a))]);
    }
  };
  eye(-3.2);
  eye(3.2);
  for (let k = 0; k < 12; k++) {
    const a = Math.PI - (k * Math.PI) / 6;
    p.push([2.5 * Math.cos(a), 6.2 - 0.9 * Math.sin(a), -0.8 + 0.15 * (2.5 * Math.cos(a)) ** 2]); // outer lips
  }
  for (let k = 0; k < 8; k++) {
    const a = Math.PI - (k * Math.PI) / 4;
    p.push([1.6 * Math.cos(a), 6.2 - 0.4 * Math.sin(a), -0.7]); // inner lips
  }
  return p;
}

function rotateAbout(v: V3, axis: V3, angle: number): V3 {
  const [kx, ky, kz] = axis;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const dot = kx * v[0] + ky * v[1] + kz * v[2];
  return [
    v[0] * c + (ky * v[2] - kz * v[1]) * s + kx * dot * (1 - c),
    v[1] * c + (kz * v[0] - kx * v[2]) * s + ky * dot * (1 - c),
    v[2] * c + (kx * v[1] - ky * v[0]) * s + kz * dot * (1 - c),
  ];
}

/** Pinhole camera 50 cm away, f = 600 px, the face's centre (3 cm behind the eyes) as pivot. */
export function project(points: V3[], axis: V3, angleDeg: number, jitter = 0): Point[] {
  let seed = 7 + Math.round(angleDeg * 10);
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return ((seed >>> 8) / 2 ** 24 - 0.5) * 2 * jitter;
  };
  return points.map((v) => {
    const q = rotateAbout([v[0], v[1] - 3, v[2] - 3], axis, (angleDeg * Math.PI) / 180);
    const z = 50 + q[2] + 3;
    return { x: 320 + (600 * q[0]) / z + noise(), y: 240 + (600 * (q[1] + 3)) / z + noise() };
  });
}

export const VERTICAL: V3 = [0, 1, 0];
export const DIAGONAL: V3 = [Math.SQRT1_2, -Math.SQRT1_2, 0];

/** A burst of 6 frames turning from 0 to `angle` degrees; > 0 about +y = the patient's right. */
export function burst(points: V3[], axis: V3, angle: number, jitter = 0.8): Point[][] {
  return [0, 1, 2, 3, 4, 5].map((k) => project(points, axis, (angle * k) / 5, k === 0 ? 0 : jitter));
}

export const head = face3d();
export const print = head.map(([x, y]): V3 => [x, y, 0]);

