/**
 * One face-authentication attempt of SPEC §3 step 4, between the camera and the verifier: what
 * the engine's `start-face-match` effect runs before it raises `face-result` or `camera-failed`.
 *
 * A decision per patient, not per frame (issue 14): the attempt is a **burst** that starts with
 * the first frame showing a face and lasts at most `burstMs` (3 s by default). It takes the newest
 * frame each time (never a backlog); frames the quality gate refuses only pass their hint to the
 * panel (`onHint`: come closer, more light, remove the mask …) and the burst goes on. Passive
 * liveness is judged over the burst's judged frames, not frame by frame: the median antispoof and
 * liveness scores of at least `minLiveFrames` frames must reach the minima, and one frame must match
 * the card photo (with its own liveness). **The frames that make the median must be the face that
 * matched**: a frame that did not match counts only when its own descriptor is the matching
 * frame's face (`identity.sameFace`, the same 0-false-accept threshold a frame needs against the
 * card); a frame shown to be another face is left out, and one with no identity (it failed
 * liveness, so it has no descriptor) counts against. Without that, a burst's liveness could be
 * bought with another face: one frame of a print of the holder's card photo that matches, then the
 * impostor's own live face for the rest of the median (`test/face/face-attempt.test.ts`, the swap).
 * (Session 6 closed the swap by asking more than half of the frames to match the card; that also
 * refused genuine patients whose frames mostly scored just under the threshold: docs/face.md.)
 * So one dim or blurred frame no longer ends a genuine patient's attempt as a spoof, and a
 * print that passes liveness on one frame out of five is no longer accepted on that frame
 * (docs/face.md has all three measured). The burst ends at the first such match, at its time limit or
 * after `maxFrames` judged frames (then `spoof` if the burst's liveness failed, else `no-match`),
 * at `timeoutMs` without any face, when the camera fails, when the worker dies (the attempt fails
 * cleanly; the flow counts it as a failed try), or when `signal` aborts (card removed). The engine
 * bounds the number of attempts.
 */
import type { CameraSource, RgbFrame } from '../devices/camera';
import { FACERES_CHALLENGE_LINK, FACERES_MATCH_THRESHOLD, defaultDecisionConfig, similarity, type DecisionConfig, type FaceHint, type LivenessScores, type VerifyResult } from './decision';
import type { FaceVerifier } from './verifier';
import { defaultHeadTurnConfig, judgeHeadTurn, pickDirection, type HeadTurnConfig, type TurnDirection } from './liveness/head-turn';
import type { Point } from './liveness/homography';
import { median } from './stats';
import { defaultFlashConfig, flashSequence, judgeFlash, type FlashColour, type FlashConfig, type FlashFrame, type FlashVerdict } from './liveness/flash';

export type FaceAttemptOutcome = 'match' | 'no-match' | 'spoof' | 'no-face' | 'rejected' | 'camera-failed' | 'error' | 'aborted' | 'timeout' | 'no-turn';

export interface FaceAttemptResult {
  /** The colour-flash cue's verdict, when it ran (`flash` option). */
  flash?: FlashVerdict | 'untied';
  outcome: FaceAttemptOutcome;
  /** Best similarity seen (match / no-match). */
  score?: number;
  /**
   * For the retry screen: the last quality hint, or `follow-turn` when the attempt ended in a
   * head-turn challenge (never the challenge's direction: the next attempt picks its own).
   */
  hint?: FaceHint;
  /** Frames judged (match / no-match / spoof). */
  framesJudged: number;
  /** The burst's median antispoof / liveness scores over its judged frames (absent when none was judged). */
  liveness?: LivenessScores;
  /** Error name when outcome is 'error' (e.g. FaceWorkerCrashedError). */
  error?: string;
}

/**
 * When two frames are one face. `sameFace`: any two frames of a burst, as a frame matches the
 * card. `challengeLink`: a frame of the head-turn challenge and the last frame that counted for
 * the turn (the first: the matching frame), a few degrees of turn apart — lower, because the turn itself
 * lowers the score of one face (decision.ts FACERES_CHALLENGE_LINK has the measurement).
 */
