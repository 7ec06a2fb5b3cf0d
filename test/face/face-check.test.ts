import assert from 'node:assert/strict';
import { checkFace } from '../../rig/cli/face-check';
import { WorkerFaceVerifier } from '../../src/face/verifier';

describe('face check: rig camera (real ffmpeg) → worker verifier', function () {
  this.timeout(60_000);
  let verifier: WorkerFaceVerifier;
  before(async () => {
    verifier = await WorkerFaceVerifier.create({ engine: { landmarks: true } });
  });
  after(async () => {
    await verifier.close();
  });

  it('matches the genuine persona from the camera and reports the wasm backend', async () => {
    const r = await checkFace({ persona: 'valid', kind: 'genuine', frames: 2, width: 640, height: 480, fps: 5 }, verifier);
    assert.equal(r.backend, 'wasm');
    assert.equal(r.decisions.length, 2);
    assert.equal(r.verdict, 'match', JSON.stringify(r.decisions));
  });

  it('reports the liveness checks: a still source does not turn, and no landmarks are printed', async () => {
    const r = await checkFace({ persona: 'valid', kind: 'photo', frames: 5, width: 640, height: 480, fps: 5 }, verifier);
    assert.equal(r.liveness.landmarkFrames, 5, JSON.stringify(r.liveness));
    assert.equal(r.liveness.headTurn.left.passed, false);
    assert.equal(r.liveness.headTurn.right.passed, false);
    assert.ok(Math.abs(r.liveness.headTurn.left.yawChangeDeg) < 5, JSON.stringify(r.liveness.headTurn));
    assert.ok(r.liveness.border, 'border cue reported');
    assert.deepEqual(r.liveness.colourFlash, { cameraControls: 'not-v4l2' }, "the rig's still has no camera controls to hold");
    assert.ok(r.decisions.every((d) => !('landmarks' in d)));
  });

  it('does not match the rig impostor', async () => {
    const r = await checkFace({ persona: 'valid', kind: 'impostor', frames: 2, width: 640, height: 480, fps: 5 }, verifier);
    assert.notEqual(r.verdict, 'match', JSON.stringify(r.decisions));
  });

  it('reports camera-failed when there is no camera', async () => {
    const r = await checkFace({ persona: 'valid', kind: 'genuine', frames: 1, device: '/dev/video-none' }, verifier);
    assert.equal(r.verdict, 'camera-failed');
    assert.equal(r.decisions.length, 0);
    // The colour flash's camera controls are tried through Debian's v4l2-ctl, and its reason shown.
    assert.equal(r.liveness.colourFlash.cameraControls, 'failed');
    assert.match(r.liveness.colourFlash.detail ?? '', /Cannot open device \/dev\/video-none/);
  });
});
