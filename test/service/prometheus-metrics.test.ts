/**
 * The fleet metrics adapter (issue 17) through the hook the reader service calls: a PIN session
 * on fake ports, device states, the lockout against the clock, the endpoint and the config. The
 * exposition is read with the test's own reader of the public text format (`prom-text.ts`) and
 * linted by Debian's `promtool`, never with prom-client.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { ReaderService } from '../../src/service/reader-service';
import { PrometheusReaderMetrics } from '../../src/service/adapters/prometheus-metrics';
import { startMetricsServer } from '../../src/service/metrics-server';
import { parseConfig } from '../../src/config';
import { defaultRigConfig } from '../../rig/rig-config';
import { HeadlessPanel } from '../../src/ui/panel/panel-driver';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { SimulatedGpioChip } from '../../rig/devices/simulated-gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { createLogger, silentLogger } from '../../src/log/logger';
import { FakeBackend, FakeCard, FakeFace, staffPasscode } from './fakes';
import { technicianConsoleBackend } from '../../src/service/console-status';
import { TechnicianShell } from '../../src/devices/console/technician-console';
import { noMetrics, type ReaderMetrics } from '../../src/service/metrics-port';
import { parsePromText, sampleValue } from './prom-text';

const pins = loadPinMap(join(__dirname, '../../hardware/pin-map.json'));

function get(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject).end();
  });
}

describe('fleet metrics adapter (prom-client behind the ReaderMetrics hook)', () => {
  it('counts a PIN session the service ran: method, result, duration, the day, the usage-rate numerator', async () => {
    let now = Date.parse('2026-12-01T01:00:00Z');
    const clock = () => now;
    let service!: ReaderService;
    const metrics = new PrometheusReaderMetrics({ clock, today: () => service.counters.today(now), processMetrics: false });
    const panel = new HeadlessPanel();
    const card = new FakeCard();
    service = new ReaderService({ config: defaultRigConfig(), card, backend: new FakeBackend(), face: new FakeFace(), staffPasscode, panel, indicators: new GpioIndicators(pins, new SimulatedGpioChip().lineFactory), log: silentLogger, clock, metrics });
    service.start();
    card.present({ type: 'inserted', slot: 'card' });
    await service.settle();
    assert.ok(panel.press('暗証番号を入力'));
    // 20 s at the reader before the PIN: the session's length, whatever the screens after it.
    now += 20_000;
    for (const d of '1234') panel.typeDigit(d);
    await service.settle();
    assert.ok(panel.press('全て同意する'));
    await service.settle();
    card.present({ type: 'removed', slot: 'card' });
    await service.settle();

    const s = parsePromText(await metrics.text());
    assert.equal(sampleValue(s, 'fcr_sessions_started_total'), 1);
    assert.equal(sampleValue(s, 'fcr_sessions_total', { method: 'pin', status: 'qualified' }), 1);
    assert.equal(sampleValue(s, 'fcr_sessions_total', { method: 'face', status: 'qualified' }), 0, 'every method × result exists from the start');
    assert.equal(sampleValue(s, 'fcr_session_duration_seconds_count', { method: 'pin' }), 1);
    assert.equal(sampleValue(s, 'fcr_session_duration_seconds_sum', { method: 'pin' }), 20);
    assert.equal(sampleValue(s, 'fcr_session_duration_seconds_bucket', { method: 'pin', le: '15' }), 0);
    assert.equal(sampleValue(s, 'fcr_session_duration_seconds_bucket', { method: 'pin', le: '20' }), 1);
    assert.equal(sampleValue(s, 'fcr_today_confirmations', { method: 'pin' }), 1);
    assert.equal(sampleValue(s, 'fcr_today_results', { status: 'qualified' }), 1);
    assert.equal(sampleValue(s, 'fcr_today_card_confirmations'), 1);
    assert.equal(sampleValue(s, 'fcr_device_up', { device: 'backend' }), 1);
    assert.equal(sampleValue(s, 'fcr_device_up', { device: 'card-reader' }), 1);
    assert.equal(sampleValue(s, 'fcr_backend_breaker_open'), 0);
    assert.equal(sampleValue(s, 'fcr_session_failures_total'), undefined, 'no failure, no failure series');
    const status = new TechnicianShell(technicianConsoleBackend(service, () => 'closed', defaultRigConfig(), false, undefined, undefined, 'http://127.0.0.1:9464/metrics')).handle('status');
    assert.ok(status.includes('metrics: http://127.0.0.1:9464/metrics'), status.join('\n'));
    await service.stop();
  });

  it('reports failures by typed kind and the device states the service sees', async () => {
    const metrics = new PrometheusReaderMetrics({ processMetrics: false });
    const card = new FakeCard();
    let availability: ((up: boolean) => void) | undefined;
    const backend = Object.assign(new FakeBackend(), {
      onAvailabilityChange(l: (up: boolean) => void) {
        availability = l;
        return () => undefined;
      },
    });
    backend.answer = async () => ({ ok: false, kind: 'timeout' });
    const panel = new HeadlessPanel();
    const service = new ReaderService({ config: defaultRigConfig(), card, backend, face: new FakeFace(), staffPasscode, panel, indicators: new GpioIndicators(pins, new SimulatedGpioChip().lineFactory), log: silentLogger, metrics });
    service.start();
    card.present({ type: 'inserted', slot: 'card' });
    await service.settle();
    assert.ok(panel.press('暗証番号を入力'));
    for (const d of '1234') panel.typeDigit(d);
    await service.settle();
    backend.up = false;
    availability?.(false);
    card.present({ type: 'reader-unavailable', slot: 'card' });
    await service.settle();

    const s = parsePromText(await metrics.text());
    assert.ok((sampleValue(s, 'fcr_errors_total', { kind: 'backend', detail: 'timeout' }) ?? 0) >= 1, 'the backend timeout counted by kind');
    assert.equal(sampleValue(s, 'fcr_device_up', { device: 'backend' }), 0);
    assert.equal(sampleValue(s, 'fcr_backend_breaker_open'), 1);
    assert.equal(sampleValue(s, 'fcr_device_up', { device: 'card-reader' }), 0);
    await service.stop();
  });

  it('a metrics adapter that throws does not stop the session: logged by name, the patient served', async () => {
    const broken: ReaderMetrics = { ...noMetrics, sessionEnded: () => { throw new RangeError('broken metrics'); }, deviceState: () => { throw new TypeError('broken metrics'); } };
    const panel = new HeadlessPanel();
    const card = new FakeCard();
    const errors: string[] = [];
    const log = createLogger('test', { level: 'error', sink: { write: (l) => errors.push(l) } });
    const service = new ReaderService({ config: defaultRigConfig(), card, backend: new FakeBackend(), face: new FakeFace(), staffPasscode, panel, indicators: new GpioIndicators(pins, new SimulatedGpioChip().lineFactory), log, metrics: broken });
    service.start();
    card.present({ type: 'inserted', slot: 'card' });
    await service.settle();
    assert.ok(panel.press('暗証番号を入力'));
    for (const d of '1234') panel.typeDigit(d);
    await service.settle();
    assert.ok(panel.press('全て同意する'));
    await service.settle();
    assert.equal(service.counters.today(Date.now()).byStatus['qualified'], 1, 'the session was served and counted');
    assert.ok(errors.some((l) => l.includes('metrics sessionEnded failed: RangeError')), errors.join('\n'));
    await service.stop();
  });

  it('counts a session that ended at the counter by its cause, and a crashed adapter by effect', async () => {
    const m = new PrometheusReaderMetrics({ processMetrics: false });
    m.sessionStarted();
    m.sessionEnded({ method: 'none', status: 'not-confirmed', error: { kind: 'card-read', detail: 'broken-chip' } }, 7_000);
    m.effectCrashed('read-card');
    m.staffCalled();
    m.deviceState({ device: 'camera', up: false });
    m.deviceState({ device: 'result-folder', up: false });
    const s = parsePromText(await m.text());
    assert.equal(sampleValue(s, 'fcr_session_failures_total', { kind: 'card-read', detail: 'broken-chip' }), 1);
    assert.equal(sampleValue(s, 'fcr_sessions_total', { method: 'none', status: 'not-confirmed' }), 1);
    assert.equal(sampleValue(s, 'fcr_adapter_crashes_total', { effect: 'read-card' }), 1);
    assert.equal(sampleValue(s, 'fcr_staff_calls_total', {}), 1);
    assert.equal(sampleValue(s, 'fcr_device_up', { device: 'camera' }), 0);
    assert.equal(sampleValue(s, 'fcr_device_up', { device: 'result-folder' }), 0);
  });

  it('shows the staff passcode locked while its deadline is ahead of the clock, and its level', async () => {
    let now = 1_000_000;
    const m = new PrometheusReaderMetrics({ clock: () => now, processMetrics: false });
    m.deviceState({ device: 'staff-lockout', lockedUntil: now + 300_000, level: 2, failures: 0 });
    let s = parsePromText(await m.text());
    assert.equal(sampleValue(s, 'fcr_staff_passcode_locked'), 1);
    assert.equal(sampleValue(s, 'fcr_staff_passcode_lockout_level'), 2);
    now += 300_001;
    s = parsePromText(await m.text());
    assert.equal(sampleValue(s, 'fcr_staff_passcode_locked'), 0, 'the lockout ends with time, without a new event');
  });

  it("is valid exposition text by Debian's promtool", async () => {
    const m = new PrometheusReaderMetrics({ processMetrics: false, today: () => ({ day: '2026-12-01', byMethod: { pin: 1 }, byStatus: { qualified: 1 }, errors: { camera: 1 }, byPlatform: {}, acquired: {}, ended: {} }) });
    m.sessionEnded({ method: 'pin', status: 'qualified' }, 12_000);
    m.failure({ kind: 'camera' });
    const r = spawnSync('promtool', ['check', 'metrics'], { input: await m.text(), encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  });

  it('serves GET /metrics only, on the configured loopback address', async () => {
    const m = new PrometheusReaderMetrics({ processMetrics: false });
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, source: m, log: silentLogger });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const ok = await get(server.url);
      assert.equal(ok.status, 200);
      assert.match(ok.type, /^text\/plain; version=0\.0\.4/);
      assert.ok(parsePromText(ok.body).some((x) => x.name === 'fcr_sessions_total'));
      assert.equal((await get(server.url.replace('/metrics', '/'))).status, 404);
      assert.equal((await get(server.url, 'POST')).status, 405);
    } finally {
      await server.close();
    }
  });

  it('config: metrics off and on loopback by default, strict, the rig on an ephemeral port', () => {
    const base = { facility: { name: 'x', code: '1310000001' }, staff: { passcode: defaultRigConfig().staff.passcode }, backend: { url: 'https://b.example/' }, readers: { card: 'r0', smartphone: 'r1' } };
    assert.deepEqual(parseConfig(base).metrics, { enabled: false, host: '127.0.0.1', port: 9464 });
    assert.throws(() => parseConfig({ ...base, metrics: { enabled: true, host: 'reader.local' } }), /metrics\.host/);
    assert.throws(() => parseConfig({ ...base, metrics: { enabled: true, path: '/x' } }), /metrics/);
    assert.throws(() => parseConfig({ ...base, metrics: { port: 70_000 } }), /metrics\.port/);
    assert.equal(parseConfig({ ...base, metrics: { enabled: true, host: '::1' } }).metrics.host, '::1');
    assert.deepEqual(defaultRigConfig().metrics, { enabled: true, host: '127.0.0.1', port: 0 });
  });
});
