/**
 * The head-turn challenge inside the attempt loop (face-attempt.ts `headTurn`): a scripted
 * verifier answers with the landmarks of our 3-D test face or of its flat print, frame by frame.
 */
import assert from 'node:assert/strict';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import type { FaceHint, VerifyResult } from '../../src/face/decision';
import { runFaceAttempt } from '../../src/face/face-attempt';
import type { FaceVerifier } from '../../src/face/verifier';
import type { Point } from '../../src/face/liveness/homography';
import { burst, DIAGONAL, head, print, VERTICAL } from './spoofs/landmark-face';

class ScriptedVerifier implements FaceVerifier {
  calls = 0;
  constructor(private readonly answers: VerifyResult[]) {}
  async enrolCardPhoto(): Promise<void> {}
  async verify(): Promise<VerifyResult> {
    await new Promise((r) => setImmediate(r));
    return this.answers[this.calls++] ?? { outcome: 'no-face' };
  }
  async close(): Promise<void> {}
}

/**
 * A burst: the patient faces the camera while the burst accepts the face (minLiveFrames, 3 by
 * default: two frames before the one that starts the challenge), then turns.
 */
const frames = (seq: Point[][], outcome: VerifyResult['outcome'] = 'match'): VerifyResult[] =>
  [seq[0]!, seq[0]!, ...seq].map((landmarks) => ({ outcome, score: 0.85, landmarks }));
/** Frames from this index on come after the challenge started. */
const TURN_FROM = 3;

describe('runFaceAttempt with the head-turn challenge', () => {
  let cam: SimulatedCamera;
  beforeEach(() => {
    cam = new SimulatedCamera([{ width: 2, height: 2, rgb: new Uint8Array(12) }], 200);
    cam.start();
  });
  afterEach(async () => {
    await cam.stop();
  });

  it('asks for a random direction after the first match and accepts a real turn that way', async () => {
    const hints: FaceHint[] = [];
    // random() = 0.9 → right; the patient's right is a positive angle in the test face's camera.
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(frames(burst(head, VERTICAL, 25))), headTurn: { random: () => 0.9 }, onHint: (h) => hints.push(h) });
    assert.equal(r.outcome, 'match');
    assert.deepEqual(hints, ['turn-right']);
  });

  it('keeps following the face through frames that no longer match while turned', async () => {
    const seq = frames(burst(head, VERTICAL, 25));
    for (const f of seq.slice(TURN_FROM + 1)) f.outcome = 'no-match';
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(seq), headTurn: { random: () => 0.9 } });
    assert.equal(r.outcome, 'match');
  });

  it('a turn the other way is not accepted', async () => {
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(frames(burst(head, VERTICAL, 25))), headTurn: { random: () => 0.1 }, timeoutMs: 2000 });
    assert.equal(r.outcome, 'no-turn');
    assert.equal(r.hint, 'turn-left');
  });

  it('a print tilted to fake the turn ends as spoof', async () => {
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(frames(burst(print, DIAGONAL, 55))), headTurn: { random: () => 0.9 } });
    assert.equal(r.outcome, 'spoof');
  });

  it('a lost face restarts the challenge (no swapping a print for a stranger mid-turn)', async () => {
    const seq = frames(burst(head, VERTICAL, 25));
    seq.splice(TURN_FROM + 2, 0, { outcome: 'rejected', hint: 'face-the-camera' });
    const v = new ScriptedVerifier(seq);
    const r = await runFaceAttempt({ camera: cam, verifier: v, headTurn: { random: () => 0.9 }, timeoutMs: 2000 });
    assert.notEqual(r.outcome, 'match');
    // The challenge restarts from a matching frame and goes on judging frames.
    assert.ok(v.calls > TURN_FROM + 3, String(v.calls));
  });
});
