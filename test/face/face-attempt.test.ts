import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { type RgbFrame } from '../../src/devices/camera';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import type { FaceHint, VerifyResult } from '../../src/face/decision';
import { FaceWorkerCrashedError } from '../../src/face/errors';
import { burstLiveness, runFaceAttempt, type FaceAttemptResult } from '../../src/face/face-attempt';
import type { FaceVerifier } from '../../src/face/verifier';
import type { AnyImage } from '../../src/face/image';

const img = { width: 2, height: 2, rgb: new Uint8Array(12) };
/** Frames the liveness models score live / as a print, with a similarity. */
const live = { real: 0.7, live: 0.95 };
const flat = { real: 0.8, live: 0.4 };
/** Descriptors of two faces (cosine 0 between them; the attempt's default sameFace is 0.80). */
const HOLDER = Float32Array.from([1, 0, 0]);
const OTHER = Float32Array.from([0, 1, 0]);
/** The holder's face on a later frame: cosine 0.96 with HOLDER, the same face. */
const HOLDER_AGAIN = Float32Array.from([0.96, 0.28, 0]);
const match = (score = 0.9, probe = HOLDER): VerifyResult => ({ outcome: 'match', score, liveness: live, probe });
const noMatch = (score: number, probe = HOLDER_AGAIN): VerifyResult => ({ outcome: 'no-match', score, liveness: live, probe });
const spoof: VerifyResult = { outcome: 'spoof', liveness: flat };

/** A verifier answering from a script, one answer per call; records the frames' seq. */
class ScriptedVerifier implements FaceVerifier {
  seen: number[] = [];
  constructor(
    private readonly answers: (VerifyResult | Error)[],
    private readonly during?: (call: number) => void,
  ) {}
  async enrolCardPhoto(): Promise<void> {}
  async verify(frame: AnyImage): Promise<VerifyResult> {
    this.seen.push((frame as RgbFrame).seq);
    this.during?.(this.seen.length);
    await new Promise((r) => setImmediate(r));
    const a = this.answers[this.seen.length - 1] ?? { outcome: 'no-face' };
    if (a instanceof Error) throw a;
    return a;
  }
  async close(): Promise<void> {}
}

/** A camera that produces a frame whenever asked for one (frames pushed on a timer). */
function liveCamera(): SimulatedCamera {
  const cam = new SimulatedCamera([img], 200);
  cam.start();
  return cam;
}