export interface FaceIdentity {
  metric: DecisionConfig['metric'];
  sameFace: number;
  challengeLink: number;
}

/** The burst's defaults (issue 14, docs/face.md). */
export const DEFAULT_BURST_MS = 3000;
export const DEFAULT_MIN_LIVE_FRAMES = 3;

export interface FaceAttemptOptions {
  camera: CameraSource;
  verifier: FaceVerifier;
  /** Length of the burst, from the first frame that shows a face; default DEFAULT_BURST_MS. */
  burstMs?: number;
  /** Frames judged (match / no-match / spoof) at most in a burst; default 30. */
  maxFrames?: number;
  /** Frames looked at in total, waiting for a face included; default 250 (15 s at 15 fps; the time bounds come first). */
  maxLooks?: number;
  /** Judged frames the burst's liveness needs before it can accept; default DEFAULT_MIN_LIVE_FRAMES. */
  minLiveFrames?: number;
  /**
   * The minima the burst's median scores must reach; default the decision's (minReal 0.2,
   * minLive 0.75). `false` only with a verifier whose decision has liveness off (evaluation of
   * matching alone): then the first matching frame wins.
   */
  liveness?: { minReal: number; minLive: number } | false;
  /**
   * When two frames are one face: their descriptors' similarity (`metric`, as the verifier's
   * decision) at or above `sameFace`. Default: FaceRes's cosine at its match threshold (0.80,
   * above every impostor pair of the offline set) — the descriptor the device ships
   * (`attemptOptions()` takes the settings').
   */
  identity?: FaceIdentity;
  /** The whole attempt's budget, waiting for a face included (the engine's face timeout is a little longer); default 15 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onHint?: (hint: FaceHint) => void;
  /**
   * Optional active liveness (experimental, docs/face.md): after the first matching frame, ask
   * for a head turn (`turn-head` hint, the burst starts again from there) and accept only when a
   * later matching frame's yaw proxy differs by at least `minYawChange` (a flat print turned in
   * front of the camera changes it by ≤ 0.2 in 19 of 20 eval faces) and the burst's liveness
   * holds. Without the turn the attempt ends `no-turn`.
   */
  activeCheck?: { minYawChange: number };
  /**
   * The head-turn challenge with its parallax test (issue 14, src/face/liveness/head-turn.ts;
   * needs the engine's 68 landmarks, `FaceEngineOptions.landmarks`). Once the burst would accept
   * (a match, liveness held over enough frames) the panel asks for a turn in a random direction
   * (`turn-left` / `turn-right` hint) and the burst gets `burstMs` more; the frames that follow,
   * as long as each has a face, are the challenge. Passed → `match`; the turn made but flat (a
   * print or a screen turned) → `spoof`; no turn by the end → `no-turn`.
   */
  headTurn?: { config?: HeadTurnConfig; random?: () => number; onChallenge?: (direction: TurnDirection) => void };
  /**
   * The colour-flash cue (issue 14, src/face/liveness/flash.ts; `face.colourFlash`, docs/face.md
   * "Colour flash"). Once the attempt would end in `match` (after the head-turn challenge, when
   * that is on too), the panel shows red and blue in a random order: `show(colour)` resolves once
   * the panel shows it (`undefined`: back to the normal screen, always called at the end); the
   * `settleFrames`-th camera frame after that (default 1: the frame being exposed while the panel
   * changed is skipped) is verified like any other and must be the face that matched — a match, or
   * its own descriptor the matching face (`identity.sameFace`) — or the attempt ends `spoof` (a
   * print that matched, then the impostor's own face under the flash). `live` → `match`; the face
   * too small or dark to measure → `rejected`; a screen or paper → `spoof`. `hold`, when given, is
   * called before the first colour and holds the camera's automatic exposure and white balance
   * (CameraSource.holdExposure); what it resolves with is called after the panel is given back.
   */
  flash?: {
    show(colour: FlashColour | undefined): Promise<void>;
    hold?: () => Promise<() => Promise<void>>;
    random?: () => number;
    config?: FlashConfig;
    settleFrames?: number;
  };
}

/**
 * Passive liveness over a burst: the median antispoof and liveness scores of its judged frames.
 * A median ignores a minority of bad frames either way: a genuine patient's dim or blurred frame,
 * and a print's lucky frame that the liveness model happens to score live.
 */
