/**
 * `fcr service run`: the device's entry point, as systemd starts it — a bad configuration is a
 * clear start-up error (exit 78) listing every field; a good one boots on the real drivers
 * (pcsclite against a private pcscd, the backend client over mutual TLS) and reads a card.
 */
import { RIG_READERS } from '../../rig/rig-config';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashStaffPasscode } from '../../src/config';
import { BackendSimulator } from '../../rig/backend-simulator/server';
import { loadRigCredentials } from '../../rig/personas/credentials';
import { startPcscd } from '../../rig/runner/pcscd-process';
import { startPtyPair } from '../../rig/runner/pty-pair';
import { createPersonaCard, startCardEmulator } from '../../rig/emulator';
import { waitFor, withTimeout } from '../wait-for';

const fcr = resolve(__dirname, '../../bin/fcr.js');

function runService(configFile: string, extra: string[] = []): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fcr, 'service', 'run', '--headless', '--config', configFile, ...extra], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('fcr service run (the device entry point)', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-device-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a corrupt configuration file: exit 78 and what is wrong', () => {
    const f = join(dir, 'corrupt.json');
    writeFileSync(f, '{"facility": {"name": "x",');
    const r = runService(f);
    assert.equal(r.status, 78);
    assert.match(r.stderr, /not JSON/);
  });

  it('an invalid configuration: exit 78 listing every bad field at once', () => {
    const f = join(dir, 'invalid.json');
    writeFileSync(f, JSON.stringify({ facility: { name: '', code: '12' }, backend: { url: 'https://127.0.0.1:1' }, mode: 'kiosk' }));
    const r = runService(f);
    assert.equal(r.status, 78);
    for (const field of ['facility.name', 'facility.code', 'mode', 'staff']) assert.ok(r.stderr.includes(field), `${field} in:\n${r.stderr}`);
  });

  it('plain HTTP to the backend is refused at start-up', async () => {
    const f = join(dir, 'http.json');
    writeFileSync(f, JSON.stringify({
      facility: { name: '○○病院', code: '1310000001' },
      staff: { passcode: await hashStaffPasscode('1234') },
      backend: { url: 'http://127.0.0.1:8443', tls: { caFile: f, certFile: f, keyFile: f } },
      readers: RIG_READERS,
    }));
    const r = runService(f);
    assert.equal(r.status, 78);
    assert.match(r.stderr, /backend\.url: must be https:/);
  });

  it('--help prints the usage (exit 0); an unknown option is refused (exit 2) before the configuration is read', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', fcr, 'service', 'run', '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /usage: fcr service run/);
    const bogus = runService(join(dir, 'missing.json'), ['--bogus']);
    assert.equal(bogus.status, 2);
    assert.match(bogus.stderr, /--bogus/);
    assert.doesNotMatch(bogus.stderr, /missing\.json/);
  });

  it('boots on pcsclite and the backend over mutual TLS, reads a placed card, and stops on SIGTERM', async () => {
    const credentials = await loadRigCredentials();
    const sim = await BackendSimulator.start({ credentials, facilityCode: '1310000001' });
    const pcscd = await startPcscd();
    const pty = await startPtyPair();
    const link = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null });
    try {
      const c = sim.clientConfig('device');
      const w = (name: string, text: string) => {
        writeFileSync(join(dir, name), text, { mode: 0o600 });
        return join(dir, name);
      };
      const config = w('device.json', JSON.stringify({
        facility: { name: '○○病院', code: '1310000001' },
        staff: { passcode: await hashStaffPasscode('1234') },
        backend: { url: c.baseUrl, deviceId: c.deviceId, tls: { caFile: w('ca.pem', c.caCertPem), certFile: w('dev.pem', c.certPem), keyFile: w('dev.key', c.keyPem) } },
        readers: RIG_READERS,
        console: { path: pty.deviceEnd },
        stateDirectory: join(dir, 'state'),
      }));
      const child = spawn(process.execPath, ['--import', 'tsx', fcr, 'service', 'run', '--headless', '--config', config], {
        env: { ...process.env, PCSCLITE_CSOCK_NAME: pcscd.socketPath },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => (stderr += d));
      const waitLog = (re: RegExp) =>
        waitFor(
          () => {
            if (re.test(stderr)) return true;
            if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode} before logging ${re}:\n${stderr}`);
            return false;
          },
          { what: `${re} in the service log`, timeoutMs: 40_000, intervalMs: 100, describe: () => stderr },
        );
      await waitLog(/reader service ready/);
      await link.insert(createPersonaCard({ persona: 'revoked', credentials }));
      // Revocation comes from the backend's certificate check, over mutual TLS.
      await waitLog(/card-read slot=card certificate=valid revoked=true/);
      // The technician console on the UART (a socat pty pair here) reports the session ended.
      const answer = spawnSync('socat', ['-T', '2', '-', `${pty.technicianEnd},raw,echo=0`], { input: 'counters\r\n', encoding: 'utf8', timeout: 10_000 });
      assert.match(answer.stdout, /errors: certificate-revoked=1/);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await withTimeout(exited, { what: 'the service to exit on SIGTERM', timeoutMs: 20_000 }), 0);
      // The staff passcode: as a number of its own (nothing masks digits, so a port may hold 1234).
      assert.doesNotMatch(stderr, /(?<!\d)1234(?!\d)/);
      // The day's counters are in the durable state file (issue 11 item 5), read as plain JSON.
      const state = JSON.parse(readFileSync(join(dir, 'state', 'device-state.json'), 'utf8')) as { counters: { errors: Record<string, number> }[] };
      assert.equal(state.counters[0]?.errors['certificate-revoked'], 1);
    } finally {
      await link.stop();
      await pty.stop();
      await pcscd.stop();
      await sim.stop();
    }
  });
});
