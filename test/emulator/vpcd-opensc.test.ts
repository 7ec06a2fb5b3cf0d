/**
 * The emulator on the real stack: a private pcscd with the vpcd driver, and OpenSC's own tools as
 * the reader side (issue 2 §2 "faithful enough that OpenSC's JPKI driver works against it").
 * The tools are child processes, so they get PCSCLITE_CSOCK_NAME in their environment.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createVerify } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPcscd, type PcscdInstance } from '../../rig/runner/pcscd-process';
import type { RigCredentials } from '../../rig/personas/credentials';
import { testRigCredentials } from './rig-fixture';
import { waitFor, withTimeout } from '../wait-for';
import { waitForOpenscPresence } from './opensc-presence';
import type { PersonaName } from '../../rig/personas/catalogue';
import { createPersonaCard, startCardEmulator, EmulatedCard, JpkiApplication, type CardFaults, type VpcdCardSocket } from '../../rig/emulator';

const PKCS11_MODULE = ['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', '/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so'].find((p) =>
  existsSync(p),
) ?? '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const SELECT_JPKI = '00A4040C0AD392F000260100000001';

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('emulator through pcscd + vpcd, driven by OpenSC', function () {
  this.timeout(120_000);
  let pcscd: PcscdInstance;
  let creds: RigCredentials;
  let work: string;
  let slot0: VpcdCardSocket;

  const tool = (cmd: string, args: string[], timeoutMs = 30_000): Promise<ToolResult> =>
    new Promise((resolve) => {
      execFile(cmd, args, { env: { ...process.env, PCSCLITE_CSOCK_NAME: pcscd.socketPath }, timeout: timeoutMs }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  /** Waits until `opensc-tool -l` shows the reader of `slot` with or without a card. */
  const waitForPresence = (slot: 0 | 1, present: boolean): Promise<void> => waitForOpenscPresence(pcscd.socketPath, slot, present);

  async function putCard(persona: PersonaName, faults?: CardFaults): Promise<EmulatedCard> {
    const card = createPersonaCard({ persona, credentials: creds, ...(faults ? { faults } : {}) });
    // A hand cannot swap cards faster than pcscd polls (~0.3 s): take the old one out first, or
    // pcscd never sees the swap and the next client finds a card it thinks was reset.
    if (slot0.card) {
      await slot0.remove();
      await waitForPresence(0, false);
    }
    await slot0.insert(card);
    await waitForPresence(0, true);
    return card;
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'fcr-emu-work-'));
    creds = await testRigCredentials();
    pcscd = await startPcscd();
    slot0 = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null });
  });
  after(async () => {
    await slot0?.stop();
    await pcscd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('opensc-tool -n names the card jpki', async () => {
    await putCard('valid');
    const r = await tool('opensc-tool', ['-n']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^jpki$/m);
  });

  it('pkcs15-tool lists the user-auth certificate as ID 01 at 000a and reads it back byte for byte', async () => {
    await putCard('valid');
    const list = await tool('pkcs15-tool', ['--list-certificates']);
    assert.equal(list.code, 0, list.stderr);
    const block = list.stdout.split(/\n\s*\n/).find((b) => b.includes('[User Authentication Certificate]'));
    assert.ok(block, list.stdout);
    assert.match(block, /ID\s+: 01/);
    assert.match(block, /Path\s+: 000a/);
    const read = await tool('pkcs15-tool', ['--read-certificate', '01']);
    assert.equal(read.code, 0, read.stderr);
    const der = new X509Certificate(read.stdout.slice(read.stdout.indexOf('-----BEGIN'))).raw;
    assert.deepEqual(der, creds.persona('valid').userAuthCertificate);
  });

  it('pkcs11-tool signs with the right PIN (the signature verifies against the certificate)', async () => {
    await putCard('valid');
    const input = join(work, 'challenge.bin');
    const output = join(work, 'signature.bin');
    writeFileSync(input, 'a challenge from the eligibility backend');
    const r = await tool('pkcs11-tool', ['--module', PKCS11_MODULE, '--login', '--pin', '1234', '--sign', '--id', '01', '-m', 'SHA256-RSA-PKCS', '-i', input, '-o', output]);
    assert.equal(r.code, 0, r.stderr);
    const signature = readFileSync(output);
    assert.equal(signature.length, 256);
    const cert = new X509Certificate(creds.persona('valid').userAuthCertificate);
    assert.ok(createVerify('sha256').update(readFileSync(input)).verify(cert.publicKey, signature));
  });

  it('a wrong PIN is CKR_PIN_INCORRECT and the tries count down', async () => {
    const card = await putCard('valid');
    const input = join(work, 'challenge.bin');
    writeFileSync(input, 'x');
    const r = await tool('pkcs11-tool', ['--module', PKCS11_MODULE, '--login', '--pin', '9999', '--sign', '--id', '01', '-m', 'SHA256-RSA-PKCS', '-i', input, '-o', join(work, 'no.bin')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /CKR_PIN_INCORRECT/);
    assert.equal(card.application<JpkiApplication>('jpki')?.triesLeft(), 2);
    const pins = await tool('pkcs15-tool', ['--list-pins']);
    const block = pins.stdout.split(/\n\s*\n/).find((b) => b.includes('[User Authentication PIN]'));
    assert.match(block ?? '', /Tries left\s+: 2/);
  });

  it('a smartphone certificate on slot 1 is found by its AID (contactless ATR)', async () => {
    const slot1 = await startCardEmulator({ port: pcscd.vpcdPorts[1], card: createPersonaCard({ persona: 'android', credentials: creds }) });
    try {
      await waitForPresence(1, true);
      const r = await tool('opensc-tool', ['-r', '1', '-n']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^jpki$/m);
    } finally {
      await slot1.stop();
    }
  });

  it('remove() takes the card off the reader and insert() puts it back', async () => {
    await putCard('valid');
    await slot0.remove();
    assert.equal(slot0.connected, false);
    await waitForPresence(0, false);
    const r = await tool('opensc-tool', ['-n']);
    assert.notEqual(r.code, 0);
    await putCard('valid');
    assert.equal(slot0.connected, true);
  });

  it('fault removeAfterApdus: the card vanishes mid-exchange and pcscd reports it gone', async () => {
    const card = await putCard('valid');
    let withdrawn = false;
    slot0.onWithdrawn(() => {
      withdrawn = true;
    });
    card.setFaults({ removeAfterApdus: 1 });
    const r = await tool('opensc-tool', ['-c', 'jpki', '-s', SELECT_JPKI, '-s', '00A4020C02000A']);
    assert.match(r.stdout, /Received \(SW1=0x90, SW2=0x00\)/, 'the first APDU is answered');
    assert.equal((r.stdout.match(/Received/g) ?? []).length, 1, 'the second is not');
    assert.equal(withdrawn, true);
    assert.equal(slot0.card, null);
    await waitForPresence(0, false);
  });

  it('fault statusWordOverride and truncateResponsesTo change what the reader receives', async () => {
    const card = await putCard('valid', { statusWordOverride: { afterApdus: 2, sw: 0x6f00 } });
    let r = await tool('opensc-tool', ['-c', 'jpki', '-s', SELECT_JPKI, '-s', '00A4020C02000A', '-s', '00B0000010']);
    assert.equal((r.stdout.match(/SW1=0x90, SW2=0x00/g) ?? []).length, 2, r.stdout);
    assert.match(r.stdout, /SW1=0x6F, SW2=0x00/);
    card.setFaults({ truncateResponsesTo: 5 });
    r = await tool('opensc-tool', ['-c', 'jpki', '-s', SELECT_JPKI, '-s', '00A4020C02000A', '-s', '00B0000010']);
    const dump = r.stdout.slice(r.stdout.lastIndexOf('Received'));
    assert.match(dump, /SW1=0x90, SW2=0x00/);
    assert.match(dump, /^30 82 03 [0-9A-F]{2} 30 (?![0-9A-F]{2} )/m, `five bytes of the certificate, no more: ${dump}`);
  });

  it('fault delayMs: a slow card still answers correctly, no sooner than its delay', async () => {
    await putCard('valid', { delayMs: 400 });
    const started = Date.now();
    const r = await tool('opensc-tool', ['-c', 'jpki', '-s', SELECT_JPKI]);
    assert.ok(Date.now() - started >= 400);
    assert.match(r.stdout, /SW1=0x90, SW2=0x00/);
  });

  it('fault noAnswer: the APDU hangs until the card is removed, then the reader gets an error', async () => {
    const card = await putCard('valid', { noAnswer: true });
    const child = spawn('opensc-tool', ['-c', 'jpki', '-s', SELECT_JPKI], { env: { ...process.env, PCSCLITE_CSOCK_NAME: pcscd.socketPath } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const received = card.apduCount;
    await waitFor(() => card.apduCount > received, { what: 'the APDU to reach the mute card', timeoutMs: 15_000 });
    // "Hangs" is a negative: nothing the reader side does can say it never will answer, so this
    // one bounded hold stays — after the APDU is provably at the card, not instead of that.
    await sleep(500);
    assert.equal(child.exitCode, null, 'still waiting for an answer');
    assert.doesNotMatch(out, /Received/);
    await slot0.remove();
    const code = await withTimeout(exited, { what: 'opensc-tool to give up once the card is removed', timeoutMs: 15_000 });
    assert.notEqual(code, 0);
    assert.doesNotMatch(out, /Received/);
  });

  it('an application that throws answers 6F00 and the card keeps serving', async () => {
    if (slot0.card) {
      await slot0.remove();
      await waitForPresence(0, false);
    }
    const broken = new EmulatedCard({
      applications: [
        {
          aid: Buffer.from('D392F000260100000001', 'hex'),
          name: 'broken',
          handle: (c) => {
            if (c.ins === 0xb0) throw new Error('bug');
            return { sw: 0x9000, data: Buffer.alloc(0) };
          },
          reset: () => undefined,
        },
      ],
    });
    await slot0.insert(broken);
    await waitForPresence(0, true);
    const r = await tool('opensc-tool', ['-c', 'jpki', '-s', SELECT_JPKI, '-s', '00B0000004', '-s', SELECT_JPKI]);
    assert.deepEqual(r.stdout.match(/SW1=0x[0-9A-F]{2}, SW2=0x[0-9A-F]{2}/g), ['SW1=0x90, SW2=0x00', 'SW1=0x6F, SW2=0x00', 'SW1=0x90, SW2=0x00']);
  });

  it('reconnects by itself when pcscd restarts', async () => {
    await putCard('valid');
    let reconnected = 0;
    slot0.onConnected(() => (reconnected += 1));
    const channelId = pcscd.vpcdPorts[0];
    await pcscd.stop();
    pcscd = await startPcscd({ channelId });
    await waitFor(() => reconnected >= 1, { what: 'the card to connect again to the restarted pcscd', timeoutMs: 10_000 });
    await waitForPresence(0, true);
    const r = await tool('opensc-tool', ['-n']);
    assert.match(r.stdout, /^jpki$/m);
  });
});