export function burstLiveness(frames: readonly LivenessScores[]): LivenessScores | undefined {
  if (frames.length === 0) return undefined;
  return { real: median(frames.map((f) => f.real)), live: median(frames.map((f) => f.live)) };
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
  const maxFrames = opts.maxFrames ?? 30;
  const maxLooks = opts.maxLooks ?? 250;
  const burstMs = opts.burstMs ?? DEFAULT_BURST_MS;
  const minLiveFrames = opts.minLiveFrames ?? DEFAULT_MIN_LIVE_FRAMES;
  const minima = opts.liveness ?? { minReal: defaultDecisionConfig.minReal, minLive: defaultDecisionConfig.minLive };
  const minLive = minima ? minLiveFrames : 0;
  const waitUntil = Date.now() + (opts.timeoutMs ?? 15_000);
  // The burst ends at its own limit or at the attempt's, whichever comes first.
  /** When the burst ends; set by the first frame that shows a face. */
  let burstEnd: number | undefined;
  let judged = 0;
  let looks = 0;
  /** Frames that matched and count for acceptance (with `activeCheck`: only once the head turned). */
  let matches = 0;
  const identity: FaceIdentity = opts.identity ?? { metric: 'cosine', sameFace: FACERES_MATCH_THRESHOLD, challengeLink: FACERES_CHALLENGE_LINK };
  /** Every judged frame's verdict, in order, with the liveness scores it brings to a median. */
  const frames: { r: VerifyResult; scores: LivenessScores }[] = [];
  const burstScores = (): LivenessScores | undefined => burstLiveness(frames.map((f) => f.scores));
  let best: number | undefined;
  let hint: FaceHint | undefined;
  let last: VerifyResult | undefined;
  let seq = 0;
  let yaw0: number | undefined;
  /** The running challenge: the asked direction, its frames' landmarks, and the descriptor of its newest frame (the face it follows). */
  let challenge: { direction: TurnDirection; frames: Point[][]; face: Float32Array } | undefined;
  let challenged = false;
  /** The challenge's latest verdict was `flat`: a spoof, if the turn does not pass before the burst ends. */
  let challengeFlat = false;
  const result = (outcome: FaceAttemptOutcome, extra: Partial<FaceAttemptResult> = {}): FaceAttemptResult => {
    const liveness = burstScores();
    return {
      outcome,
      framesJudged: judged,
      ...(best !== undefined ? { score: best } : {}),
      ...(hint ? { hint } : {}),
      ...(liveness ? { liveness } : {}),
      ...extra,
    };
  };
  const live = (): boolean => {
    if (!minima) return true;
    const b = burstScores();
    return b !== undefined && b.real >= minima.minReal && b.live >= minima.minLive;
  };
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

  /** The burst is over (time, frame budget): its decision from what it saw. */
  /** Starts the head-turn challenge on an accepted matching frame with landmarks and its descriptor. */
  function startChallenge(ht: NonNullable<FaceAttemptOptions['headTurn']>, r: VerifyResult & { landmarks: Point[]; probe: Float32Array }): void {
    challenge = { direction: pickDirection(ht.random), frames: [r.landmarks], face: r.probe };
    challenged = true;
    // The direction goes to the screen now; the result keeps `follow-turn`, so a retry screen never
    // shows this attempt's direction while the next one asks for its own (found in session 10).
    hint = 'follow-turn';
    opts.onHint?.(challenge.direction === 'left' ? 'turn-left' : 'turn-right');
    ht.onChallenge?.(challenge.direction);
    burstEnd = Date.now() + burstMs; // time to turn
  }

  /**
   * One frame of a running challenge. **Every frame the turn is judged on is the face that
   * matched** (the swap inside the challenge, found in review in session 9): a frame counts only
   * when it matches the card, or when its own descriptor is the face of the last frame that
   * counted (`identity.challengeLink`; the first is the matching frame). So a print of the
   * holder's card photo can match, but the impostor's own head turning after it is another face
   * and never counts, whatever the print does in between. A frame that cannot be tied — another
   * face, or landmarks without a descriptor (refused by the gate or by liveness) — is passed over:
   * one odd frame of a genuine turn does not undo the turn so far (docs/face.md has the links
   * measured). A frame without a face ends the challenge, which starts again from the next
   * accepted match.
   */
  function headTurnStep(ht: NonNullable<FaceAttemptOptions['headTurn']>, r: VerifyResult): FaceAttemptResult | undefined {
    if (!challenge) return undefined;
    const cfg = ht.config ?? defaultHeadTurnConfig;
    if (!r.landmarks) {
      challenge = undefined;
      return undefined;
    }
    if (!r.probe) return undefined;
    if (r.outcome !== 'match' && similarity(r.probe, challenge.face, identity.metric) < identity.challengeLink) return undefined;
    challenge.face = r.probe;
    challenge.frames.push(r.landmarks);
    if (challenge.frames.length < cfg.minFrames) return undefined;
    const verdict = judgeHeadTurn(challenge.frames, challenge.direction, cfg);
    if (verdict.passed) return result('match');
    // `flat` is final only at the burst's end: a genuine turn reads flat while it is under way
    // (the rig's f01 turn to the right, a third of the way: 18.7° at parallax 0.045; all of it:
    // 43.1° at 0.121), and a print stays flat however far it is tilted.
    challengeFlat = verdict.failure === 'flat';
    return undefined;
  }

  function endOfBurst(): FaceAttemptResult {
    if (judged === 0) return result(last ? (last.outcome as FaceAttemptOutcome) : 'timeout');
    if (!live()) return result('spoof');
    if (challenged) return result(challengeFlat ? 'spoof' : 'no-turn');
    if (yaw0 !== undefined && matches === 0) return result('no-turn');
    // Live, but no frame matched (no-match), or one did and too few frames of its face came to
    // trust the liveness (rejected: look again).
    return result(frames.some((f) => f.r.outcome === 'match') ? 'rejected' : 'no-match');
  }

  /**
   * The frames whose liveness counts for the face of the matching frame `m`: every frame that
   * matched the card, every frame with no identity (it failed liveness: it counts against), and a
   * frame that did not match only when its descriptor is `m`'s face. Left out: frames shown to be
   * another face (the impostor behind a print of the holder, the swap).
   */
  function framesOfFace(m: VerifyResult): LivenessScores[] {
    return frames
      .filter(({ r }) => {
        if (r.outcome === 'match' || r.outcome === 'spoof') return true;
        // no-match: its own descriptor says whose face it is; without one, no tie, no vote.
        return r.probe !== undefined && m.probe !== undefined && similarity(r.probe, m.probe, identity.metric) >= identity.sameFace;
      })
      .map((f) => f.scores);
  }

  /** Some matching frame's face holds a live median over at least `minLive` frames. */
  function acceptable(): boolean {
    for (const { r } of frames) {
      if (r.outcome !== 'match') continue;
      const own = framesOfFace(r);
      if (own.length < minLive) continue;
      if (!minima) return true;
      const b = burstLiveness(own);
      if (b !== undefined && b.real >= minima.minReal && b.live >= minima.minLive) return true;
    }
    return false;
  }

  /** A matching frame counts, unless the active check still waits for the head turn. */
  function countMatch(frame: VerifyResult): void {
    if (opts.activeCheck) {
      const yaw = frame.yaw;
      if (yaw === undefined) return; // no landmarks on this frame; look again
      if (yaw0 === undefined) {
        yaw0 = yaw;
        hint = 'turn-head';
        opts.onHint?.('turn-head');
        burstEnd = Date.now() + burstMs; // time to turn
        return;
      }
      if (Math.abs(yaw - yaw0) < opts.activeCheck.minYawChange) return;
    }
    matches++;
  }

  /**
   * The colour flash after an accepted face (`flash` option): three frames, each tied to the face
   * that was accepted (`accepted`'s descriptor), judged together on the first flash frame's box.
   */
  async function flashStep(fl: NonNullable<FaceAttemptOptions['flash']>, accepted: VerifyResult): Promise<FaceAttemptResult> {
    const shots: FlashFrame[] = [];
    let box: VerifyResult['box'];
    let release: (() => Promise<void>) | undefined;
    try {
      release = await fl.hold?.();
      for (const colour of flashSequence(fl.random ?? Math.random)) {
        await fl.show(colour);
        let frame: RgbFrame | undefined;
        for (let k = 0; k <= (fl.settleFrames ?? 1); k++) {
          frame = await nextFrame(camera, seq, waitUntil, opts.signal);
          seq = frame.seq;
        }
        const r = await verifier.verify(frame!);
        if (opts.signal?.aborted) return result('aborted');
        const tied = r.outcome === 'match' || (r.outcome === 'no-match' && r.probe !== undefined && accepted.probe !== undefined && similarity(r.probe, accepted.probe, identity.metric) >= identity.sameFace);
        if (!tied || !r.box) return result('spoof', { flash: 'untied' });
        box ??= r.box;
        shots.push({ colour, image: { width: frame!.width, height: frame!.height, rgb: frame!.rgb } });
      }
    } catch (err) {
      if (err instanceof AttemptEnd) return result(err.outcome);
      return result('error', { error: err instanceof Error ? err.name : 'Error' });
    } finally {
      await fl.show(undefined);
      await release?.();
    }
    const verdict = judgeFlash(shots, box!, fl.config ?? defaultFlashConfig).verdict;
    if (verdict === 'live') return result('match', { flash: verdict });
    return result(verdict === 'insufficient' ? 'rejected' : 'spoof', { flash: verdict });
  }

  async function judgeFrames(): Promise<FaceAttemptResult> {
    while (judged < maxFrames && looks < maxLooks) {
      if (cameraFailed) return result('camera-failed');
      if (Date.now() >= Math.min(waitUntil, burstEnd ?? Infinity)) break;
      let frame: RgbFrame;
      try {
        frame = await nextFrame(camera, seq, Math.min(waitUntil, burstEnd ?? Infinity), opts.signal);
      } catch (err) {
        if (err instanceof AttemptEnd) {
          if (err.outcome === 'timeout') break;
          return result(err.outcome);
        }
        throw err;
      }
      const takenAt = Date.now();
      seq = frame.seq;
      looks++;
      // Every frame is compared: its descriptor is what ties it to the matching face. (Session 6
      // judged frames after a majority of matches for liveness alone, `compare: false`, ~60 % of a
      // frame's time; a frame without identity can no longer vote, so that saving is gone.)
      try {
        last = await verifier.verify(frame);
      } catch (err) {
        return result('error', { error: err instanceof Error ? err.name : 'Error' });
      }
      if (opts.signal?.aborted) return result('aborted');
      if (cameraFailed) return result('camera-failed');
      if (last.outcome !== 'no-face' && burstEnd === undefined) burstEnd = takenAt + burstMs;
      if (last.hint) {
        hint = last.hint;
        opts.onHint?.(last.hint);
      }
      if (last.score !== undefined) best = Math.max(best ?? -Infinity, last.score);
      if (opts.headTurn && challenge) {
        const turn = headTurnStep(opts.headTurn, last);
        if (turn) return turn.outcome === 'match' && opts.flash ? await flashStep(opts.flash, last) : turn;
        continue;
      }
      if (last.outcome !== 'match' && last.outcome !== 'no-match' && last.outcome !== 'spoof') continue; // refused by the gate: its hint only
      judged++;
      // A verifier that gives no scores (another implementation, a fake) has judged liveness per
      // frame: its verdict stands in for the scores (live for match / no-match, not for spoof).
      const frameScores = last.liveness ?? (last.outcome === 'spoof' ? { real: 0, live: 0 } : { real: 1, live: 1 });
      frames.push({ r: last, scores: frameScores });
      if (last.outcome === 'match') countMatch(last);
      // Accept once a frame matched and its face's liveness holds over enough frames.
      if (matches > 0 && acceptable()) {
        if (!opts.headTurn) return opts.flash ? await flashStep(opts.flash, last) : result('match');
        const r = last;
        if (r.outcome === 'match' && r.landmarks && r.probe) startChallenge(opts.headTurn, { ...r, landmarks: r.landmarks, probe: r.probe });
      }
    }
    return endOfBurst();
  }
}
