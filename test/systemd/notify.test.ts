/**
 * sd_notify by datagram (issue 12 item 8): the notifier's messages, received by a real unix
 * datagram socket standing in for PID 1's (a python3 receiver with SO_PASSCRED, no product code),
 * carry the assignments of sd_notify(3) and come from this very process — the kernel-attested
 * sender PID is ours, which is what lets the unit drop NotifyAccess=all (the old `systemd-notify`
 * helper's messages came from a child PID).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { waitFor, withTimeout } from '../wait-for';
import { createLogger } from '../../src/log/logger';
import { createSystemdNotifier } from '../../src/service/systemd-notify';

interface Received {
  pid: number | null;
  text: string;
}

async function startReceiver(path: string): Promise<{ child: ChildProcessWithoutNullStreams; received: Received[]; stop(): Promise<void> }> {
  const child = spawn('python3', [join(__dirname, 'fixtures', 'datagram-receiver.py'), path]);
  const received: Received[] = [];
  let out = '';
  let err = '';
  let listening = false;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.on('data', (d: string) => {
    out += d;
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line === 'listening') listening = true;
      else received.push(JSON.parse(line) as Received);
    }
  });
  await waitFor(() => listening || child.exitCode !== null, { what: 'the receiver to bind', timeoutMs: 10_000 });
  assert.ok(listening, `receiver failed: ${err}`);
  return {
    child,
    received,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await withTimeout(exited, { what: 'the receiver to exit', timeoutMs: 5000 });
    },
  };
}

describe('sd_notify by datagram to $NOTIFY_SOCKET', function () {
  this.timeout(30_000);
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let socket: string;
  const logLines: string[] = [];
  const log = createLogger('fcr', { sink: { write: (l) => logLines.push(l) } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-notify-'));
    socket = join(dir, 'notify');
    receiver = await startReceiver(socket);
  });
  after(async () => {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const nextMessages = async (from: number, count: number): Promise<Received[]> => {
    await waitFor(() => receiver.received.length >= from + count, { what: `${count} datagram(s)`, timeoutMs: 5000 });
    return receiver.received.slice(from, from + count);
  };

  it('READY=1 with STATUS=, STATUS=, STOPPING=1: one datagram each, sent by this process', async () => {
    const n = createSystemdNotifier(log, { NOTIFY_SOCKET: socket });
    const from = receiver.received.length;
    n.ready('serving ○○病院\nsecond line');
    n.status('card reader: unavailable');
    n.stopping();
    const got = await nextMessages(from, 3);
    assert.deepEqual(
      got.map((m) => m.text.split('\n')),
      [['READY=1', 'STATUS=serving ○○病院 second line'], ['STATUS=card reader: unavailable'], ['STOPPING=1']],
    );
    for (const m of got) assert.equal(m.pid, process.pid, 'the kernel names our PID as the sender (no helper process)');
    assert.deepEqual(logLines, []);
  });

  it('WATCHDOG=1 at half of WATCHDOG_USEC, until stopped; none when WATCHDOG_PID names another process', async () => {
    const clock = FakeTimers.install({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const n = createSystemdNotifier(log, { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) });
      const from = receiver.received.length;
      const stop = n.startWatchdog();
      clock.tick(14_999);
      clock.tick(1); // 15 s: the first ping
      clock.tick(15_000); // 30 s: the second
      const got = await nextMessages(from, 2);
      assert.deepEqual(got.map((m) => m.text), ['WATCHDOG=1', 'WATCHDOG=1']);
      assert.ok(got.every((m) => m.pid === process.pid));
      stop();
      clock.tick(60_000);
      const other = createSystemdNotifier(log, { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid + 1) });
      other.startWatchdog();
      clock.tick(60_000);
      // A marker after both: nothing from the stopped or the foreign watchdog came before it.
      createSystemdNotifier(log, { NOTIFY_SOCKET: socket }).status('marker');
      const [marker] = await nextMessages(from + 2, 1);
      assert.equal(marker?.text, 'STATUS=marker');
    } finally {
      clock.uninstall();
    }
  });

  it('without NOTIFY_SOCKET nothing is sent; a socket that is gone gives one warning, not an exception', async () => {
    const from = receiver.received.length;
    createSystemdNotifier(log, {}).ready('x');
    const gone = createSystemdNotifier(log, { NOTIFY_SOCKET: join(dir, 'nobody-here') });
    gone.ready('x');
    gone.status('y');
    assert.equal(logLines.length, 1, logLines.join('\n'));
    assert.match(logLines[0]!, /WARN .*sd_notify failed: sendto .*nobody-here failed: ENOENT event=sd-notify-failed/);
    createSystemdNotifier(log, { NOTIFY_SOCKET: socket }).status('marker');
    const [marker] = await nextMessages(from, 1);
    assert.equal(marker?.text, 'STATUS=marker');
  });
});
