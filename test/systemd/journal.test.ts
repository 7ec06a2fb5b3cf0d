/**
 * Structured logs to the journal (issue 17), read back as a technician reads them: the logger's
 * journal output sends to a real systemd-journald (Debian's, started here in a journal namespace
 * of its own, so the host's journal is untouched), and `journalctl --namespace … -o json` shows
 * the records as fields. journald parses the native protocol and journalctl prints it: neither
 * is product code. Also: a port or a status word logs as itself, a PIN held in a Secret or put in
 * a `pin` field never reaches the journal.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, withTimeout } from '../wait-for';
import { createLogger, defaultLogOutput } from '../../src/log/logger';
import { secret } from '../../src/log/secret';
import { createJournalOutput, stderrIsJournal } from '../../src/systemd/journal';

const JOURNALD = '/lib/systemd/systemd-journald';

describe('logs in the journal as fields (journalctl -o json)', function () {
  this.timeout(60_000);
  // One namespace per run: its socket is /run/systemd/journal.<ns>/socket, its files
  // /var/log/journal/<machine-id>.<ns>; both are removed afterwards.
  const namespace = `fcrtest${process.pid}`;
  const socketPath = `/run/systemd/journal.${namespace}/socket`;
  const machineId = readFileSync('/etc/machine-id', 'utf8').trim();
  let journald: ChildProcess;
  let entries: Record<string, string>[] = [];

  const cleanUp = () => {
    for (const dir of [`/run/systemd/journal.${namespace}`, `/var/log/journal/${machineId}.${namespace}`, `/run/log/journal/${machineId}.${namespace}`]) rmSync(dir, { recursive: true, force: true });
  };

  before(async () => {
    cleanUp();
    journald = spawn(JOURNALD, [namespace], { stdio: 'ignore' });
    await waitFor(() => existsSync(socketPath) || journald.exitCode !== null, { what: 'journald to open its socket', timeoutMs: 15_000 });
    assert.ok(existsSync(socketPath), `journald (${JOURNALD} ${namespace}) did not start: exit ${journald.exitCode}`);

    const fallback: string[] = [];
    const journal = createJournalOutput({ socketPath, fallback: (r) => fallback.push(r.msg) });
    const log = createLogger('fcr', { level: 'info', levels: { pcsc: 'trace' }, output: { write: (record) => journal.write(record) } });
    const pin = '7395';
    log.info('reader service ready', { event: 'service-ready', facilityCode: '1310000001' });
    log.child('backend-sim').info('listening on https://127.0.0.1:47395', { event: 'listening', port: 47395 });
    log.child('pcsc').trace('VERIFY -> 0 bytes SW 6983', { event: 'apdu', sw: '6983', ms: 1234 });
    log.child('card').debug('not shown: card is at info');
    log.child('card').warn(`PIN verification failed: ${secret(pin)}`, { event: 'pin-failed', pin, triesLeft: 2 });
    log.child('state').error('device state file corrupt\nsecond line');
    assert.deepEqual(fallback, [], 'every record went by datagram');

    const exited = new Promise((r) => journald.once('exit', r));
    journald.kill('SIGTERM'); // journald syncs and closes its files on SIGTERM
    await withTimeout(exited, { what: 'journald to stop', timeoutMs: 15_000 });
    const r = spawnSync('journalctl', [`--namespace=${namespace}`, '-o', 'json', '--no-pager', 'SYSLOG_IDENTIFIER=face-card-reader'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    entries = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, string>);
  });

  after(() => {
    if (journald.exitCode === null) journald.kill('SIGKILL');
    cleanUp();
  });

  const entry = (event: string) => {
    const e = entries.find((x) => x.FCR_EVENT === event);
    assert.ok(e, `an entry with FCR_EVENT=${event} in ${JSON.stringify(entries, null, 1)}`);
    return e;
  };

  it('each record is one entry with MESSAGE, PRIORITY from the level, the namespace and the event as fields', () => {
    assert.equal(entries.length, 5, 'the debug record below the card namespace level is not sent');
    const ready = entry('service-ready');
    assert.equal(ready.MESSAGE, 'reader service ready');
    assert.equal(ready.PRIORITY, '6');
    assert.equal(ready.FCR_NAMESPACE, 'fcr');
    assert.equal(ready.FCR_LEVEL, 'info');
    assert.equal(ready.FCR_FACILITY_CODE, '1310000001');
    assert.equal(ready._TRANSPORT, 'journal', 'the native protocol, not the stdout stream');
    assert.equal(ready._PID, String(process.pid));
    assert.equal(entry('pin-failed').PRIORITY, '4');
    assert.equal(entry('apdu').PRIORITY, '7');
    assert.equal(entry('apdu').FCR_LEVEL, 'trace');
    assert.equal(entry('apdu').FCR_NAMESPACE, 'fcr.pcsc');
    const error = entries.find((e) => e.PRIORITY === '3');
    assert.equal(error?.MESSAGE, 'device state file corrupt\nsecond line', 'a multi-line message arrives whole (binary field form)');
    assert.equal(error?.FCR_NAMESPACE, 'fcr.state');
  });

  it('a port, a duration and a status word log as themselves (no digit masking)', () => {
    assert.equal(entry('listening').MESSAGE, 'listening on https://127.0.0.1:47395');
    assert.equal(entry('listening').FCR_PORT, '47395');
    const apdu = entry('apdu');
    assert.equal(apdu.MESSAGE, 'VERIFY -> 0 bytes SW 6983');
    assert.equal(apdu.FCR_SW, '6983');
    assert.equal(apdu.FCR_MS, '1234');
  });

  it('a PIN held in a Secret or put in a pin field never reaches the journal', () => {
    const failed = entry('pin-failed');
    assert.equal(failed.MESSAGE, 'PIN verification failed: [redacted]');
    assert.equal(failed.FCR_PIN, '[redacted]');
    assert.equal(failed.FCR_TRIES_LEFT, '2');
    // What the logger sent (MESSAGE, PRIORITY, FCR_*, SYSLOG_IDENTIFIER); journald's own `_` and
    // `__` fields (cursor, timestamps) are hex and decimal noise that may hold any 4 digits.
    const sent = entries.flatMap((e) => Object.entries(e).filter(([k]) => !k.startsWith('_')).map(([, v]) => v));
    assert.ok(sent.length > 20);
    assert.ok(!sent.some((v) => /(?<!\d)7395(?!\d)/.test(v)), sent.join('\n'));
  });
});

describe('where records go by default', () => {
  it('the journal only when $JOURNAL_STREAM names our very stderr (systemd.exec(5)); text lines otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fcr-journal-stream-'));
    const file = join(dir, 'stderr');
    const fd = openSync(file, 'w');
    try {
      const st = statSync(file, { bigint: true });
      assert.equal(stderrIsJournal({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }, fd), true);
      assert.equal(stderrIsJournal({ JOURNAL_STREAM: `${st.dev}:${st.ino + 1n}` }, fd), false, 'stderr redirected elsewhere');
      assert.equal(stderrIsJournal({}, fd), false);
      assert.equal(stderrIsJournal({ JOURNAL_STREAM: 'garbage' }, fd), false);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
    // This test's stderr is not a journal stream: the default output is text lines.
    assert.equal(stderrIsJournal({ JOURNAL_STREAM: '1:1' }), false);
    assert.ok(defaultLogOutput({}));
  });
});
