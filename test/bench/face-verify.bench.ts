/**
 * `{"bench":"face-verify",...}` (issue 5 §3): median ms per 640×480 frame for face detection alone
 * and for the whole decision (detect, quality gate, describe, antispoof, liveness, compare), against
 * face-api.js's default pipeline (SSD MobileNet v1 + 68 landmarks + recognition net + distance)
 * on the same WebAssembly backend in the same run. Goal: ratio ≥ 3. Accuracy of both on the
 * offline set: `npm run eval:face -- --baseline`.
 */
import { FaceEngine } from '../../src/face/engine';
import { cardPhotoEmbedding, decide, decisionDefaultsFor } from '../../src/face/decision';
import { toGrey, type RgbImage } from '../../src/face/image';
import { FaceApiBaseline, FACEAPI_DISTANCE_THRESHOLD } from '../face/baseline-faceapi';
import { cameraProbe, cardPhoto } from '../face/eval-set';
import { median } from './stats';

const FRAMES = ['f01', 'f03', 'f05', 'f07', 'f09', 'f11'];
const ROUNDS = 2;


async function timeEach(frames: RgbImage[], fn: (f: RgbImage) => Promise<unknown>): Promise<number[]> {
  await fn(frames[0] as RgbImage); // warm-up: first inference compiles kernels
  const ms: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const f of frames) {
      const t = performance.now();
      await fn(f);
      ms.push(performance.now() - t);
    }
  }
  return ms;
}

export async function run(): Promise<void> {
  const frames = await Promise.all(FRAMES.map((id) => cameraProbe(id)));
  const card = await cardPhoto('f01');

  const detector = await FaceEngine.create({ align: false, liveness: false, describe: false });
  const oursDetect = await timeEach(frames, (f) => detector.analyse(f));
  const decisionOf = async (descriptor: 'facerec128' | 'faceres'): Promise<number[]> => {
    const engine = await FaceEngine.create({ descriptor });
    const cfg = decisionDefaultsFor(descriptor);
    const cardEmbedding = cardPhotoEmbedding(await engine.analyse(card));
    if (cardEmbedding === 'no-face') throw new Error('card photo f01 has no face');
    return timeEach(frames, async (f) => decide(await engine.analyse(f), toGrey(f), cardEmbedding, cfg));
  };
  const oursDecision = await decisionOf('facerec128');
  const faceresDecision = await decisionOf('faceres');

  const baseline = await FaceApiBaseline.create();
  const baseCard = await baseline.describe(card);
  if (!baseCard) throw new Error('face-api found no face in card photo f01');
  const baseDetect = await timeEach(frames, (f) => baseline.detect(f));
  const baseDecision = await timeEach(frames, async (f) => {
    const d = await baseline.describe(f);
    return d ? baseline.distance(d, baseCard) < FACEAPI_DISTANCE_THRESHOLD : false;
  });

  const ours = { detectionMs: median(oursDetect), decisionMs: median(oursDecision) };
  const faceApi = { detectionMs: median(baseDetect), decisionMs: median(baseDecision) };
  console.log(
    JSON.stringify({
      bench: 'face-verify',
      backend: detector.backend,
      frame: '640x480',
      frames: frames.length * ROUNDS,
      ours: { pipeline: 'BlazeFace + antispoof + liveness (human) + 68 landmarks + 128-D recognition (face-api) on the BlazeFace box', ...ours },
      oursWithFaceRes: { pipeline: 'BlazeFace + FaceRes 1024-D + antispoof + liveness (human)', decisionMs: median(faceresDecision) },
      faceApi: { pipeline: 'face-api SSD MobileNet v1 + 68 landmarks + recognition net', ...faceApi },
      detectionRatio: Number((faceApi.detectionMs / ours.detectionMs).toFixed(2)),
      decisionRatio: Number((faceApi.decisionMs / ours.decisionMs).toFixed(2)),
      goal: 'decisionRatio >= 3 at equal or better accuracy (see eval:face --baseline)',
    }),
  );
}

if (require.main === module) void run();
