import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaceWorkerCrashedError, CardPhotoError, ModelIntegrityError } from '../../src/face/errors';
import { defaultModelDir } from '../../src/face/manifest';
import { WorkerFaceVerifier } from '../../src/face/verifier';
import { cosineSimilarity } from '../../src/face/image';
import { personaFaceId, personaFacePhoto } from '../../rig/personas/face-images';
import { decodeGreyJp2, encodeGreyJp2 } from '../../src/card-face/jpeg2000';
import { cameraProbe, spoofProbe } from './eval-set';
import { armWorkerFault, faultyWorkerScript } from './worker-faults';

describe('WorkerFaceVerifier (real models in a worker thread)', () => {
  let verifier: WorkerFaceVerifier;
  before(async () => {
    verifier = await WorkerFaceVerifier.create({ workerScript: faultyWorkerScript });
  });
  after(async () => {
    await verifier.close();
  });

  it('reports the WebAssembly backend (tfjs-node is not installed)', () => {
    assert.equal(verifier.backend, 'wasm');
  });

  it('refuses to verify before a card photo is enrolled', async () => {
    await assert.rejects(verifier.verify(await cameraProbe('f01')), (err: unknown) => err instanceof CardPhotoError && err.reason === 'not-enrolled');
  });

  it('matches the persona against their own card photo and rejects other people', async () => {
    await verifier.enrolCardPhoto(await personaFacePhoto('valid'));
    const genuine = await verifier.verify(await cameraProbe(personaFaceId('valid')));
    assert.equal(genuine.outcome, 'match', JSON.stringify(genuine));
    for (const other of ['f19', personaFaceId('revoked')]) {
      const impostor = await verifier.verify(await cameraProbe(other));
      assert.ok(impostor.outcome !== 'match', `${other}: ${JSON.stringify(impostor)}`);
      if (impostor.outcome === 'no-match') assert.ok((impostor.score ?? 1) < (genuine.score ?? 0));
    }
  });

  it('returns each compared frame\'s own descriptor through the worker: the same face across frames, not another\'s (issue 14)', async () => {
    await verifier.enrolCardPhoto(await personaFacePhoto('valid'));
    const id = personaFaceId('valid');
    const a = await verifier.verify(await cameraProbe(id));
    const b = await verifier.verify(await cameraProbe(id, 'dim'));
    const other = await verifier.verify(await cameraProbe('f19'));
    for (const r of [a, b, other]) assert.equal(r.probe?.length, 1024, JSON.stringify({ outcome: r.outcome, hint: r.hint }));
    assert.ok(cosineSimilarity(a.probe as Float32Array, b.probe as Float32Array) >= 0.8, 'two frames of one face are one face');
    assert.ok(cosineSimilarity(a.probe as Float32Array, other.probe as Float32Array) < 0.8, 'another person is not');
  });

  it('matches against the card photo as the card stores it (greyscale JPEG 2000, SPEC §5 DF27)', async () => {
    const stored = await encodeGreyJp2(await personaFacePhoto('expiring-soon'));
    await verifier.enrolCardPhoto(await decodeGreyJp2(stored));
    const r = await verifier.verify(await cameraProbe(personaFaceId('expiring-soon')));
    assert.equal(r.outcome, 'match', JSON.stringify(r));
  });

  it('answers no-face with a hint on an empty frame', async () => {
    const blank = { width: 320, height: 240, rgb: new Uint8Array(320 * 240 * 3).fill(128) };
    const r = await verifier.verify(blank);
    assert.equal(r.outcome, 'no-face');
    assert.equal(r.hint, 'face-the-camera');
  });

  it('asks a face too small in the frame to come closer', async () => {
    // The genuine view shrunk into a corner of a larger grey frame.
    const probe = await cameraProbe(personaFaceId('valid'));
    const small = { width: 1280, height: 960, rgb: new Uint8Array(1280 * 960 * 3).fill(90) };
    for (let y = 0; y < 240; y++) {
      for (let x = 0; x < 320; x++) {
        for (let c = 0; c < 3; c++) small.rgb[((y + 360) * 1280 + x + 480) * 3 + c] = probe.rgb[((y * 2) * 640 + x * 2) * 3 + c] ?? 0;
      }
    }
    const r = await verifier.verify(small);
    assert.equal(r.outcome, 'rejected');
    assert.equal(r.hint, 'move-closer');
  });

  it('calls a printed card photo held to the camera a spoof when the liveness model catches it', async () => {
    // forged-photo's print is one the liveness model scores low (eval: about half the prints are
    // caught; docs/face.md says what passes).
    await verifier.enrolCardPhoto(await personaFacePhoto('forged-photo'));
    const r = await verifier.verify(await spoofProbe(personaFaceId('forged-photo')));
    assert.equal(r.outcome, 'spoof', JSON.stringify(r));
    assert.ok((r.liveness?.live ?? 1) < 0.75);
    const live = await verifier.verify(await cameraProbe(personaFaceId('forged-photo')));
    assert.equal(live.outcome, 'match', JSON.stringify(live));
  });

  it('survives the worker dying mid-request: that attempt fails, the next one works', async () => {
    await verifier.enrolCardPhoto(await personaFacePhoto('valid'));
    const starts = verifier.workerStarts;
    await armWorkerFault('crash');
    const frame = await cameraProbe(personaFaceId('valid'));
    await assert.rejects(verifier.verify(frame), (err: unknown) => err instanceof FaceWorkerCrashedError && err.exitCode === 70);
    const again = await verifier.verify(frame);
    assert.equal(again.outcome, 'match');
    assert.equal(verifier.workerStarts, starts + 1);
  });
});

describe('WorkerFaceVerifier with a model that never returns', () => {
  it('kills the worker at the request timeout, fails that attempt and works again after', async () => {
    const v = await WorkerFaceVerifier.create({ workerScript: faultyWorkerScript, requestTimeoutMs: 3000 });
    try {
      await v.enrolCardPhoto(await personaFacePhoto('valid'));
      const frame = await cameraProbe(personaFaceId('valid'));
      await armWorkerFault('hang');
      await assert.rejects(v.verify(frame), (err: unknown) => err instanceof FaceWorkerCrashedError && err.during === 'face verification');
      assert.equal((await v.verify(frame)).outcome, 'match');
      assert.equal(v.workerStarts, 2);
    } finally {
      await v.close();
    }
  });
});

describe('WorkerFaceVerifier start-up', () => {
  it('fails with ModelIntegrityError when a model file is corrupt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fcr-models-'));
    try {
      for (const f of readdirSync(defaultModelDir)) copyFileSync(join(defaultModelDir, f), join(dir, f));
      const bin = join(dir, 'faceres.bin');
      const bytes = readFileSync(bin);
      bytes[4242] = (bytes[4242] ?? 0) ^ 0x55;
      writeFileSync(bin, bytes);
      await assert.rejects(WorkerFaceVerifier.create({ engine: { modelDir: dir } }), (err: unknown) => err instanceof ModelIntegrityError && err.file === 'faceres.bin');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
