/**
 * `{"bench":"face-verify",...}` (issue 5 §3, issue 14): ms per 640×480 frame for the whole
 * decision (detect, quality gate, FaceRes descriptor, antispoof, liveness, compare) with the
 * product's default settings, against face-api.js's default pipeline (SSD MobileNet v1 + 68
 * landmarks + recognition net + distance) on the same WebAssembly backend in the same run.
 *
 * The two are timed frame by frame in turn (ours, then face-api's, on the same frame), so a load
 * spike from the other processes on these shared cores hits both alike and the ratio stays
 * readable even when the milliseconds are not. Goals: ratio ≥ 3 and ≤ 107 ms a frame on an
 * otherwise idle machine. Accuracy of both: `npm run eval:face -- --baseline`.
 */
import { cpus, loadavg } from 'node:os';
import { FaceEngine } from '../../src/face/engine';
import { cardPhotoEmbedding, decideWithSecondLook, decisionDefaultsFor, type VerifyResult } from '../../src/face/decision';
import { toGrey, type RgbImage } from '../../src/face/image';
import { faceSettingsSchema, verifierOptions } from '../../src/face/settings';
import { FaceApiBaseline, FACEAPI_DISTANCE_THRESHOLD } from '../face/baseline-faceapi';
import { cameraProbe, cardPhotoAsOnDevice } from '../face/eval-set';
import { median, timed } from './stats';
import { FfmpegCamera } from '../../src/devices/camera';
import { runFaceAttempt } from '../../src/face/face-attempt';
import { attemptOptions, colourFlashOptions } from '../../src/face/settings';
import { loadLitSubject, PanelLitCamera, type PanelLight } from '../../rig/devices/panel-lit-camera';
import { WorkerFaceVerifier, type FaceVerifier } from '../../src/face/verifier';
import { flashFramePaths, personaFacePhoto, rigCameraSource } from '../../rig/personas/face-images';

const FRAMES = ['f01', 'f03', 'f05', 'f07', 'f09', 'f11'];
const ROUNDS = 2;
const GOAL_MS = 107;

