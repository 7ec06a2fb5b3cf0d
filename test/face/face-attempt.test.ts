import assert from 'node:assert/strict';
import { type RgbFrame } from '../../src/devices/camera';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import type { FaceHint, VerifyResult } from '../../src/face/decision';
import { FaceWorkerCrashedError } from '../../src/face/errors';
import { runFaceAttempt } from '../../src/face/face-attempt';
import type { FaceVerifier } from '../../src/face/verifier';
import type { AnyImage } from '../../src/face/image';

const img = { width: 2, height: 2, rgb: new Uint8Array(12) };

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

  it('passes hints on while rejected and ends on the first match', async () => {
    cam = liveCamera();
    const v = new ScriptedVerifier([
      { outcome: 'rejected', hint: 'move-closer' },
      { outcome: 'no-face', hint: 'face-the-camera' },
      { outcome: 'match', score: 0.7 },
    ]);
    const hints: FaceHint[] = [];
    const r = await runFaceAttempt({ camera: cam, verifier: v, onHint: (h) => hints.push(h) });
    assert.equal(r.outcome, 'match');
    assert.equal(r.score, 0.7);
    assert.deepEqual(hints, ['move-closer', 'face-the-camera']);
    assert.equal(v.seen.length, 3);
  });

  it('needs two spoof frames in a row to call a spoof', async () => {
    cam = liveCamera();
    const spoof: VerifyResult = { outcome: 'spoof', liveness: { real: 0.9, live: 0.1 } };
    const v = new ScriptedVerifier([spoof, { outcome: 'no-match', score: 0.3 }, spoof, spoof]);
    const r = await runFaceAttempt({ camera: cam, verifier: v });
    assert.equal(r.outcome, 'spoof');
    assert.equal(r.framesJudged, 4);
  });

  it('gives no-match with the best score after the frame budget', async () => {
    cam = liveCamera();
    const v = new ScriptedVerifier([0.2, 0.45, 0.3].map((score): VerifyResult => ({ outcome: 'no-match', score })));
    const r = await runFaceAttempt({ camera: cam, verifier: v, maxFrames: 3 });
    assert.equal(r.outcome, 'no-match');
    assert.equal(r.score, 0.45);
    assert.equal(v.seen.length, 3);
  });

  it('always judges the newest frame, skipping those that arrived meanwhile', async () => {
    cam = new SimulatedCamera();
    cam.start();
    cam.push(img);
    // While the model works on a frame, five more arrive; only the last of them is judged next.
    const v = new ScriptedVerifier([{ outcome: 'no-match', score: 0.1 }, { outcome: 'match', score: 0.8 }], (call) => {
      if (call === 1) for (let i = 0; i < 5; i++) cam.push(img);
    });
    const r = await runFaceAttempt({ camera: cam, verifier: v });
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
    const m = (yaw: number): VerifyResult => ({ outcome: 'match', score: 0.7, yaw });
    const hints: FaceHint[] = [];
    const turned = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([m(0.02), m(0.1), m(0.41)]), activeCheck: { minYawChange: 0.35 }, onHint: (h) => hints.push(h) });
    assert.equal(turned.outcome, 'match');
    assert.deepEqual(hints, ['turn-head']);
    // A print turned in front of the camera: matches every time, yaw barely moves.
    const flat = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([m(0.02), m(0.08), m(-0.05), m(0.12), m(0.1), m(0.0)]), activeCheck: { minYawChange: 0.35 }, maxFrames: 5 });
    assert.equal(flat.outcome, 'no-turn');
    assert.equal(flat.hint, 'turn-head');
  });

  it('times out when no frame comes', async () => {
    cam = new SimulatedCamera();
    cam.start();
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier([]), timeoutMs: 50 });
    assert.equal(r.outcome, 'timeout');
  });
});
