import assert from 'node:assert/strict';
import { FaceEngine, withModelFetch } from '../../src/face/engine';
import { defaultModelDir } from '../../src/face/manifest';
import { NetworkFetchRefusedError } from '../../src/face/errors';
import { cardPhotoEmbedding, decide, decisionDefaultsFor } from '../../src/face/decision';
import { toGrey } from '../../src/face/image';
import { cameraProbe, cardPhoto, cardPhotoAsOnDevice, spoofProbe } from './eval-set';

describe('FaceEngine (in-thread, real models)', () => {
  let engine: FaceEngine;
  before(async () => {
    engine = await FaceEngine.create();
  });

  it('runs on WebAssembly with the shipped models, never the CPU backend', () => {
    assert.equal(engine.backend, 'wasm');
    assert.deepEqual(engine.models, ['blazeface-front', 'faceres', 'antispoof', 'liveness']);
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

  it('finds one face with a 1024-D FaceRes descriptor and liveness scores in a camera view', async () => {
    const a = await engine.analyse(await cameraProbe('f01'));
    assert.equal(a.faces.length, 1);
    const [face] = a.faces;
    assert.equal(face?.embedding?.length, 1024);
    assert.ok(typeof face?.real === 'number' && typeof face.live === 'number');
  });

  it('gives a yaw proxy that follows the head (mirror flips it) but not a flat photo turned (squeeze keeps it)', async () => {
    const probe = await cameraProbe('f03'); // head turned in the source photo
    const mirrored = { ...probe, rgb: new Uint8Array(probe.rgb.length) };
    const squeezed = { width: probe.width, height: probe.height, rgb: new Uint8Array(probe.rgb.length).fill(128) };
    const w = probe.width;
    for (let y = 0; y < probe.height; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          mirrored.rgb[(y * w + x) * 3 + c] = probe.rgb[(y * w + (w - 1 - x)) * 3 + c] ?? 0;
          // Orthographic view of the photo turned ~45°: width × 0.7, centred.
          if (x >= w * 0.15 && x < w * 0.85) squeezed.rgb[(y * w + x) * 3 + c] = probe.rgb[(y * w + Math.floor((x - w * 0.15) / 0.7)) * 3 + c] ?? 0;
        }
      }
    }
    const yawOf = async (img: typeof probe): Promise<number> => (await engine.analyse(img)).faces[0]?.yaw ?? NaN;
    const [y0, yMirror, ySqueeze] = [await yawOf(probe), await yawOf(mirrored), await yawOf(squeezed)];
    assert.ok(Math.abs(y0) > 0.3, `source yaw ${y0}`);
    assert.ok(Math.sign(yMirror) === -Math.sign(y0) && Math.abs(yMirror + y0) < 0.15, `mirror ${yMirror} vs ${y0}`);
    assert.ok(Math.abs(ySqueeze - y0) < 0.2, `squeezed ${ySqueeze} vs ${y0}`);
  });

  it('takes a dim face\'s liveness scores from the frame brightened, and never brightens a printed photo\'s face (issue 14)', async () => {
    // f16 at brightness ×0.45: the liveness model scores it 0.1–0.5 (a spoof) as the camera gives it.
    const before = engine.tensorCount();
    const dim = (await engine.analyse(await cameraProbe('f16', 'dim'))).faces[0];
    assert.ok(dim?.livenessGain !== undefined && dim.livenessGain > 1.5 && dim.livenessGain <= 3, `gain ${dim?.livenessGain}`);
    assert.ok((dim.live ?? 0) >= 0.75, `live ${dim.live} after the gain`);
    const print = (await engine.analyse(await spoofProbe('f16', 'print'))).faces[0];
    assert.ok(print, 'the print has a face');
    assert.equal(print.livenessGain, undefined, 'a print held to the camera is lit like a face in good light: no second pass');
    assert.equal(engine.tensorCount(), before, 'the second pass frees its tensor');
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

  it('warms up on a flat frame and zeros without keeping a tensor or changing any result (issue 14)', async () => {
    const frame = await cameraProbe('f05', 'dim');
    const before = await engine.analyse(frame);
    const tensors = engine.tensorCount();
    await engine.warmUp(640, 480, 1);
    assert.equal(engine.tensorCount(), tensors);
    const after = await engine.analyse(frame);
    assert.deepEqual(after.faces, before.faces);
  });

  it('holds the tensor count flat over 20 matches (issue 11 item 8: native memory over many sessions)', async () => {
    const card = cardPhotoEmbedding(await engine.analyse(await cardPhotoAsOnDevice('f01')));
    assert.ok(card !== 'no-face');
    const frame = await cameraProbe('f01');
    const grey = toGrey(frame);
    decide(await engine.analyse(frame), grey, card, decisionDefaultsFor('faceres')); // first run allocates kernels' constants
    const before = engine.tensorCount();
    let matches = 0;
    for (let i = 0; i < 20; i++) if (decide(await engine.analyse(frame), grey, card, decisionDefaultsFor('faceres')).outcome === 'match') matches++;
    assert.equal(matches, 20);
    assert.equal(engine.tensorCount(), before);
  });
});