export async function run(): Promise<void> {
  const frames: RgbImage[] = await Promise.all(FRAMES.map((id) => cameraProbe(id)));
  const card = await cardPhotoAsOnDevice('f01');

  // FCR_FACE_BENCH_SETTINGS='{"detector":"blazeface","cropSize":224}' times another face section
  // (one per process: human keeps the first detector it loads).
  const opts = verifierOptions(faceSettingsSchema.parse(JSON.parse(process.env.FCR_FACE_BENCH_SETTINGS ?? '{}')));
  const cfg = { ...decisionDefaultsFor(opts.engine?.descriptor ?? 'faceres', opts.engine?.faceCrop?.localContrast === true), ...opts.decision };
  const engine = await FaceEngine.create(opts.engine);
  const cardEmbedding = cardPhotoEmbedding(await engine.analyse(card));
  if (cardEmbedding === 'no-face') throw new Error('card photo f01 has no face');
  // As the worker decides (worker.ts): the global descriptor first, the CLAHE one only for a
  // frame it did not match (with face.localContrast, the default).
  const decideAs = async (f: RgbImage, card: Float32Array): Promise<VerifyResult> =>
    decideWithSecondLook(await engine.analyse(f, { preparations: 'global' }), toGrey(f), card, cfg, (face) => engine.describeLocalContrast(f, face.box));
  const ours = (f: RgbImage): Promise<VerifyResult> => decideAs(f, cardEmbedding);
  // Each frame against its own card as well: a genuine frame that matches on its global
  // descriptor costs one FaceRes run, a no-match frame (the impostors above) two.
  const ownCards = new Map<RgbImage, Float32Array>();
  for (const [i, id] of FRAMES.entries()) {
    const own = cardPhotoEmbedding(await engine.analyse(await cardPhotoAsOnDevice(id)));
    if (own !== 'no-face') ownCards.set(frames[i] as RgbImage, own);
  }

  const baseline = await FaceApiBaseline.create();
  const baseCard = await baseline.describe(card);
  if (!baseCard) throw new Error('face-api found no face in card photo f01');
  const faceApi = async (f: RgbImage): Promise<unknown> => {
    const d = await baseline.describe(f);
    return d ? baseline.distance(d, baseCard) < FACEAPI_DISTANCE_THRESHOLD : false;
  };

  // Warm-up: the first inference of each compiles its kernels.
  await ours(frames[0] as RgbImage);
  await faceApi(frames[0] as RgbImage);
  const oursMs: number[] = [];
  const faceApiMs: number[] = [];
  const oursCpu: number[] = [];
  const faceApiCpu: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const f of frames) {
      const [a, ac] = await timed(() => ours(f));
      const [b, bc] = await timed(() => faceApi(f));
      oursMs.push(a);
      faceApiMs.push(b);
      oursCpu.push(ac);
      faceApiCpu.push(bc);
      ratios.push(b / a);
    }
  }
  const genuineCpu: number[] = [];
  const genuineOutcomes: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [f, own] of ownCards) {
      const [, c, v] = await timedResult(() => decideAs(f, own));
      genuineCpu.push(c);
      genuineOutcomes.push(v.outcome);
    }
  }
  // A dim face costs a second detect pass (exposure-compensated liveness, engine.ts): timed apart.
  const dimCpu: number[] = [];
  for (const id of ['f05', 'f16', 'f18']) {
    const f = await cameraProbe(id, 'dim');
    for (let r = 0; r < ROUNDS; r++) dimCpu.push((await timed(() => ours(f)))[1]);
  }
  const oursMedian = median(oursMs);
  const oursCpuMedian = median(oursCpu);
  const faceApiCpuMedian = median(faceApiCpu);
  console.log(
    JSON.stringify({
      bench: 'face-verify',
      backend: engine.backend,
      frame: '640x480',
      frames: oursMs.length,
      loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
      cores: cpus().length,
      ours: { pipeline: `${engine.models.join(' + ')} (FaceRes on a ${opts.engine?.faceCrop?.size ?? 224} px grey crop, ${opts.engine?.faceCrop?.localContrast ? "equalised + CLAHE (two FaceRes runs)" : "equalised"})`, decisionMs: Number(oursMedian.toFixed(1)), decisionCpuMs: Number(oursCpuMedian.toFixed(1)) },
      faceApi: { pipeline: 'face-api SSD MobileNet v1 + 68 landmarks + recognition net', decisionMs: Number(median(faceApiMs).toFixed(1)), decisionCpuMs: Number(faceApiCpuMedian.toFixed(1)) },
      dimFaceDecisionCpuMs: Number(median(dimCpu).toFixed(1)),
      genuineFrames: { outcomes: countOf(genuineOutcomes), decisionCpuMs: Number(median(genuineCpu).toFixed(1)), note: 'each frame against its own card: a match on the global descriptor costs one FaceRes run; ours.decisionCpuMs is mostly other people against card f01, no-match frames that get the CLAHE descriptor too' },
      decisionRatio: Number((median(faceApiMs) / oursMedian).toFixed(2)),
      medianPairedRatio: Number(median(ratios).toFixed(2)),
      cpuRatio: Number((faceApiCpuMedian / oursCpuMedian).toFixed(2)),
      goal: `ratio >= 3 and <= ${GOAL_MS} ms a frame (CPU ms: what one idle core takes; wall ms count the other processes' load)`,
      goalMet: faceApiCpuMedian / oursCpuMedian >= 3 && oursCpuMedian <= GOAL_MS,
    }),
  );
  await attemptOnRig();
}

/**
 * `{"bench":"face-attempt"}`: camera start → decision on the rig, as the device does it: the
 * worker is up and the card photo enrolled (both happen before the face screen), then ffmpeg
 * starts on the genuine persona's still and runFaceAttempt runs with the shipped attempt settings
 * (a match needs minLiveFrames judged frames). Wall ms on these shared cores (and the CPU ms of
 * this process, the worker's models included); goal ≤ 1.5 s (issue 14).
 *
 * `phasesMs` splits each run's wall time (medians over the runs): ffmpeg spawn → first frame; the
 * worker's round trips for frames compared with the card photo and for frames judged for liveness
 * alone (after the first match, face-attempt.ts); the time the loop waited for a newer frame
 * between them; and from the last answer to the decision.
 *
 * `{"bench":"face-attempt-flash"}`: the same with the colour flash on (`face.colourFlash`, issue
 * 14): the rig camera that sees the panel's light (rig/devices/panel-lit-camera.ts) on the
 * pre-rendered `flash-genuine` subject of persona valid, a panel that shows a colour at once, and
 * the flash's three frames after the match (each waits `settleFrames` + 1 camera frames: at 15 fps
 * ~130 ms a colour before its verify).
 */
export async function attemptOnRig(): Promise<void> {
  await attemptRuns(false);
  await attemptRuns(true);
}

