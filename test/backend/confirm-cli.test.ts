/**
 * `fcr confirm` as a technician runs it: a child process reading the card through a private
 * pcscd (its own PCSCLITE_CSOCK_NAME; this test process never loads pcsclite) and the simulator
 * found through `<rig dir>/backend/`. Checks the exit statuses and the typed error names.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { backendRigDir, writeBackendRigFiles } from '../../rig/backend-simulator/rig-files';
import { createPersonaCard, startCardEmulator, type VpcdCardSocket } from '../../rig/emulator';
import type { PersonaName } from '../../rig/personas/catalogue';
import { startPcscd, type PcscdInstance } from '../../rig/runner/pcscd-process';
import { startRig, type Rig } from './sim-fixture';

const repo = resolve(__dirname, '..', '..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('fcr confirm (child process, pcscd + vpcd + simulator)', function () {
  this.timeout(120_000);
  let rig: Rig;
  let pcscd: PcscdInstance;
  let card: VpcdCardSocket;
  let rigDir: string;

  before(async () => {
    rig = await startRig();
    rigDir = await mkdtemp(join(tmpdir(), 'fcr-confirm-cli-'));
    await writeBackendRigFiles(backendRigDir(rigDir), rig.sim.pki, {
      baseUrl: rig.sim.url,
      facilityCode: rig.sim.facilityCode,
      deviceId: rig.sim.pki.device.deviceId,
      pid: process.pid,
    });
  });
  // A fresh pcscd and card for every run: swapping cards on one pcscd between runs raced its
  // ~0.3 s removal poll (CI once saw the next child's first APDU answered by nothing, read as a
  // mute card). A technician's `fcr confirm` also starts on a reader that has just seen the card.
  beforeEach(async () => {
    pcscd = await startPcscd();
    card = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null });
  });
  afterEach(async () => {
    await card?.stop();
    await pcscd?.stop();
  });
  after(async () => {
    await rig?.stop();
    if (rigDir) await rm(rigDir, { recursive: true, force: true });
  });

  // A PIN that appears nowhere in the test data, so its absence from the output means something.
  const PIN = '7395';
  const confirm = (persona: PersonaName, args: string[]): Promise<CliResult> =>
    card.insert(createPersonaCard({ persona, credentials: rig.creds, pin: PIN })).then(
      () =>
        new Promise<CliResult>((done) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', join(repo, 'bin', 'fcr.js'), 'confirm', '--json', '--wait-card', '5000', ...args],
            { cwd: repo, env: { ...process.env, FCR_RIG_DIR: rigDir, PCSCLITE_CSOCK_NAME: pcscd.socketPath } },
            (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          );
        }),
    );

  it('qualified: exit 0 and the result record on stdout', async () => {
    const r = await confirm('valid', ['--method', 'pin', '--pin', PIN, '--consent', 'all']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { confirmation: { status: string; identityMethod: string; qualification: { name: string } } };
    assert.equal(out.confirmation.status, 'qualified');
    assert.equal(out.confirmation.identityMethod, 'pin');
    assert.equal(out.confirmation.qualification.name, '山田　太郎');
    assert.ok(!(r.stdout + r.stderr).includes(PIN));
  });

  it('answered but not qualified: exit 4', async () => {
    const r = await confirm('no-record', ['--method', 'pin', '--pin', PIN]);
    assert.equal(r.code, 4, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { confirmation: { status: string } }).confirmation.status, 'no-record');
  });

  it('wrong PIN: exit 1 with WrongPinError', async () => {
    const r = await confirm('valid', ['--method', 'pin', '--pin', '9999']);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stdout) as { error: { name: string } }).error.name, 'WrongPinError');
    assert.match(r.stderr, /WrongPinError/);
  });

  it('backend failing: exit 1 with BackendFailedError, kind unavailable', async () => {
    rig.sim.faults.inject({ fault: { kind: 'http-5xx', status: 503 }, times: 'always' });
    try {
      const r = await confirm('valid', ['--method', 'pin', '--pin', PIN]);
      assert.equal(r.code, 1);
      const { error } = JSON.parse(r.stdout) as { error: { name: string; kind: string; step: string } };
      assert.equal(error.name, 'BackendFailedError');
      assert.equal(error.kind, 'unavailable');
      assert.equal(error.step, 'nonce', 'the PIN proof needs a nonce first: nothing was asked of the card');
    } finally {
      rig.sim.faults.clear();
    }
  });
});
