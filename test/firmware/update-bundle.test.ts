import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUpdateBundle, MANIFEST, SIGNATURE, UpdateBundleError, verifyUpdateBundle, type UpdateBundleProblem } from '../../src/firmware/update-bundle';

const vendor = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

function refused(problem: UpdateBundleProblem) {
  return (e: unknown) => e instanceof UpdateBundleError && e.problem === problem;
}

describe('signed update bundles', () => {
  let work: string;
  let bundle: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'fcr-bundle-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'models'), { recursive: true });
    writeFileSync(join(src, 'app.js'), 'console.log("reader")\n');
    writeFileSync(join(src, 'models', 'face.bin'), Buffer.alloc(1024, 7));
    bundle = join(work, 'bundle');
    createUpdateBundle(src, bundle, '1.2.0', vendor.privateKey);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('a bundle signed by the update key verifies, with every file listed', () => {
    const m = verifyUpdateBundle(bundle, { publicKey: vendor.publicKey, installedVersion: '1.1.9' });
    assert.equal(m.version, '1.2.0');
    assert.deepEqual(m.files.map((f) => f.path), ['app.js', 'models/face.bin']);
  });

  it('another key, or a manifest changed after signing, is refused before anything is believed', () => {
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: stranger.publicKey }), refused('signature-invalid'));
    const p = join(bundle, MANIFEST);
    writeFileSync(p, readFileSync(p, 'utf8').replace('1.2.0', '9.9.9'));
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: vendor.publicKey }), refused('signature-invalid'));
  });

  it('a file changed, missing or added after signing is refused', () => {
    appendFileSync(join(bundle, 'app.js'), 'evil()\n');
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: vendor.publicKey }), refused('size-mismatch'));
    writeFileSync(join(bundle, 'app.js'), 'console.log("READER")\n');
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: vendor.publicKey }), refused('digest-mismatch'));
    rmSync(join(bundle, 'app.js'));
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: vendor.publicKey }), refused('file-missing'));
  });

  it('an unlisted file is refused', () => {
    writeFileSync(join(bundle, 'extra.sh'), 'rm -rf /\n');
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: vendor.publicKey }), refused('unlisted-file'));
  });

  it('a signed manifest whose path leaves the bundle is refused', () => {
    const evil = { format: 1, product: 'face-card-reader', version: '1.3.0', createdAt: new Date().toISOString(), files: [{ path: '../etc/passwd', size: 1, sha256: '0'.repeat(64) }] };
    const bytes = Buffer.from(JSON.stringify(evil));
    writeFileSync(join(bundle, MANIFEST), bytes);
    writeFileSync(join(bundle, SIGNATURE), sign(null, bytes, vendor.privateKey));
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: vendor.publicKey }), refused('unsafe-path'));
  });

  it('no downgrade: a bundle not newer than the installed version is refused', () => {
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: vendor.publicKey, installedVersion: '1.2.0' }), refused('not-newer'));
  });

  it('a bundle without its signature is refused', () => {
    rmSync(join(bundle, SIGNATURE));
    assert.throws(() => verifyUpdateBundle(bundle, { publicKey: vendor.publicKey }), refused('signature-missing'));
  });
});