async function attemptRuns(withFlash: boolean): Promise<void> {
  const settings = faceSettingsSchema.parse(withFlash ? { colourFlash: {} } : {});
  const flash = colourFlashOptions(settings);
  const subject = withFlash ? await loadLitSubject(flashFramePaths('flash-genuine', 'valid'), 640, 480) : undefined;
  let lit: PanelLight | undefined;
  const worker = await WorkerFaceVerifier.create(verifierOptions(settings));
  const wall: number[] = [];
  const firstFrame: number[] = [];
  const cpu: number[] = [];
  const outcomes: string[] = [];
  const phases: { compared: number[]; waiting: number; afterLast: number }[] = [];
  /** The worker's calls of the current run: when each began and ended. */
  let calls: { start: number; end: number }[] = [];
  const verifier: FaceVerifier = {
    enrolCardPhoto: (img) => worker.enrolCardPhoto(img),
    close: () => worker.close(),
    verify: async (frame) => {
      const start = performance.now();
      const r = await worker.verify(frame);
      calls.push({ start, end: performance.now() });
      return r;
    },
  };
  try {
    await verifier.enrolCardPhoto(await personaFacePhoto('valid'));
    for (let r = 0; r < 3; r++) {
      const ffmpeg = new FfmpegCamera({ input: { kind: 'stills', path: rigCameraSource(withFlash ? 'flash-genuine' : 'genuine', 'valid').path }, width: 640, height: 480, fps: 15, maxRestarts: 2 });
      const camera = withFlash ? new PanelLitCamera(ffmpeg, () => lit, subject) : ffmpeg;
      lit = undefined;
      calls = [];
      const t = performance.now();
      const c = process.cpuUsage();
      let first = NaN;
      const offFrame = camera.onFrame(() => {
        first = performance.now();
        firstFrame.push(first - t);
        offFrame();
      });
      camera.start();
      try {
        const show = async (colour: PanelLight | undefined): Promise<void> => void (lit = colour);
        const result = await runFaceAttempt({ ...attemptOptions(settings), camera, verifier, ...(flash ? { flash: { show, config: flash.config, settleFrames: flash.settleFrames } } : {}) });
        const end = performance.now();
        wall.push(end - t);
        let waiting = 0;
        let previous = first;
        for (const call of calls) {
          waiting += Math.max(0, call.start - previous);
          previous = call.end;
        }
        phases.push({
          compared: calls.map((x) => x.end - x.start),
          waiting,
          afterLast: end - previous,
        });
        const used = process.cpuUsage(c);
        cpu.push((used.user + used.system) / 1000);
        outcomes.push(result.flash ? `${result.outcome}/${result.flash}` : result.outcome);
      } finally {
        await camera.stop();
      }
    }
  } finally {
    await verifier.close();
  }
  const round = (x: number): number => Math.round(x);
  const medianOr = (xs: number[]): number | null => (xs.length > 0 ? round(median(xs)) : null);
  console.log(
    JSON.stringify({
      bench: withFlash ? 'face-attempt-flash' : 'face-attempt',
      what: withFlash
        ? 'camera start (ffmpeg clocking the rig camera that sees the panel, flash-genuine of persona valid) -> decision with the colour flash, worker up and card enrolled'
        : 'camera start (ffmpeg, a still of persona valid) -> decision, worker up and card enrolled, shipped attempt settings',
      runs: wall.length,
      outcomes,
      wallMs: wall.map((x) => Math.round(x)),
      medianWallMs: Math.round(median(wall)),
      medianFirstFrameMs: Math.round(median(firstFrame)),
      phasesMs: {
        spawnToFirstFrame: round(median(firstFrame)),
        comparedFrame: medianOr(phases.flatMap((p) => p.compared)),
        comparedFrames: phases.map((p) => p.compared.length),
        waitingForFrames: round(median(phases.map((p) => p.waiting))),
        lastAnswerToDecision: round(median(phases.map((p) => p.afterLast))),
      },
      // This process's CPU (the worker thread's models included, ffmpeg not): what an idle core would take.
      medianCpuMs: Math.round(median(cpu)),
      loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
      goal: 'camera start -> decision <= 1500 ms (wall, on the rig; these cores are shared)',
      goalMet: median(wall) <= 1500,
    }),
  );
}

if (require.main === module) void run();

/** `timed`, keeping the result. */
async function timedResult<T>(fn: () => Promise<T>): Promise<[number, number, T]> {
  let out: T | undefined;
  const [ms, cpu] = await timed(async () => {
    out = await fn();
  });
  return [ms, cpu, out as T];
}

function countOf(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