describe('runFaceAttempt', () => {
  let cam: SimulatedCamera;
  afterEach(async () => {
    await cam.stop();
  });

  it('passes hints on while rejected and accepts once the burst holds enough live frames of the matching face', async () => {
    cam = liveCamera();
    const v = new ScriptedVerifier([{ outcome: 'rejected', hint: 'move-closer' }, { outcome: 'no-face', hint: 'face-the-camera' }, noMatch(0.7), match(0.85), match(0.9)]);
    const hints: FaceHint[] = [];
    const r = await runFaceAttempt({ camera: cam, verifier: v, onHint: (h) => hints.push(h) });
    assert.equal(r.outcome, 'match');
    assert.equal(r.score, 0.9, 'the best score of the compared frames');
    assert.deepEqual(hints, ['move-closer', 'face-the-camera']);
    assert.equal(v.seen.length, 5, 'three judged frames (the default minLiveFrames) of one face, two of them matches');
    assert.equal(r.framesJudged, 3);
  });

  it('one dim frame the liveness models call a spoof does not end a genuine burst', async () => {
    cam = liveCamera();
    // The per-frame rule before issue 14 ended this burst as a spoof on the second frame.
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([spoof, spoof, match(), match(), match()]) });
    assert.equal(r.outcome, 'match');
    assert.equal(r.framesJudged, 5, 'the median is live only from the fifth frame on');
  });

  it('a print that the liveness models call live on one frame in five is a spoof, and its lucky frame is not accepted', async () => {
    cam = liveCamera();
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([match(), spoof, spoof, spoof, spoof]), maxFrames: 5 });
    assert.equal(r.outcome, 'spoof');
    assert.deepEqual(r.liveness, flat);
  });

  it('gives no-match with the best score after the frame budget when the burst was live', async () => {
    cam = liveCamera();
    const v = new ScriptedVerifier([0.2, 0.45, 0.3].map((x) => noMatch(x)));
    const r = await runFaceAttempt({ camera: cam, verifier: v, maxFrames: 3 });
    assert.equal(r.outcome, 'no-match');
    assert.equal(r.score, 0.45);
    assert.equal(v.seen.length, 3);
  });

  it('takes the per-frame verdicts of a verifier that gives no scores as its liveness', async () => {
    cam = liveCamera();
    const bare = (outcome: 'match' | 'spoof'): VerifyResult => ({ outcome, ...(outcome === 'match' ? { score: 0.9 } : {}) });
    const ok = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([bare('match'), bare('match'), bare('match')]) });
    assert.equal(ok.outcome, 'match');
    const flatBurst = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([bare('match'), bare('spoof'), bare('spoof')]), maxFrames: 3 });
    assert.equal(flatBurst.outcome, 'spoof');
  });

  it('accepts a genuine burst on one match when the other frames are the same face just under the threshold', async () => {
    cam = liveCamera();
    // Session 6's majority rule refused this burst (one match of three): the augmented genuine
    // bursts it lost scored 0.7x on most frames and above 0.80 on one (docs/face.md).
    const v = new ScriptedVerifier([noMatch(0.78), match(0.82), noMatch(0.77)]);
    const r = await runFaceAttempt({ camera: cam, verifier: v });
    assert.deepEqual([r.outcome, r.framesJudged, r.score], ['match', 3, 0.82]);
    // The same scores from another face around the match: not its frames, no acceptance.
    const other = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([noMatch(0.78, OTHER), match(0.82), noMatch(0.77, OTHER)]), maxFrames: 3 });
    assert.deepEqual([other.outcome, other.framesJudged], ['rejected', 3]);
  });

  it('a print of the holder that matches once, then the impostor\'s own live face, is not accepted (the swap)', async () => {
    cam = liveCamera();
    // Frame 1: a print of the card photo, lucky on liveness, matches. Then the impostor: live, not
    // the holder. The burst's median liveness is live; only the identity of the frames stops it.
    const swap = new ScriptedVerifier([match(0.85), ...Array.from({ length: 5 }, () => noMatch(0.3, OTHER))]);
    const r = await runFaceAttempt({ camera: cam, verifier: swap, maxFrames: 6 });
    assert.equal(r.outcome, 'rejected');
    assert.equal(r.framesJudged, 6);
    // Frames with no descriptor (a verifier that gives none) are no identity either: no vote.
    const bare = { outcome: 'no-match' as const, score: 0.3, liveness: live };
    const anonymous = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([match(0.85), bare, bare, bare]), maxFrames: 4 });
    assert.equal(anonymous.outcome, 'rejected');
    // Print frames that fail liveness count against the face that matched: a spoof at the end.
    const printed = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([match(0.85), spoof, noMatch(0.3, OTHER), spoof]), maxFrames: 4 });
    assert.equal(printed.outcome, 'spoof', 'the matching face\'s frames are flat (median of 0.95, 0.4, 0.4)');
  });

  it('medians the antispoof and liveness scores separately', () => {
    assert.deepEqual(burstLiveness([{ real: 0.1, live: 0.9 }, { real: 0.5, live: 0.2 }, { real: 0.9, live: 0.8 }]), { real: 0.5, live: 0.8 });
    assert.deepEqual(burstLiveness([{ real: 0.2, live: 0.6 }, { real: 0.4, live: 1 }]), { real: 0.30000000000000004, live: 0.8 });
    assert.equal(burstLiveness([]), undefined);
  });

  it('always judges the newest frame, skipping those that arrived meanwhile', async () => {
    cam = new SimulatedCamera();
    cam.start();
    cam.push(img);
    // While the model works on a frame, five more arrive; only the last of them is judged next.
    const v = new ScriptedVerifier([match(0.8), match(0.8)], (call) => {
      if (call === 1) for (let i = 0; i < 5; i++) cam.push(img);
    });
    const r = await runFaceAttempt({ camera: cam, verifier: v, minLiveFrames: 2 });
    assert.equal(r.outcome, 'match');
    assert.deepEqual(v.seen, [1, 6]);
  });

  it('fails cleanly when the worker dies, the camera fails, or the card is removed', async () => {
    cam = liveCamera();
    const crashed = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([new FaceWorkerCrashedError('face verification', 70)]) });
    assert.deepEqual([crashed.outcome, crashed.error], ['error', 'FaceWorkerCrashedError']);

    // A camera with no frames: the attempt is waiting for its first frame as soon as it has
    // started (it subscribes before its first await), so fail and abort land during the wait —
    // no timer that hopes the attempt has got there.
    await cam.stop();
    cam = new SimulatedCamera();
    cam.start();
    const failing = runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([]) });
    cam.fail();
    assert.equal((await failing).outcome, 'camera-failed');

    cam = new SimulatedCamera();
    cam.start();
    const ac = new AbortController();
    const aborting = runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([]), signal: ac.signal });
    ac.abort();
    const aborted = await aborting;
    assert.equal(aborted.outcome, 'aborted');
  });

  it('a camera that dies while the model judges a frame ends the attempt as camera-failed, at once', async () => {
    cam = liveCamera();
    const verifier = new ScriptedVerifier([{ outcome: 'no-face' }], (call) => {
      if (call === 1) cam.fail(); // nobody is waiting for a frame at this moment
    });
    const r = await runFaceAttempt({ camera: cam, verifier, timeoutMs: 60_000 });
    assert.equal(r.outcome, 'camera-failed');
    assert.equal(verifier.seen.length, 1, 'no frame judged after the failure');
  });

  it('with the active check, asks for a head turn and accepts only a real change of yaw', async () => {
    cam = liveCamera();
    const m = (yaw: number): VerifyResult => ({ ...match(0.9), yaw });
    const hints: FaceHint[] = [];
    const turned = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([m(0.02), m(0.1), m(0.41)]), activeCheck: { minYawChange: 0.35 }, onHint: (h) => hints.push(h) });
    assert.equal(turned.outcome, 'match');
    assert.deepEqual(hints, ['turn-head']);
    assert.equal(turned.framesJudged, 3);
    // A print turned in front of the camera: matches every time, yaw barely moves.
    const flat = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([m(0.02), m(0.08), m(-0.05), m(0.12), m(0.1), m(0.0)]), activeCheck: { minYawChange: 0.35 }, maxFrames: 5 });
    assert.equal(flat.outcome, 'no-turn');
    assert.equal(flat.hint, 'turn-head');
  });

  describe('the burst is bounded by time (fake timers)', () => {
    let clock: ReturnType<typeof FakeTimers.install>;
    beforeEach(() => {
      clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    });
    afterEach(() => clock.uninstall());

    /** A verifier that takes `ms` of (fake) time per frame and answers from `answer(call)`. */
    function slowVerifier(ms: number, answer: (startedAt: number) => VerifyResult): FaceVerifier & { calls: number[] } {
      const calls: number[] = [];
      return {
        calls,
        enrolCardPhoto: async () => undefined,
        verify: async () => {
          const startedAt = Date.now();
          calls.push(startedAt);
          await new Promise((r) => setTimeout(r, ms));
          return answer(startedAt);
        },
        close: async () => undefined,
      };
    }

    it('ends a live burst that never matches 3 s after the first face, with no-match, not at the 15 s timeout', async () => {
      cam = new SimulatedCamera([img], 10);
      cam.start();
      const t0 = Date.now();
      // 1 s without a face (the patient walks up), then live frames that do not match.
      const v = slowVerifier(150, (at) => (at - t0 < 1000 ? { outcome: 'no-face', hint: 'face-the-camera' } : noMatch(0.5)));
      const state: { done?: FaceAttemptResult } = {};
      const done = (): FaceAttemptResult | undefined => state.done;
      const attempt = runFaceAttempt({ camera: cam, verifier: v }).then((r) => (state.done = r));
      await clock.tickAsync(3900);
      assert.equal(done(), undefined, 'still in the burst 2.9 s after the first face');
      await clock.tickAsync(400);
      assert.equal(done()?.outcome, 'no-match');
      const r = await attempt;
      const lastFrameAt = (v.calls.at(-1) ?? 0) - t0;
      assert.ok(lastFrameAt >= 3800 && lastFrameAt < 4100, `last frame judged at ${lastFrameAt} ms, the burst began at ~1000 ms`);
      assert.ok(r.framesJudged >= 18 && r.framesJudged <= 21, `${r.framesJudged} frames judged in 3 s at 150 ms a frame`);
    });

    it('compares every frame of a genuine burst and decides on the third (issue 14)', async () => {
      // A camera at 10 fps (a frame every 100 ms from t = 100) and a worker that takes 150 ms for a
      // compared frame (about the rig's figure).
      cam = new SimulatedCamera([img], 10);
      cam.start();
      const t0 = Date.now();
      const judged: number[] = [];
      const v: FaceVerifier = {
        enrolCardPhoto: async () => undefined,
        verify: async () => {
          judged.push(Date.now() - t0);
          await new Promise((r) => setTimeout(r, 150));
          return match();
        },
        close: async () => undefined,
      };
      const state: { done?: FaceAttemptResult; at?: number } = {};
      const attempt = runFaceAttempt({ camera: cam, verifier: v }).then((r) => {
        state.done = r;
        state.at = Date.now() - t0;
      });
      await clock.tickAsync(1000);
      await attempt;
      // Frame 1 (t 100) compared until 250; the newest then, frame 2, until 400; frame 4 (t 400)
      // until 550: three judged frames of one face. (Session 6 judged the third for liveness
      // alone and decided at 460; such a frame has no identity, so it can no longer vote.)
      assert.deepEqual(judged, [100, 250, 400]);
      assert.deepEqual([state.done?.outcome, state.at], ['match', 550]);
    });

    it('takes the burst length from the settings (burstMs) and calls a flat burst a spoof at its end', async () => {
      cam = new SimulatedCamera([img], 10);
      cam.start();
      const t0 = Date.now();
      const v = slowVerifier(100, () => spoof);
      const attempt = runFaceAttempt({ camera: cam, verifier: v, burstMs: 1000 });
      await clock.tickAsync(1500);
      const r = await attempt;
      assert.equal(r.outcome, 'spoof');
      assert.ok((v.calls.at(-1) ?? 0) - t0 < 1200, 'no frame judged after the 1 s burst');
    });

    it('waits for a face up to the timeout: the burst has not begun', async () => {
      cam = new SimulatedCamera([img], 10);
      cam.start();
      const v = slowVerifier(100, () => ({ outcome: 'no-face', hint: 'face-the-camera' }));
      const state: { done?: FaceAttemptResult } = {};
      const done = (): FaceAttemptResult | undefined => state.done;
      const attempt = runFaceAttempt({ camera: cam, verifier: v, timeoutMs: 8000 }).then((r) => (state.done = r));
      await clock.tickAsync(7000);
      assert.equal(done(), undefined);
      await clock.tickAsync(1500);
      const r = await attempt;
      assert.deepEqual([r.outcome, r.hint], ['no-face', 'face-the-camera']);
    });
  });

  it('times out when no frame comes', async () => {
    cam = new SimulatedCamera();
    cam.start();
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([]), timeoutMs: 50 });
    assert.equal(r.outcome, 'timeout');
  });
});
