import assert from 'node:assert/strict';
import { attemptOptions, createCamera, faceSettingsSchema, verifierOptions } from '../../src/face/settings';

describe('face settings', () => {
  it('fills every default from an empty section', () => {
    const s = faceSettingsSchema.parse({});
    assert.deepEqual(s.camera, { device: '/dev/video0', width: 640, height: 480, fps: 15, stallMs: 3000, maxRestarts: 4 });
    assert.deepEqual([s.descriptor, s.detector, s.cropSize], ['faceres', 'blazeface-front', 192]);
    assert.deepEqual(attemptOptions(s), { burstMs: 3000, maxFrames: 30, minLiveFrames: 3, timeoutMs: 15_000, liveness: { minReal: 0.2, minLive: 0.75 }, identity: { metric: 'cosine', sameFace: 0.8, challengeLink: 0.76 } });
    assert.equal(faceSettingsSchema.safeParse({ attempt: { burstMs: 30_000 } }).success, false, 'a burst is seconds, not half a minute');
    const v = verifierOptions(s);
    assert.deepEqual(v.engine, { descriptor: 'faceres', detector: 'blazeface-front', faceCrop: { size: 192, localContrast: true }, faceResRuntime: 'onnx' });
    assert.equal(v.decision?.matchThreshold, 0.8);
    assert.equal(v.decision?.metric, 'best-cosine', 'the global and the CLAHE descriptors, compared like with like');
    assert.deepEqual(v.warmUp, { width: 640, height: 480 }, 'the worker warms up for the camera\'s frames');
  });

  it('takes the threshold and metric of the chosen descriptor unless overridden', () => {
    const legacy = verifierOptions(faceSettingsSchema.parse({ descriptor: 'facerec128' }));
    assert.deepEqual([legacy.decision?.metric, legacy.decision?.matchThreshold, legacy.engine?.descriptor], ['euclidean', 0.55, 'facerec128']);
    const strict = verifierOptions(faceSettingsSchema.parse({ matchThreshold: 0.6, activeCheck: {} }));
    assert.equal(strict.decision?.matchThreshold, 0.6);
    assert.deepEqual(attemptOptions(faceSettingsSchema.parse({ matchThreshold: 0.6 })).identity, { metric: 'cosine', sameFace: 0.6, challengeLink: 0.6 }, 'two frames are one face as a frame is the card\'s');
    assert.deepEqual(attemptOptions(faceSettingsSchema.parse({ descriptor: 'facerec128' })).identity, { metric: 'euclidean', sameFace: 0.55, challengeLink: 0.55 });
    const single = faceSettingsSchema.parse({ localContrast: false });
    assert.deepEqual([verifierOptions(single).decision?.metric, verifierOptions(single).engine?.faceCrop, attemptOptions(single).identity?.metric], ['cosine', { size: 192, localContrast: false }, 'cosine'], 'one preparation: plain cosine');
    assert.deepEqual(attemptOptions(faceSettingsSchema.parse({ activeCheck: {} })).activeCheck, { minYawChange: 0.35 });
  });

  it('FaceRes runs on ONNX Runtime unless the section asks for TF.js (no other runtime)', () => {
    assert.equal(verifierOptions(faceSettingsSchema.parse({ faceResRuntime: 'tfjs' })).engine?.faceResRuntime, 'tfjs');
    assert.equal(faceSettingsSchema.safeParse({ faceResRuntime: 'tensorflow' }).success, false);
  });

  it('the head-turn challenge is off by default; on, it loads the landmarks and reaches the attempt', () => {
    assert.equal(verifierOptions(faceSettingsSchema.parse({})).engine?.landmarks, undefined);
    const s = faceSettingsSchema.parse({ headTurn: {} });
    assert.equal(verifierOptions(s).engine?.landmarks, true);
    assert.deepEqual(attemptOptions(s).headTurn, { config: { minFrames: 5, minYawDeg: 15, minParallax: 0.07 } });
  });

  it('reports every invalid field at once', () => {
    const r = faceSettingsSchema.safeParse({ camera: { fps: 0, width: 99999 }, matchThreshold: 2, descriptor: 'magic' });
    assert.equal(r.success, false);
    const paths = (r.error?.issues ?? []).map((i) => i.path.join('.')).sort();
    assert.deepEqual(paths, ['camera.fps', 'camera.width', 'descriptor', 'matchThreshold']);
  });

  it('builds the V4L2 camera from the settings without starting it', () => {
    const cam = createCamera(faceSettingsSchema.parse({ camera: { device: '/dev/video2', fps: 10 } }));
    assert.equal(cam.running, false);
    assert.equal(cam.pid, undefined);
  });
});
