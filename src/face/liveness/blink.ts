/**
 * A blink over a burst, from face-api's 68 landmarks (issue 14): the eye aspect ratio (EAR) of
 * Soukupová & Čech, "Real-Time Eye Blink Detection using Facial Landmarks" (CVWW 2016):
 * (|p2 − p6| + |p3 − p5|) / (2 |p1 − p4|) per eye, ≈ 0.3 open and near 0 closed. A blink is a frame
 * whose mean EAR falls below `closedFraction` of the burst's open level (its 80th percentile), with
 * open frames before and after it. Not used in the decision: a blink lasts 100–400 ms, about one or
 * two frames at the attempt's pace, and the offline set has no blinking face to measure it on
 * (docs/face.md); `fcr face check` reports it.
 */
import type { Point } from './homography';

const dist = (a: Point | undefined, b: Point | undefined): number => (a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0);

/** EAR of one eye whose six iBUG points start at `from` (36: the image-left eye, 42: the other). */
function ear(points: readonly Point[], from: number): number | undefined {
  const p = (k: number): Point | undefined => points[from + k];
  const width = dist(p(0), p(3));
  if (!(width > 0)) return undefined;
  return (dist(p(1), p(5)) + dist(p(2), p(4))) / (2 * width);
}

/** Mean EAR of both eyes, undefined without 68 points. */
export function eyeAspectRatio(points: readonly Point[]): number | undefined {
  if (points.length < 68) return undefined;
  const a = ear(points, 36);
  const b = ear(points, 42);
  return a === undefined || b === undefined ? undefined : (a + b) / 2;
}

export interface BlinkResult {
  blinked: boolean;
  /** Lowest EAR over the open level. */
  minFraction: number;
}

export function detectBlink(frames: readonly (readonly Point[])[], closedFraction = 0.6): BlinkResult {
  const ears = frames.map(eyeAspectRatio).filter((e): e is number => e !== undefined);
  if (ears.length < 3) return { blinked: false, minFraction: 1 };
  const sorted = [...ears].sort((a, b) => a - b);
  const open = sorted[Math.floor(0.8 * (sorted.length - 1))]!;
  let minFraction = 1;
  let blinked = false;
  for (let i = 1; i + 1 < ears.length; i++) {
    const f = ears[i]! / open;
    minFraction = Math.min(minFraction, f);
    const before = Math.max(...ears.slice(0, i)) / open;
    const after = Math.max(...ears.slice(i + 1)) / open;
    if (f < closedFraction && before > 0.85 && after > 0.85) blinked = true;
  }
  return { blinked, minFraction };
}
