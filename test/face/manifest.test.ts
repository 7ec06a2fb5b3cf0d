import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelIntegrityError } from '../../src/face/errors';
import { defaultModelDir, readManifest, verifyModels } from '../../src/face/manifest';

describe('model manifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-models-'));
    copyFileSync(join(defaultModelDir, 'manifest.json'), join(dir, 'manifest.json'));
    for (const f of ['blazeface.json', 'blazeface.bin']) copyFileSync(join(defaultModelDir, f), join(dir, f));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the shipped models, each with source, version, licence', () => {
    const entries = verifyModels(['blazeface', 'blazeface-front', 'faceres', 'faceres-onnx', 'antispoof', 'liveness', 'facemesh', 'landmark68', 'facerec128']);
    assert.equal(entries.length, 17);
    for (const e of readManifest()) assert.ok(e.sourcePackage && e.version && e.licence);
  });

  it('rejects a corrupt model file with ModelIntegrityError', () => {
    const bin = join(dir, 'blazeface.bin');
    const bytes = readFileSync(bin);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    writeFileSync(bin, bytes);
    assert.throws(() => verifyModels(['blazeface'], dir), (err: unknown) => err instanceof ModelIntegrityError && err.reason === 'sha256-mismatch' && err.file === 'blazeface.bin');
  });

  it('rejects a missing model file and a model absent from the manifest', () => {
    rmSync(join(dir, 'blazeface.json'));
    assert.throws(() => verifyModels(['blazeface'], dir), (err: unknown) => err instanceof ModelIntegrityError && err.reason === 'missing');
    assert.throws(() => verifyModels(['emotion'], dir), (err: unknown) => err instanceof ModelIntegrityError && err.reason === 'not-in-manifest');
  });

  it('rejects an unreadable manifest', () => {
    writeFileSync(join(dir, 'manifest.json'), '{not json');
    assert.throws(() => verifyModels(['blazeface'], dir), (err: unknown) => err instanceof ModelIntegrityError && err.reason === 'manifest-unreadable');
  });
});
