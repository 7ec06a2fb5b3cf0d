/**
 * One face-authentication attempt of SPEC §3 step 4, between the camera and the verifier: what
 * the engine's `start-face-match` effect runs before it raises `face-result` or `camera-failed`.
 *
 * It takes the newest frame each time (never a backlog), asks the verifier, passes quality hints
 * to the panel as they come (`onHint`), and ends on the first `match`, on `spoofFrames`
 * consecutive spoof frames (one alone can be a bad frame: 3/160 degraded genuine frames were
 * called spoofs in the eval), after `maxFrames` judged frames, at `timeoutMs`, when the camera
 * fails, when the worker dies (the attempt fails cleanly; the flow counts it as a failed try), or
 * when `signal` aborts (card removed). The engine bounds the number of attempts.
 */
import type { CameraSource, RgbFrame } from '../devices/camera';
import type { FaceHint, VerifyResult } from './decision';
import type { FaceVerifier } from './verifier';
import { defaultHeadTurnConfig, judgeHeadTurn, pickDirection, type HeadTurnConfig, type TurnDirection } from './liveness/head-turn';
import type { Point } from './liveness/homography';

export type FaceAttemptOutcome = 'match' | 'no-match' | 'spoof' | 'no-face' | 'rejected' | 'camera-failed' | 'error' | 'aborted' | 'timeout' | 'no-turn';

export interface FaceAttemptResult {
  outcome: FaceAttemptOutcome;
  /** Best similarity seen (match / no-match). */
  score?: number;
  /** Last quality hint, for the retry screen. */
  hint?: FaceHint;
  framesJudged: number;
  /** Error name when outcome is 'error' (e.g. FaceWorkerCrashedError). */
  error?: string;
}

export interface FaceAttemptOptions {
  camera: CameraSource;
  verifier: FaceVerifier;
  /** Frames actually judged (match/no-match/spoof) before giving up; default 5. */
  maxFrames?: number;
  /** Frames looked at in total, including rejected ones; default 40. */
  maxLooks?: number;
  spoofFrames?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onHint?: (hint: FaceHint) => void;
  /**
   * Optional active liveness (experimental, docs/face.md): after the first matching frame, ask
   * for a head turn (`turn-head` hint) and accept only when a later matching frame's yaw proxy
   * differs by at least `minYawChange` (a flat print turned in front of the camera changes it by
   * ≤ 0.2 in 19 of 20 eval faces). Without the turn the attempt ends `no-turn`.
   */
  activeCheck?: { minYawChange: number };
  /**
   * The head-turn challenge with its parallax test (issue 14, src/face/liveness/head-turn.ts;
   * needs the engine's 68 landmarks, `FaceEngineOptions.landmarks`). After the first matching
   * frame the panel asks for a turn in a random direction (`turn-left` / `turn-right` hint); the
   * frames that follow, as long as each has a face, are the challenge. Passed → `match`; the
   * turn made but flat (a print or a screen turned) → `spoof`; no turn by the end → `no-turn`.
   */
  headTurn?: { config?: HeadTurnConfig; random?: () => number; onChallenge?: (direction: TurnDirection) => void };
}

class AttemptEnd extends Error {
  constructor(readonly outcome: 'camera-failed' | 'aborted' | 'timeout') {
    super(outcome);
  }
}

