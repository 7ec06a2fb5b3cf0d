import assert from 'node:assert/strict';
import { FaceEngine, withModelFetch } from '../../src/face/engine';
import { defaultModelDir } from '../../src/face/manifest';
import { NetworkFetchRefusedError } from '../../src/face/errors';
import { cameraProbe, cardPhoto } from './eval-set';

describe('FaceEngine (in-thread, real models)', () => {
  let engine: FaceEngine;
  before(async () => {
    engine = await FaceEngine.create();
  });

  it('runs on WebAssembly with the shipped models, never the CPU backend', () => {
    assert.equal(engine.backend, 'wasm');
    assert.deepEqual(engine.models, ['blazeface', 'landmark68', 'facerec128', 'antispoof', 'liveness']);
  });

  it('loads models with a fetch that refuses anything but local model files, then restores fetch', async () => {
    const original = globalThis.fetch;
    await withModelFetch(defaultModelDir, async () => {
      await assert.rejects(fetch('https://cdn.example.invalid/model.json'), NetworkFetchRefusedError);
      await assert.rejects(fetch('file:///etc/passwd'), NetworkFetchRefusedError);
      const res = await fetch(new URL('blazeface.json', `file://${defaultModelDir}/`));
      assert.equal(((await res.json()) as { format: string }).format, 'graph-model');
    });
    assert.equal(globalThis.fetch, original);
  });

  it('finds one face with a 128-D descriptor and liveness scores in a camera view', async () => {
    const a = await engine.analyse(await cameraProbe('f01'));
    assert.equal(a.faces.length, 1);
    const [face] = a.faces;
    assert.equal(face?.embedding?.length, 128);
    assert.ok(typeof face?.real === 'number' && typeof face.live === 'number');
  });

  it('keeps no tensors between frames (days of running must not grow memory)', async () => {
    const frame = await cameraProbe('f03');
    await engine.analyse(frame);
    const before = engine.tensorCount();
    for (let i = 0; i < 3; i++) {
      await engine.analyse(frame);
      await engine.analyse(await cardPhoto('f05'));
      await engine.analyse({ width: 64, height: 48, rgb: new Uint8Array(64 * 48 * 3) });
    }
    assert.equal(engine.tensorCount(), before);
  });
});
