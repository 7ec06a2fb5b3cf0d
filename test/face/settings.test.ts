import assert from 'node:assert/strict';
import { attemptOptions, createCamera, faceSettingsSchema, verifierOptions } from '../../src/face/settings';

describe('face settings', () => {
  it('fills every default from an empty section', () => {
    const s = faceSettingsSchema.parse({});
    assert.deepEqual(s.camera, { device: '/dev/video0', width: 640, height: 480, fps: 15, stallMs: 3000, maxRestarts: 4 });
    assert.equal(s.descriptor, 'facerec128');
    assert.deepEqual(attemptOptions(s), { maxFrames: 5, timeoutMs: 15_000, spoofFrames: 2 });
    const v = verifierOptions(s);
    assert.equal(v.decision?.matchThreshold, 0.55);
    assert.equal(v.decision?.metric, 'euclidean');
  });

  it('takes the threshold and metric of the chosen descriptor unless overridden', () => {
    const faceres = verifierOptions(faceSettingsSchema.parse({ descriptor: 'faceres' }));
    assert.deepEqual([faceres.decision?.metric, faceres.decision?.matchThreshold, faceres.engine?.descriptor], ['cosine', 0.65, 'faceres']);
    const strict = verifierOptions(faceSettingsSchema.parse({ matchThreshold: 0.6, activeCheck: {} }));
    assert.equal(strict.decision?.matchThreshold, 0.6);
    assert.deepEqual(attemptOptions(faceSettingsSchema.parse({ activeCheck: {} })).activeCheck, { minYawChange: 0.35 });
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
