import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { startPcscd, type PcscdInstance } from '../../rig/runner/pcscd-process';
import { testRigCredentials, testRigDir } from './rig-fixture';
import { parseEmulateArgs, parseFaults, UsageError } from '../../rig/cli/card-emulate';
import { waitFor, withTimeout } from '../wait-for';
import { waitForOpenscPresence } from './opensc-presence';

const execFileAsync = promisify(execFile);
const repo = resolve(__dirname, '../..');

/** Waits for `seen()` on a child's output; fails at once, with its stderr, if the child exits. */
async function waitForOutput(child: ChildProcess, seen: () => boolean, what: string, stderr: () => string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    () => {
      if (seen()) return true;
      if (child.exitCode !== null) throw new Error(`fcr card emulate exited ${child.exitCode} before ${what}:\n${stderr()}`);
      return false;
    },
    { what: `fcr card emulate: ${what}`, timeoutMs, intervalMs: 50, describe: stderr },
  );
}

describe('fcr card emulate', function () {
  this.timeout(120_000);

  describe('arguments', () => {
    it('defaults slot and port from the persona, and takes overrides', () => {
      const a = parseEmulateArgs(['--persona', 'valid']);
      assert.notEqual(a, 'help');
      if (a === 'help') return;
      assert.equal(a.slot, 0);
      assert.equal(a.port, 35963);
      const phone = parseEmulateArgs(['--persona', 'iphone']);
      if (phone === 'help') return assert.fail();
      assert.equal(phone.slot, 1);
      assert.equal(phone.port, 35964);
      const o = parseEmulateArgs(['--persona', 'valid', '--slot', '1', '--port', '40000', '--pin', '4321']);
      if (o === 'help') return assert.fail();
      assert.equal(o.slot, 1);
      assert.equal(o.port, 40000);
      assert.equal(o.pin, '4321');
    });

    it('parses every fault', () => {
      assert.deepEqual(parseFaults(['no-answer', 'delay=250', 'remove-after=3', 'sw=2:6F00', 'truncate=5']), {
        noAnswer: true,
        delayMs: 250,
        removeAfterApdus: 3,
        statusWordOverride: { afterApdus: 2, sw: 0x6f00 },
        truncateResponsesTo: 5,
      });
    });

    it('refuses what it cannot do, with a usage error', () => {
      for (const bad of [[], ['--persona', 'nobody'], ['--persona', 'valid', '--pin', '12'], ['--persona', 'valid', '--slot', '2'], ['--persona', 'valid', '--fault', 'explode'], ['--persona', 'valid', '--fault', 'sw=x'], ['--bogus']]) {
        assert.throws(() => parseEmulateArgs(bad), UsageError, bad.join(' '));
      }
    });
  });

  describe('process', () => {
    let pcscd: PcscdInstance;
    let child: ChildProcess | undefined;
    before(async () => {
      pcscd = await startPcscd();
      // Keys generated once for the whole test run; the child process finds them cached.
      await testRigCredentials();
    });
    after(async () => {
      child?.kill('SIGKILL');
      await pcscd?.stop();
    });

    it('puts the card on the reader, prints one line, never the PIN, and exits 0 on SIGTERM', async () => {
      child = spawn(process.execPath, ['--import', 'tsx', 'bin/fcr.js', 'card', 'emulate', '--persona', 'valid', '--port', String(pcscd.vpcdPorts[0]), '--pin', '8642'], {
        cwd: repo,
        env: { ...process.env, FCR_RIG_DIR: testRigDir() },
      });
      let out = '';
      let err = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
      await waitForOutput(child, () => out.includes('\n'), 'its line on stdout', () => err);
      assert.match(out, /^card valid on the reader \(vpcd 127\.0\.0\.1:\d+, slot 0\)\n$/);
      // Connected to vpcd is not yet seen by pcscd: wait for the card to show on the reader.
      await waitForOpenscPresence(pcscd.socketPath, 0, true);
      const env = { ...process.env, PCSCLITE_CSOCK_NAME: pcscd.socketPath };
      const r = await execFileAsync('opensc-tool', ['-n'], { env });
      assert.match(r.stdout, /^jpki$/m);
      // The whole card: the 券面 applications answer too.
      const aps = await execFileAsync('opensc-tool', ['-c', 'jpki', '-s', '00A4040C0AD3921000310001010402', '-s', '00A4040C0AD3921000310001010408'], { env });
      assert.equal((aps.stdout.match(/SW1=0x90, SW2=0x00/g) ?? []).length, 2, aps.stdout);
      child.kill('SIGTERM');
      assert.equal(await withTimeout(exited, { what: 'fcr card emulate to exit on SIGTERM' }), 0);
      assert.doesNotMatch(out + err, /8642/);
      child = undefined;
    });

    it('waits for pcscd when it is not up yet, then puts the card on the reader', async () => {
      const channelId = 0x9000 + 2 * Math.floor(Math.random() * 0x780);
      child = spawn(process.execPath, ['--import', 'tsx', 'bin/fcr.js', 'card', 'emulate', '--persona', 'iphone', '--port', String(channelId + 1)], {
        cwd: repo,
        env: { ...process.env, FCR_RIG_DIR: testRigDir() },
      });
      let out = '';
      let err = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
      await waitForOutput(child, () => err.includes('waiting'), 'its "waiting" line on stderr', () => err);
      assert.match(err, /waiting for pcscd's vpcd reader/);
      assert.equal(out, '');
      const late = await startPcscd({ channelId });
      try {
        await waitForOutput(child, () => out.includes('\n'), 'its line on stdout once pcscd is up', () => err, 10_000);
        assert.match(out, /^card iphone on the reader \(vpcd 127\.0\.0\.1:\d+, slot 1\)\n$/);
      } finally {
        child.kill('SIGINT');
        assert.equal(await withTimeout(exited, { what: 'fcr card emulate to exit on SIGINT' }), 0);
        child = undefined;
        await late.stop();
      }
    });

    it('exits 2 with the usage on a bad argument', async () => {
      const r = await execFileAsync(process.execPath, ['--import', 'tsx', 'bin/fcr.js', 'card', 'emulate', '--persona', 'nobody'], { cwd: repo }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal((r as { code: number }).code, 2);
      assert.match((r as { stderr: string }).stderr, /unknown persona: nobody/);
    });
  });
});
