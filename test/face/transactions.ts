/**
 * Decisions per patient, not per frame (issue 14): a transaction is one face attempt of the
 * product (`runFaceAttempt`, its own rules: first match wins, two spoof frames in a row end it,
 * rejected frames only show their hint and the burst goes on) over a short burst of frames of one
 * person standing still: BURST_FRAMES camera frames, about what the counter device judges in
 * 3 s at ≤ 107 ms a frame with room to spare. The frames are the probe itself, then jittered
 * copies (a few pixels of sway, ±6 % light, sensor noise), not new photographs: they model a
 * patient holding still, not a second sitting. The same bursts are played against every other
 * person's card for the impostor transactions, so a false accept gets every frame's chance.
 */
import { SimulatedCamera, type FrameImage } from '../../rig/devices/simulated-camera';
import { decide, type DecisionConfig, type VerifyResult } from '../../src/face/decision';
import type { Analysis } from '../../src/face/engine';
import { runFaceAttempt, type FaceAttemptResult } from '../../src/face/face-attempt';
import type { AnyImage, RgbImage } from '../../src/face/image';
import type { GreyImage } from '../../rig/personas/face-images';
import type { FaceVerifier } from '../../src/face/verifier';

export const BURST_FRAMES = 5;

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
export async function runTransaction(burst: readonly BurstFrame[], card: Float32Array, cfg: DecisionConfig): Promise<FaceAttemptResult & { hints: string[] }> {
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
  const verifier: FaceVerifier = {
    enrolCardPhoto: async () => undefined,
    verify: async (frame: AnyImage): Promise<VerifyResult> => {
      const f = bySeq.get((frame as { seq: number }).seq);
      if (!f) throw new Error('frame not in the burst');
      const r = decide(f.analysis, f.grey, card, cfg);
      pushNext();
      return r;
    },
    close: async () => undefined,
  };
  pushNext();
  const hints: string[] = [];
  try {
    // maxLooks bounds the burst; the timeout only ends a burst whose frames are all used.
    const r = await runFaceAttempt({ camera, verifier, maxLooks: burst.length, maxFrames: burst.length, timeoutMs: 5000, onHint: (h) => hints.push(h) });
    return { ...r, hints };
  } finally {
    await camera.stop();
  }
}
