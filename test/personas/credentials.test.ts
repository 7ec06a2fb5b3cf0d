import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, createVerify, createSign } from 'node:crypto';
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { personas } from '../../rig/personas/catalogue';
import {
  defaultRigDir,
  loadRigCredentials,
  startOfJapanDay,
  UnknownPersonaError,
  type PersonaName,
  type RigCredentials,
} from '../../rig/personas/credentials';

const execFileAsync = promisify(execFile);
const DAY = 86_400_000;

describe('rig credentials (test JPKI)', function () {
  this.timeout(180_000);
  let dir: string;
  let creds: RigCredentials;
  // 2026-11-23 20:30 UTC is already 2026-11-24 05:30 in Japan: the window starts from the 24th.
  const now = new Date('2026-11-23T20:30:00Z');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-creds-'));
    creds = await loadRigCredentials({ dir, now });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('truncates to the start of the day in Japan time', () => {
    assert.equal(startOfJapanDay(now).toISOString(), '2026-11-23T15:00:00.000Z');
    assert.equal(startOfJapanDay(new Date('2026-11-23T14:59:59Z')).toISOString(), '2026-11-22T15:00:00.000Z');
  });

  it('caches private keys with mode 0600 and leaves no lock or temp file', () => {
    const files = readdirSync(join(dir, 'credentials'));
    assert.equal(files.filter((f) => f.endsWith('.key.pem')).length, 2 + 2 * personas.length);
    assert.deepEqual(files.filter((f) => !f.endsWith('.key.pem')), []);
    for (const f of files) assert.equal(statSync(join(dir, 'credentials', f)).mode & 0o777, 0o600, f);
  });

  it('issues a TEST CA whose name cannot pass for the real JPKI', () => {
    const ca = new X509Certificate(creds.jpkiUserAuthCaCertificate);
    assert.match(ca.subject, /TEST/);
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey));
  });

  for (const p of personas) {
    it(`persona ${p.name}: certificate window, serial, chain and key`, () => {
      const c = creds.persona(p.name);
      const cert = new X509Certificate(c.userAuthCertificate);
      const ca = new X509Certificate(creds.jpkiUserAuthCaCertificate);
      assert.ok(cert.verify(ca.publicKey), 'signed by the test CA');
      assert.ok(cert.checkIssued(ca));
      assert.equal(cert.serialNumber.toUpperCase(), c.userAuthSerial);
      assert.match(c.userAuthSerial, /^[0-9A-F]{16}$/);
      const day = startOfJapanDay(now).getTime();
      assert.equal(new Date(cert.validFrom).getTime(), day + p.userAuthCertificate.notBeforeDays * DAY);
      // Ends 23:59:59 Japan time of the last day.
      assert.equal(new Date(cert.validTo).getTime(), day + (p.userAuthCertificate.notAfterDays + 1) * DAY - 1000);
      // The private key matches the certificate's public key.
      const sig = createSign('sha256').update('challenge').sign(c.userAuthKey);
      assert.ok(createVerify('sha256').update('challenge').verify(cert.publicKey, sig));
      const signatureCert = new X509Certificate(c.signatureCertificate);
      assert.notEqual(signatureCert.serialNumber, cert.serialNumber);
      assert.ok(!signatureCert.publicKey.equals(cert.publicKey));
      assert.ok(signatureCert.verify(new X509Certificate(creds.jpkiSignatureCaCertificate).publicKey), 'signed by the signature CA');
      assert.ok(createVerify('sha256').update('x').verify(signatureCert.publicKey, createSign('sha256').update('x').sign(c.signatureKey)));
    });
  }

  it('gives each persona its own serial and key', () => {
    const serials = new Set(personas.map((p) => creds.persona(p.name).userAuthSerial));
    assert.equal(serials.size, personas.length);
  });

  it('throws a typed error for an unknown persona', () => {
    assert.throws(() => creds.persona('nobody' as PersonaName), UnknownPersonaError);
  });

  it('gives byte-identical certificates to two processes on the same Japanese day, and new dates on the next', async () => {
    const script = `
      const { loadRigCredentials } = require(${JSON.stringify(resolve(__dirname, '../../rig/personas/credentials.ts'))});
      const { createHash } = require('node:crypto');
      loadRigCredentials({ dir: process.argv[1], now: new Date(process.argv[2]) }).then((c) => {
        const h = createHash('sha256').update(c.jpkiUserAuthCaCertificate);
        for (const n of ['valid', 'expired-grace', 'iphone']) h.update(c.persona(n).userAuthCertificate).update(c.persona(n).signatureCertificate);
        process.stdout.write(h.digest('hex'));
      });`;
    const run = async (when: string): Promise<string> =>
      (await execFileAsync(process.execPath, ['--import', 'tsx', '-e', script, dir, when], { cwd: resolve(__dirname, '../..') })).stdout;
    const [a, b] = await Promise.all([run('2026-11-23T15:00:00Z'), run('2026-11-24T14:59:59Z')]);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(a, b);
    const c = await run('2026-11-24T15:00:00Z');
    assert.notEqual(c, a);
  });

  it('two processes generating into an empty directory at once end with one key set', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'fcr-creds-race-'));
    try {
      const script = `
        const { loadRigCredentials } = require(${JSON.stringify(resolve(__dirname, '../../rig/personas/credentials.ts'))});
        loadRigCredentials({ dir: process.argv[1], now: new Date('2026-01-01T00:00:00Z') }).then((c) => {
          process.stdout.write(c.persona('valid').userAuthSerial + ':' + c.persona('valid').userAuthCertificate.toString('hex').slice(-64));
        });`;
      const run = async (): Promise<string> =>
        (await execFileAsync(process.execPath, ['--import', 'tsx', '-e', script, fresh], { cwd: resolve(__dirname, '../..') })).stdout;
      const [a, b] = await Promise.all([run(), run()]);
      assert.equal(a, b);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('defaults to $FCR_RIG_DIR, else <repo>/.rig', () => {
    const saved = process.env.FCR_RIG_DIR;
    try {
      process.env.FCR_RIG_DIR = '/tmp/some-rig';
      assert.equal(defaultRigDir(), '/tmp/some-rig');
      delete process.env.FCR_RIG_DIR;
      assert.equal(defaultRigDir(), resolve(__dirname, '../../.rig'));
    } finally {
      if (saved === undefined) delete process.env.FCR_RIG_DIR;
      else process.env.FCR_RIG_DIR = saved;
    }
  });
});
