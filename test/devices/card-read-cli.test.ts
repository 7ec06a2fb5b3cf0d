/**
 * `fcr card read` as a technician runs it: a child process on the rig's pcscd (issue 2 §3).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createPersonaCard, startCardEmulator, type VpcdCardSocket } from '../../rig/emulator/index';
import { loadRigCredentials, type RigCredentials } from '../../rig/personas/credentials';
import type { PcscdInstance } from '../../rig/runner/pcscd-process';
import { PcscliteCardReaderDriver } from '../../src/devices/card-reader/pcsclite-driver';
import { pcscSocketLink, randomChannelId, startLinkedPcscd } from './pcsc-rig';

const root = join(__dirname, '..', '..');

function fcr(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'bin', 'fcr.js'), ...args],
      { cwd: root, env: { ...process.env, PCSCLITE_CSOCK_NAME: pcscSocketLink() }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('fcr card read (child process on pcscd + emulator)', function () {
  this.timeout(120_000);
  let pcscd: PcscdInstance;
  let credentials: RigCredentials;
  let socket: VpcdCardSocket;
  /** Watches pcscd from this process, so a card is only swapped once pcscd has seen the slot empty. */
  let watcher: PcscliteCardReaderDriver;

  before(async () => {
    credentials = await loadRigCredentials();
    pcscd = await startLinkedPcscd(randomChannelId());
    socket = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null });
    watcher = new PcscliteCardReaderDriver();
    await watcher.start();
  });

  after(async () => {
    await watcher?.stop();
    await socket?.stop();
    await pcscd?.stop();
  });

  function seen(type: 'card-inserted' | 'card-removed'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pcscd did not report ${type}`)), 5000);
      const off = watcher.onEvent((e) => {
        if (e.type === type && e.slot === 'card') {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    });
  }

  /** vpcd cannot show pcscd a card swapped within one poll: take the old one out first. */
  async function place(options: Parameters<typeof createPersonaCard>[0]): Promise<void> {
    await take();
    const inserted = seen('card-inserted');
    await socket.insert(createPersonaCard(options));
    await inserted;
  }

  async function take(): Promise<void> {
    if (!socket.card) return;
    const removed = seen('card-removed');
    await socket.remove();
    await removed;
  }

  it('prints the certificate, status, tries and counts as JSON', async () => {
    await place({ persona: 'expired-grace', credentials });
    const r = await fcr(['card', 'read', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(out.reader, 'Virtual PCD 00 00');
    assert.equal(out.certificate.serial, credentials.persona('expired-grace').userAuthSerial);
    assert.equal(out.certificate.status, 'grace');
    assert.match(out.certificate.graceEndsOn, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(out.pin, { set: true, triesLeft: 3 });
    assert.equal(out.read.apdus, 6);
    assert.ok(out.read.elapsedMs > 0);
    assert.equal(out.proof, undefined);
  });

  it('with --pin proves the key by a signature, and never prints the PIN', async () => {
    await place({ persona: 'valid', credentials, pin: '7391' });
    const r = await fcr(['card', 'read', '--json', '--pin', '7391']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    assert.deepEqual({ pinVerified: out.proof.pinVerified, signatureVerified: out.proof.signatureVerified }, { pinVerified: true, signatureVerified: true });
    assert.doesNotMatch(r.stdout + r.stderr, /7391/);
    const text = await fcr(['card', 'read', '--pin', '7391']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /signature verified against the certificate/);
    assert.doesNotMatch(text.stdout + text.stderr, /7391/);
  });

  it('a wrong PIN exits 4 with WrongPinError and the tries left; a face-only card refuses --pin without a try', async () => {
    await place({ persona: 'valid', credentials, pin: '7391' });
    const r = await fcr(['card', 'read', '--json', '--pin', '0000']);
    assert.equal(r.code, 4);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(out.error, 'WrongPinError');
    assert.equal(out.sw, '63C2');
    await place({ persona: 'face-only', credentials });
    const f = await fcr(['card', 'read', '--json', '--pin', '1234']);
    assert.equal(f.code, 4);
    assert.equal((JSON.parse(f.stdout) as Record<string, any>).error, 'PinNotSetError');
  });

  it('reads the smartphone slot by --slot, and any reader by --reader NAME', async () => {
    const phone = await startCardEmulator({ port: pcscd.vpcdPorts[1], card: null });
    try {
      const inserted = new Promise<void>((resolve) => {
        const off = watcher.onEvent((e) => {
          if (e.type === 'card-inserted' && e.slot === 'smartphone') {
            off();
            resolve();
          }
        });
      });
      await phone.insert(createPersonaCard({ persona: 'android', credentials }));
      await inserted;
      const serial = credentials.persona('android').userAuthSerial;
      const bySlot = await fcr(['card', 'read', '--json', '--slot', 'smartphone']);
      assert.equal(bySlot.code, 0, bySlot.stderr);
      assert.equal((JSON.parse(bySlot.stdout) as Record<string, any>).certificate.serial, serial);
      const byName = await fcr(['card', 'read', '--json', '--reader', 'Virtual PCD 00 01']);
      assert.equal(byName.code, 0, byName.stderr);
      const out = JSON.parse(byName.stdout) as Record<string, any>;
      assert.equal(out.reader, 'Virtual PCD 00 01');
      assert.equal(out.certificate.serial, serial);
      const missing = await fcr(['card', 'read', '--json', '--reader', 'No Such Reader', '--wait', '200']);
      assert.equal(missing.code, 3);
    } finally {
      await phone.stop();
    }
  });

  it('exits 3 when no card comes, 2 on a bad option', async () => {
    await take();
    const r = await fcr(['card', 'read', '--json', '--wait', '300']);
    assert.equal(r.code, 3);
    assert.equal((JSON.parse(r.stdout) as Record<string, any>).error, 'NoCardError');
    assert.equal((await fcr(['card', 'read', '--pin', '12'])).code, 2);
    const noDaemon = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(root, 'bin', 'fcr.js'), 'card', 'read', '--json', '--wait', '300'],
        { cwd: root, env: { ...process.env, PCSCLITE_CSOCK_NAME: join(root, 'no-such-dir', 'pcscd.comm') }, timeout: 30_000 },
        (error, stdout) => resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout }),
      );
    });
    assert.equal(noDaemon.code, 3);
    assert.equal((JSON.parse(noDaemon.stdout) as Record<string, any>).error, 'ReaderUnavailableError');
  });
});
