/**
 * `fcr face check`: a technician's / rig check of the whole face path — the camera (ffmpeg from
 * the device or the rig's persona source), the inference worker (which backend), the card photo
 * of a persona, and a few decisions. Prints one JSON object per line; no image is stored.
 * Exit code 0 when the path works (whatever the verdict), 1 when the camera failed.
 *
 *   fcr face check [--persona valid] [--kind genuine|impostor|photo] [--frames 3] [--device /dev/video0]
 */
import { FfmpegCamera, type CameraInput } from '../../src/devices/camera';
import type { RgbFrame } from '../../src/devices/camera/frame';
import { findPersona, type PersonaName } from '../personas/catalogue';
import { personaFacePhoto, rigCameraSource, type RigFaceKind } from '../personas/face-images';
import type { VerifyResult } from '../../src/face/decision';
import { toGrey } from '../../src/face/image';
import { detectBlink, type BlinkResult } from '../../src/face/liveness/blink';
import { detectBorder, type BorderResult } from '../../src/face/liveness/border';
import { judgeHeadTurn, type HeadTurnResult } from '../../src/face/liveness/head-turn';
import type { Point } from '../../src/face/liveness/homography';
import { WorkerFaceVerifier } from '../../src/face/verifier';
import { parseCommandLine, usageError } from '../../src/cli/args';

export interface FaceCheckOptions {
  persona: PersonaName;
  kind: RigFaceKind;
  frames: number;
  /** A V4L2 device instead of the rig's persona source. */
  device?: string;
  width?: number;
  height?: number;
  fps?: number;
}

/**
 * The liveness checks of issue 14 over the frames seen (src/face/liveness/): the head-turn
 * challenge judged both ways (the technician turns either way; a still source such as the rig's
 * persona image shows `no-turn`), a blink, and the print-border / bezel cue on the last frame
 * with a face. Landmarks themselves are never printed.
 */
export interface LivenessReport {
  landmarkFrames: number;
  headTurn: { left: HeadTurnResult; right: HeadTurnResult };
  blink: BlinkResult;
  border?: BorderResult;
  /**
   * What the colour flash needs of the camera (issue 14): its automatic exposure and white balance
   * held and given back through v4l2-ctl (`held`), not a V4L2 camera (`not-v4l2`: the rig's files),
   * or `failed` with v4l2-ctl's message. The flash itself needs the service's panel: not run here.
   */
  colourFlash: { cameraControls: 'held' | 'not-v4l2' | 'failed'; detail?: string };
}

export interface FaceCheckReport {
  backend: string;
  cameraFrames: number;
  /** Per frame, without the landmarks. */
  decisions: Omit<VerifyResult, 'landmarks'>[];
  liveness: LivenessReport;
  /** match when any decision matched (the flow's retry loop), else the last outcome. */
  verdict: VerifyResult['outcome'] | 'camera-failed';
}

async function nextFrame(camera: FfmpegCamera, after: number, timeoutMs: number): Promise<RgbFrame | undefined> {
  const latest = camera.latestFrame();
  if (latest && latest.seq > after) return latest;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      offFail();
      resolve(undefined);
    }, timeoutMs);
    const off = camera.onFrame((f) => {
      clearTimeout(timer);
      off();
      offFail();
      resolve(f);
    });
    const offFail = camera.on('camera-failed', () => {
      clearTimeout(timer);
      off();
      offFail();
      resolve(undefined);
    });
  });
}

export async function checkFace(opts: FaceCheckOptions, verifier?: WorkerFaceVerifier): Promise<FaceCheckReport> {
  const own = verifier === undefined;
  const v = verifier ?? (await WorkerFaceVerifier.create({ engine: { landmarks: true } }));
  const input: CameraInput = opts.device ? { kind: 'v4l2', device: opts.device } : { kind: 'stills', path: rigCameraSource(opts.kind, opts.persona).path };
  const camera = new FfmpegCamera({ input, width: opts.width ?? 640, height: opts.height ?? 480, fps: opts.fps ?? 10, maxRestarts: 2 });
  const decisions: Omit<VerifyResult, 'landmarks'>[] = [];
  const landmarks: Point[][] = [];
  let border: BorderResult | undefined;
  let seen = 0;
  let failed = false;
  let colourFlash: LivenessReport['colourFlash'] = { cameraControls: 'not-v4l2' };
  try {
    await v.enrolCardPhoto(await personaFacePhoto(opts.persona));
    camera.start();
    for (let i = 0; i < opts.frames; i++) {
      const frame = await nextFrame(camera, seen, 10_000);
      if (!frame) {
        failed = true;
        break;
      }
      seen = frame.seq;
      const { landmarks: points, ...decision } = await v.verify(frame);
      decisions.push(decision);
      if (points) {
        landmarks.push(points);
        border = detectBorder(toGrey(frame), boxOf(points));
      }
    }
    if (input.kind === 'v4l2') {
      try {
        await (await camera.holdExposure())();
        colourFlash = { cameraControls: 'held' };
      } catch (e) {
        colourFlash = { cameraControls: 'failed', detail: (e as Error).message };
      }
    }
  } finally {
    await camera.stop();
    if (own) await v.close();
  }
  const verdict = failed && decisions.length === 0 ? 'camera-failed' : decisions.some((d) => d.outcome === 'match') ? 'match' : (decisions.at(-1)?.outcome ?? 'camera-failed');
  const liveness: LivenessReport = {
    landmarkFrames: landmarks.length,
    headTurn: { left: judgeHeadTurn(landmarks, 'left'), right: judgeHeadTurn(landmarks, 'right') },
    blink: detectBlink(landmarks),
    ...(border ? { border } : {}),
    colourFlash,
  };
  return { backend: v.backend ?? 'unknown', cameraFrames: seen, decisions, liveness, verdict };
}

/** The face box from its landmarks (jaw, brows), grown upwards by a third for the forehead. */
function boxOf(points: readonly Point[]): { x: number; y: number; width: number; height: number } {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  const h = Math.max(...ys) - y;
  return { x, y: y - h / 3, width: Math.max(...xs) - x, height: (h * 4) / 3 };
}

const usage = 'usage: fcr face check [--persona NAME] [--kind genuine|impostor|photo] [--frames N] [--device /dev/videoN]';

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    { persona: { type: 'string', default: 'valid' }, kind: { type: 'string', default: 'genuine' }, frames: { type: 'string', default: '3' }, device: { type: 'string' } },
    usage,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const persona = findPersona(values.persona);
  if (!persona) return usageError(`unknown persona: ${values.persona}`, usage);
  if (!['genuine', 'impostor', 'photo'].includes(values.kind)) return usageError(`--kind must be genuine, impostor or photo: ${values.kind}`, usage);
  const kind = values.kind as RigFaceKind;
  const frames = Number(values.frames);
  if (!Number.isInteger(frames) || frames < 1 || frames > 100) return usageError(`--frames must be 1…100: ${values.frames}`, usage);
  const device = values.device;
  const report = await checkFace({ persona: persona.name, kind, frames, ...(device ? { device } : {}) });
  for (const d of report.decisions) process.stdout.write(JSON.stringify(d) + '\n');
  process.stdout.write(JSON.stringify({ liveness: report.liveness }) + '\n');
  process.stdout.write(JSON.stringify({ backend: report.backend, persona: persona.name, kind, cameraFrames: report.cameraFrames, verdict: report.verdict }) + '\n');
  return report.verdict === 'camera-failed' ? 1 : 0;
}
