/**
 * `{"bench":"face-liveness",...}` (issue 14): what the head-turn challenge adds per frame — the
 * 68-landmark net on the BlazeFace box (engine option `landmarks`), timed as the difference between
 * the engine with and without it on the same frames, in turn — and the pure checks: the turn
 * judge over a 6-frame burst, the print-border cue on a 640×480 frame and the colour-flash cue
 * over its three frames. CPU ms of this process
 * (the models run single-threaded; wall ms on the shared cores are several times higher).
 * Goal: the landmarks within ~10 ms a frame here, so that a Pi-class CPU stays near its budget.
 */
import { loadavg } from 'node:os';
import { FaceEngine } from '../../src/face/engine';
import { toGrey, type RgbImage } from '../../src/face/image';
import { detectBorder } from '../../src/face/liveness/border';
import { judgeFlash } from '../../src/face/liveness/flash';
import { judgeHeadTurn } from '../../src/face/liveness/head-turn';
import { cameraProbe } from '../face/eval-set';
import { burst, head, VERTICAL } from '../face/spoofs/landmark-face';
import { median } from './stats';

const FRAMES = ['f01', 'f03', 'f05', 'f07', 'f09', 'f11'];

function cpuMs<T>(fn: () => T): { ms: number; value: T } {
  const t = process.cpuUsage();
  const value = fn();
  const d = process.cpuUsage(t);
  return { ms: (d.user + d.system) / 1000, value };
}

async function cpuMsAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

export async function run(): Promise<void> {
  const frames: RgbImage[] = await Promise.all(FRAMES.map((id) => cameraProbe(id)));
  const plain = await FaceEngine.create({ describe: false, liveness: false });
  const withLandmarks = await FaceEngine.create({ describe: false, liveness: false, landmarks: true });
  await plain.analyse(frames[0]!);
  await withLandmarks.analyse(frames[0]!);
  const without: number[] = [];
  const withLm: number[] = [];
  let box = { x: 0, y: 0, width: 1, height: 1 };
  for (let round = 0; round < 3; round++) {
    for (const f of frames) {
      without.push(await cpuMsAsync(() => plain.analyse(f)));
      withLm.push(
        await cpuMsAsync(async () => {
          const a = await withLandmarks.analyse(f);
          if (a.faces[0]) box = a.faces[0].box;
        }),
      );
    }
  }
  const seq = burst(head, VERTICAL, 25);
  const judge = median(Array.from({ length: 50 }, () => cpuMs(() => judgeHeadTurn(seq, 'right')).ms));
  const grey = toGrey(frames[0]!);
  const border = median(Array.from({ length: 10 }, () => cpuMs(() => detectBorder(grey, box)).ms));
  // The colour-flash cue over its three frames (the cost does not depend on what they show).
  const flashFrames = (['red', 'blue', 'red'] as const).map((colour) => ({ colour, image: frames[0]! }));
  const flash = median(Array.from({ length: 20 }, () => cpuMs(() => judgeFlash(flashFrames, box)).ms));
  const landmarkMs = median(withLm) - median(without);
  console.log(
    JSON.stringify({
      bench: 'face-liveness',
      detectorCpuMs: Number(median(without).toFixed(1)),
      detectorPlusLandmarksCpuMs: Number(median(withLm).toFixed(1)),
      landmarksCpuMs: Number(landmarkMs.toFixed(1)),
      judgeTurnCpuMs: Number(judge.toFixed(2)),
      borderCpuMs: Number(border.toFixed(1)),
      flashCpuMs: Number(flash.toFixed(2)),
      goalLandmarksMs: 10,
      ok: landmarkMs <= 10,
      loadavg: Number(loadavg()[0]!.toFixed(1)),
    }),
  );
}