/** Resolves with the first frame newer than `afterSeq`; rejects with AttemptEnd on failure/abort/deadline. */
function nextFrame(camera: CameraSource, afterSeq: number, deadline: number, signal?: AbortSignal): Promise<RgbFrame> {
  const latest = camera.latestFrame();
  if (latest && latest.seq > afterSeq) return Promise.resolve(latest);
  return new Promise((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const done = (): void => cleanups.forEach((c) => c());
    const timer = setTimeout(() => (done(), reject(new AttemptEnd('timeout'))), Math.max(0, deadline - Date.now()));
    cleanups.push(() => clearTimeout(timer));
    cleanups.push(camera.onFrame((f) => (done(), resolve(f))));
    cleanups.push(camera.on('camera-failed', () => (done(), reject(new AttemptEnd('camera-failed')))));
    if (signal) {
      const onAbort = (): void => (done(), reject(new AttemptEnd('aborted')));
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
  });
}

export async function runFaceAttempt(opts: FaceAttemptOptions): Promise<FaceAttemptResult> {
  const { camera, verifier } = opts;
  const maxFrames = opts.maxFrames ?? 5;
  const maxLooks = opts.maxLooks ?? 40;
  const spoofFrames = opts.spoofFrames ?? 2;
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let judged = 0;
  let looks = 0;
  let spoofRun = 0;
  let spoofTotal = 0;
  let noMatchTotal = 0;
  let best: number | undefined;
  let hint: FaceHint | undefined;
  let last: VerifyResult | undefined;
  let seq = 0;
  let yaw0: number | undefined;
  let challenge: { direction: TurnDirection; frames: Point[][] } | undefined;
  let challenged = false;
  const result = (outcome: FaceAttemptOutcome, extra: Partial<FaceAttemptResult> = {}): FaceAttemptResult => ({
    outcome,
    framesJudged: judged,
    ...(best !== undefined ? { score: best } : {}),
    ...(hint ? { hint } : {}),
    ...extra,
  });
  if (opts.signal?.aborted) return result('aborted');
  if (!camera.running) return result('camera-failed');
  // The camera can die while the model works on a frame, when nobody waits for a frame: listen for
  // the whole attempt, or the failure is lost and the attempt runs to its deadline (found by the
  // tests' sleep removal, issue 11).
  let cameraFailed = false;
  const offFailed = camera.on('camera-failed', () => {
    cameraFailed = true;
  });
  try {
    return await judgeFrames();
  } finally {
    offFailed();
  }

  /**
   * One frame of the head-turn challenge: starts it on the first match with landmarks, collects
   * the following frames' landmarks (a frame without a face restarts it: the same face must be
   * seen throughout, or a print could match and a stranger turn), judges once enough frames came.
   */
  function headTurnStep(ht: NonNullable<FaceAttemptOptions['headTurn']>, r: VerifyResult): FaceAttemptResult | undefined {
    const cfg = ht.config ?? defaultHeadTurnConfig;
    if (!challenge) {
      if (r.outcome !== 'match' || !r.landmarks) return undefined;
      challenge = { direction: pickDirection(ht.random), frames: [r.landmarks] };
      challenged = true;
      hint = challenge.direction === 'left' ? 'turn-left' : 'turn-right';
      opts.onHint?.(hint);
      ht.onChallenge?.(challenge.direction);
      return undefined;
    }
    if (r.outcome === 'spoof') {
      spoofRun++;
      spoofTotal++;
      return spoofRun >= spoofFrames ? result('spoof') : undefined;
    }
    spoofRun = 0;
    if (!r.landmarks) {
      challenge = undefined; // the face was lost: start again from a match
      return undefined;
    }
    challenge.frames.push(r.landmarks);
    if (challenge.frames.length < cfg.minFrames) return undefined;
    const verdict = judgeHeadTurn(challenge.frames, challenge.direction, cfg);
    if (verdict.passed) return result('match');
    if (verdict.failure === 'flat') return result('spoof');
    return undefined;
  }

  async function judgeFrames(): Promise<FaceAttemptResult> {
  while (judged < maxFrames && looks < maxLooks) {
    if (cameraFailed) return result('camera-failed');
    let frame: RgbFrame;
    try {
      frame = await nextFrame(camera, seq, deadline, opts.signal);
    } catch (err) {
      if (err instanceof AttemptEnd) {
        if (err.outcome === 'timeout' && (yaw0 !== undefined || challenged)) return result('no-turn');
        return result(err.outcome === 'timeout' && last ? (last.outcome as FaceAttemptOutcome) : err.outcome);
      }
      throw err;
    }
    seq = frame.seq;
    looks++;
    try {
      last = await verifier.verify(frame);
    } catch (err) {
      return result('error', { error: err instanceof Error ? err.name : 'Error' });
    }
    if (opts.signal?.aborted) return result('aborted');
    if (cameraFailed) return result('camera-failed');
    if (last.hint) {
      hint = last.hint;
      opts.onHint?.(last.hint);
    }
    if (last.score !== undefined) best = Math.max(best ?? -Infinity, last.score);
    if (opts.headTurn) {
      const turn = headTurnStep(opts.headTurn, last);
      if (turn) return turn;
      if (challenge) continue;
    }
    switch (last.outcome) {
      case 'match': {
        if (!opts.activeCheck) return result('match');
        const yaw = last.yaw;
        if (yaw === undefined) break; // no landmarks on this frame; look again
        if (yaw0 === undefined) {
          yaw0 = yaw;
          hint = 'turn-head';
          opts.onHint?.('turn-head');
          break;
        }
        judged++;
        if (Math.abs(yaw - yaw0) >= opts.activeCheck.minYawChange) return result('match');
        break;
      }
      case 'spoof':
        judged++;
        spoofRun++;
        spoofTotal++;
        if (spoofRun >= spoofFrames) return result('spoof');
        break;
      case 'no-match':
        judged++;
        noMatchTotal++;
        spoofRun = 0;
        break;
      default:
        spoofRun = 0; // rejected / no-face: not judged, keep looking
    }
  }
  if ((yaw0 !== undefined || challenged) && noMatchTotal === 0 && spoofTotal === 0) return result('no-turn');
  return result(noMatchTotal > 0 ? 'no-match' : spoofTotal > 0 ? 'spoof' : (last?.outcome ?? 'no-face'));
  }
}
