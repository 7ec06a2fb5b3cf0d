/**
 * Decisions per patient, not per frame (issue 14): a transaction is one face attempt of the
 * product (`runFaceAttempt` with the shipped attempt settings: passive liveness as the median over
 * the burst's judged frames, a match accepted once `minLiveFrames` frames are judged; rejected
 * frames only show their hint and the burst goes on) over a burst of one person standing still:
 * BURST_FRAMES camera frames by default, what the counter device judges of its 3 s burst at
 * ≤ 375 ms a frame (wall), so a slow device still sees them all. The frames are the probe itself,
 * then jittered copies (a few pixels of sway, ±6 % light, sensor noise), not new photographs: they
 * model a patient holding still, not a second sitting, and they are far from independent. The same
 * bursts are played against every other person's card for the impostor transactions, so a false
 * accept gets every frame's chance.
 */
import { SimulatedCamera, type FrameImage } from '../../rig/devices/simulated-camera';
import { decide, type DecisionConfig, type VerifyResult } from '../../src/face/decision';
import type { Analysis } from '../../src/face/engine';
import { runFaceAttempt, type FaceAttemptOptions, type FaceAttemptResult } from '../../src/face/face-attempt';
import type { AnyImage, RgbImage } from '../../src/face/image';
import type { GreyImage } from '../../rig/personas/face-images';
import type { FaceVerifier } from '../../src/face/verifier';

export const BURST_FRAMES = 8;

/** A deterministic small sway / light / noise change of a frame (k = 0 is the frame itself). */
export function jitter(img: RgbImage, k: number): RgbImage {
  if (k === 0) return img;
  let seed = (k * 2654435761) >>> 0;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) / 0x1000000;
  };
  const dx = Math.round((rand() - 0.5) * 12);
  const dy = Math.round((rand() - 0.5) * 12);
  const gain = 0.94 + rand() * 0.12;
  const { width, height } = img;
  const out = new Uint8Array(img.rgb.length);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(height - 1, Math.max(0, y - dy));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(width - 1, Math.max(0, x - dx));
      for (let c = 0; c < 3; c++) {
        const v = (img.rgb[(sy * width + sx) * 3 + c] ?? 0) * gain + (rand() - 0.5) * 10;
        out[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width, height, rgb: out };
}

export interface BurstFrame {
  image: RgbImage;
  analysis: Analysis;
  /** toGrey(image), computed once: the burst is replayed against every card. */
  grey: GreyImage;
}

/**
 * Replays a burst through the product's attempt loop: the "verifier" answers from the frames'
 * analyses (computed once per frame, whichever card they are compared with) and shows the camera
 * the next frame of the burst once it has answered, so every frame is judged in order.
 */
export async function runTransaction(
  burst: readonly BurstFrame[],
  card: Float32Array,
  cfg: DecisionConfig,
  attempt: Pick<FaceAttemptOptions, 'minLiveFrames' | 'liveness' | 'identity'> = {},
): Promise<FaceAttemptResult & { hints: string[]; frames: VerifyResult[] }> {
  const camera = new SimulatedCamera();
  camera.start();
  const bySeq = new Map<number, BurstFrame>();
  let pushed = 0;
  const pushNext = (): void => {
    const f = burst[pushed];
    if (!f) return;
    pushed++;
    bySeq.set(pushed, f); // SimulatedCamera numbers its frames 1, 2, … in push order
    camera.push(f.image as FrameImage);
  };
  const frames: VerifyResult[] = [];
  const verifier: FaceVerifier = {
    enrolCardPhoto: async () => undefined,
    verify: async (frame: AnyImage): Promise<VerifyResult> => {
      const f = bySeq.get((frame as { seq: number }).seq);
      if (!f) throw new Error('frame not in the burst');
      const r = decide(f.analysis, f.grey, card, cfg);
      frames.push(r);
      pushNext();
      return r;
    },
    close: async () => undefined,
  };
  pushNext();
  const hints: string[] = [];
  try {
    // maxLooks bounds the burst (the frames come at once here: the time bound of the product's
    // burst is what BURST_FRAMES models); the timeout only ends a burst whose frames are all used.
    const r = await runFaceAttempt({ ...attempt, camera, verifier, maxLooks: burst.length, maxFrames: burst.length, burstMs: 60_000, timeoutMs: 5000, onHint: (h) => hints.push(h) });
    return { ...r, hints, frames };
  } finally {
    await camera.stop();
  }
}

/**
 * The attempt rule before issue 14's burst, for comparison on the same frames: the first frame
 * that passes liveness and the threshold wins, two spoof frames in a row end the attempt, at most
 * `maxFrames` (5) judged frames.
 */
export function perFrameRuleOutcome(frames: readonly VerifyResult[], maxFrames = 5): string {
  let run = 0;
  let judged = 0;
  let noMatch = 0;
  let spoof = 0;
  let last: string | undefined;
  for (const f of frames) {
    last = f.outcome;
    if (f.outcome === 'match') return 'match';
    if (f.outcome === 'spoof') {
      judged++;
      spoof++;
      if (++run >= 2) return 'spoof';
    } else {
      if (f.outcome === 'no-match') {
        judged++;
        noMatch++;
      }
      run = 0;
    }
    if (judged >= maxFrames) break;
  }
  return noMatch > 0 ? 'no-match' : spoof > 0 ? 'spoof' : (last ?? 'no-face');
}
