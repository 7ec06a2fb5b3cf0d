/**
 * The logger (issue 12 item 8): pino underneath, text lines for the rig log, per-namespace levels
 * from `FCR_LOG_LEVEL`, no digit masking, and the two privacy guards — `Secret` values and the
 * redact paths for fields named after a secret. The JSON format is checked with JSON.parse, the
 * text format with regular expressions written here.
 */
import assert from 'node:assert/strict';
import { createLogger, LogLevelSpecError, parseLogLevels, type LoggerOptions } from '../../src/log/logger';
import { secret } from '../../src/log/secret';

function capture(o: LoggerOptions = {}) {
  const lines: string[] = [];
  const raw: string[] = [];
  const log = createLogger('fcr', { clock: () => new Date('2026-12-01T09:00:00.000Z'), sink: { write: (l) => lines.push(l) }, unredactedSink: { write: (l) => raw.push(l) }, ...o });
  return { log, lines, raw };
}

describe('logger', () => {
  it('text lines: time, level, namespace, message, then key=value fields', () => {
    const c = capture();
    c.log.child('backend').info('POST /v1/confirmations 200', { event: 'backend-call', ms: 84, note: 'two words' });
    assert.deepEqual(c.lines, ['2026-12-01T09:00:00.000Z INFO  [fcr.backend] POST /v1/confirmations 200 event=backend-call ms=84 note="two words"']);
  });

  it('no digit masking: a port, a duration and a status word log as themselves', () => {
    const c = capture({ level: 'trace' });
    c.log.info('listening on https://127.0.0.1:47395, admin https://127.0.0.1:47396');
    c.log.child('apdu').trace('VERIFY -> 0 bytes SW 6983', { sw: '6983', ms: 1234 });
    assert.match(c.lines[0]!, /127\.0\.0\.1:47395, admin https:\/\/127\.0\.0\.1:47396$/);
    assert.match(c.lines[1]!, /\[fcr\.apdu\] VERIFY -> 0 bytes SW 6983 sw=6983 ms=1234$/);
    assert.ok(!c.lines.join('\n').includes('####'));
  });

  it('a PIN in a Secret never prints; a pin field is censored by redact, though the raw capture shows what was passed', () => {
    const c = capture();
    const pin = '7395';
    c.log.info(`verifying PIN ${secret(pin)}`, { attempt: 1, pin: secret(pin) });
    c.log.warn('leaky on purpose', { pin, passcode: '5081', codeB: '330401203412' });
    const out = c.lines.join('\n');
    assert.ok(!/7395|5081|330401203412/.test(out), out);
    assert.match(c.lines[0]!, /verifying PIN \[redacted\] attempt=1 pin=\[redacted\]$/);
    assert.match(c.lines[1]!, /leaky on purpose pin=\[redacted\] passcode=\[redacted\] codeB=\[redacted\]$/);
    // The test sink sees what the caller passed: a PIN given as a plain string is caught there.
    assert.equal(c.raw[0], 'INFO [fcr] verifying PIN [redacted] attempt=1 pin=[redacted]');
    assert.equal(c.raw[1], 'WARN [fcr] leaky on purpose pin=7395 passcode=5081 codeB=330401203412');
  });

  it('JSON lines: one object per record with the fields at the top level, redaction applied', () => {
    const c = capture({ format: 'json' });
    c.log.child('card').warn('PIN verification failed', { event: 'pin-failed', triesLeft: 2, pin: '7395' });
    assert.deepEqual(JSON.parse(c.lines[0]!), { level: 'warn', time: '2026-12-01T09:00:00.000Z', ns: 'fcr.card', msg: 'PIN verification failed', event: 'pin-failed', triesLeft: 2, pin: '[redacted]' });
  });

  it('per-namespace levels: FCR_LOG_LEVEL=info,pcsc=debug; the longest match wins, with or without the root name', () => {
    const spec = parseLogLevels('info,pcsc=debug,fcr.pcsc.apdu=trace,backend=warn');
    assert.deepEqual(spec, { level: 'info', levels: { pcsc: 'debug', 'fcr.pcsc.apdu': 'trace', backend: 'warn' } });
    const c = capture(spec);
    c.log.debug('root debug: hidden');
    c.log.child('pcsc').debug('pcsc debug: shown');
    c.log.child('pcsc').trace('pcsc trace: hidden');
    c.log.child('pcsc').child('apdu').trace('apdu trace: shown');
    c.log.child('backend').info('backend info: hidden');
    c.log.child('backend').warn('backend warn: shown');
    c.log.child('pcscx').debug('another namespace: hidden');
    assert.deepEqual(c.lines.map((l) => l.replace(/^\S+ \S+ +/, '')), ['[fcr.pcsc] pcsc debug: shown', '[fcr.pcsc.apdu] apdu trace: shown', '[fcr.backend] backend warn: shown']);
  });

  it('a bad level spec names the part that is wrong', () => {
    assert.throws(() => parseLogLevels('info,pcsc=debgu'), (e: unknown) => e instanceof LogLevelSpecError && e.part === 'pcsc=debgu');
    assert.throws(() => parseLogLevels('=debug'), LogLevelSpecError);
    assert.deepEqual(parseLogLevels(''), { levels: {} });
  });

  it('lazy messages are not built below the level', () => {
    const c = capture({ level: 'info' });
    let built = 0;
    c.log.debug(() => `costly ${++built}`);
    c.log.info(() => `costly ${++built}`);
    assert.equal(built, 1);
    assert.equal(c.lines.length, 1);
  });
});
