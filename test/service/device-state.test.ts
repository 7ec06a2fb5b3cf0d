/**
 * Durable device state (issue 11 item 5): the staff passcode lockout and the SPEC §9 counters
 * survive a restart (a new service over the same state directory), each lockout doubles its
 * period up to 24 h, a corrupt state file locks the passcode for one period and is reported, and
 * a crash between the temp write and the rename leaves the old file valid. Fake timers, no sleeps.
 *
 * The file is checked with `JSON.parse` and plain property reads, not with the store's own schema.
 */
import { BUTTON } from '../../src/session/screen';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { type FacilityConfig } from '../../src/config';
import { defaultRigConfig } from '../../rig/rig-config';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { SimulatedGpioChip } from '../../rig/devices/simulated-gpio';
import { TechnicianShell } from '../../src/devices/console/technician-console';
import { createLogger } from '../../src/log/logger';
import { technicianConsoleBackend } from '../../src/service/console-status';
import { DeviceStateStore, STATE_FILE_NAME } from '../../src/service/device-state-store';
import { ReaderService } from '../../src/service/reader-service';
import { HeadlessPanel } from '../../src/ui/panel/panel-driver';
import { ja } from '../../src/ui/text/ja';
import { FakeBackend, FakeCard, FakeFace, staffPasscode } from './fakes';

const pins = loadPinMap(join(__dirname, '../../hardware/pin-map.json'));
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 1, 0, 0);

describe('durable device state: lockout and counters across restarts', () => {
  let dir: string;
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-state-'));
    clock = FakeTimers.install({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    clock.uninstall();
    rmSync(dir, { recursive: true, force: true });
  });

  function boot(config: FacilityConfig = defaultRigConfig()) {
    const panel = new HeadlessPanel();
    const card = new FakeCard();
    const logLines: string[] = [];
    const log = createLogger('test', { level: 'info', sink: { write: (l) => logLines.push(l) } });
    const store = new DeviceStateStore({ dir, log: log.child('state'), lockoutMs: config.staff.lockoutMs });
    const service = new ReaderService({
      config,
      card,
      backend: new FakeBackend(),
      face: new FakeFace(),
      staffPasscode,
      panel,
      indicators: new GpioIndicators(pins, new SimulatedGpioChip().lineFactory),
      log,
      deviceState: store,
    });
    service.start();
    const shell = new TechnicianShell(technicianConsoleBackend(service, () => 'closed', config, false, store));
    return { panel, card, service, store, logLines, shell, phase: () => service.current().phase.name };
  }

  /** Staff button, then one 4-digit code; waits out the rate limit before it. */
  async function tryPasscode(r: ReturnType<typeof boot>, code: string): Promise<void> {
    const wait = Math.max(0, r.service.current().device.staffNextAttemptAt - Date.now());
    await clock.tickAsync(wait);
    if (r.phase() === 'idle') assert.ok(r.panel.press(BUTTON.staffStart), 'staff button on the idle screen');
    for (const d of code) r.panel.typeDigit(d);
    await r.service.settle();
  }

  async function lockOut(r: ReturnType<typeof boot>, maxFailures: number): Promise<void> {
    for (let i = 0; i < maxFailures; i++) await tryPasscode(r, '0000');
    assert.equal(r.phase(), 'staff-locked');
  }

  function file(): { version: number; staff: { failures: number; lockedUntil: number; lockoutLevel: number }; counters: { day: string; byMethod: Record<string, number> }[] } {
    return JSON.parse(readFileSync(join(dir, STATE_FILE_NAME), 'utf8')) as never;
  }

  it('a restart keeps the passcode lockout: no fresh tries after a power cycle', async () => {
    const config = defaultRigConfig();
    const a = boot(config);
    await lockOut(a, config.staff.maxFailures);
    assert.equal(file().staff.lockedUntil, Date.now() + config.staff.lockoutMs, 'on disk before the locked screen was shown');
    await a.service.stop();

    await clock.tickAsync(60_000);
    const b = boot(config);
    assert.ok(b.panel.press(BUTTON.staffStart));
    await b.service.settle();
    assert.equal(b.phase(), 'staff-locked', 'still locked after the restart');
    assert.ok(b.shell.handle('status').some((l) => /staff passcode: locked until .*\(240 s left\).*lockout level 1/.test(l)), b.shell.handle('status').join('\n'));
    await b.service.stop();

    // Once the period is over the passcode works again, and a correct one resets the escalation.
    await clock.tickAsync(config.staff.lockoutMs);
    const c = boot(config);
    await tryPasscode(c, '1234');
    assert.equal(c.phase(), 'staff-confirm');
    assert.equal(file().staff.lockoutLevel, 0);
    await c.service.stop();
  });

  it('each lockout doubles the period, capped at 24 h, across restarts', async () => {
    const config = defaultRigConfig({ staff: { lockoutMs: 5 * HOUR, maxFailures: 2, backoffMs: 0 } });
    const periods: number[] = [];
    for (let round = 0; round < 5; round++) {
      const r = boot(config);
      await lockOut(r, 2);
      periods.push(file().staff.lockedUntil - Date.now());
      await r.service.stop();
      await clock.tickAsync(file().staff.lockedUntil - Date.now());
    }
    // 5 h, 10 h, 20 h, then the 24 h cap.
    assert.deepEqual(periods.map((p) => p / HOUR), [5, 10, 20, 24, 24]);
    assert.equal(file().staff.lockoutLevel, 5);
  });

  it('wrong codes below the threshold survive a restart too (no counter reset by power cycling)', async () => {
    const config = defaultRigConfig({ staff: { maxFailures: 3, backoffMs: 0 } });
    const a = boot(config);
    await tryPasscode(a, '0000');
    await tryPasscode(a, '0000');
    await a.service.stop();
    const b = boot(config);
    await tryPasscode(b, '0000');
    assert.equal(b.phase(), 'staff-locked', 'the third wrong code overall locks, though only one since the restart');
    await b.service.stop();
  });

  it('a restart keeps the SPEC §9 counters of the day', async () => {
    const a = boot();
    a.card.present({ type: 'inserted', slot: 'card' });
    await a.service.settle();
    assert.ok(a.panel.press(BUTTON.methodPin));
    for (const d of '1234') a.panel.typeDigit(d);
    await a.service.settle();
    assert.ok(a.panel.press(BUTTON.consentAll));
    await a.service.settle();
    a.card.present({ type: 'removed', slot: 'card' });
    await a.service.settle();
    assert.equal(a.service.counters.today(Date.now()).byMethod['pin'], 1);
    await a.service.stop();
    assert.equal(file().counters[0]?.byMethod['pin'], 1, 'written to the state file');

    const b = boot();
    const today = b.service.counters.today(Date.now());
    assert.equal(today.byMethod['pin'], 1);
    assert.equal(today.byStatus['qualified'], 1);
    assert.ok(b.shell.handle('counters').includes('by method: pin=1'));
    // Seed 000 statistics survive too (issue 16 item 7): the information acquired by 全て同意する.
    assert.deepEqual(today.acquired, { surgery: 1, clinical: 1, medication: 1, checkup: 1 });
    const exported = JSON.parse(b.shell.handle('counters json')[0]!) as { today: { mynaConfirmations: number }; month: { byMethod: Record<string, number> } };
    assert.equal(exported.today.mynaConfirmations, 1);
    assert.equal(exported.month.byMethod['pin'], 1);
    await b.service.stop();
  });

  it('holds counts and timestamps only: no name, PIN or passcode in the file', async () => {
    const a = boot();
    await tryPasscode(a, '9876');
    a.panel.press(BUTTON.staffAbort);
    a.card.present({ type: 'inserted', slot: 'card' });
    await a.service.settle();
    a.panel.press(BUTTON.methodPin);
    for (const d of '1234') a.panel.typeDigit(d);
    await a.service.settle();
    a.panel.press(BUTTON.consentAll);
    await a.service.settle();
    await a.service.stop();
    const text = readFileSync(join(dir, STATE_FILE_NAME), 'utf8');
    for (const s of ['山田', '1234', '9876']) assert.ok(!text.includes(s), `state file holds ${s}`);
    assert.equal(readdirSync(dir).length, 1, 'no temp file left behind');
  });

  it('a corrupt state file fails closed: locked for one period, reported in the log and on the console', async () => {
    const config = defaultRigConfig();
    writeFileSync(join(dir, STATE_FILE_NAME), '{"version":1,"staff":{"failu');
    const r = boot(config);
    assert.ok(r.logLines.some((l) => /ERROR.*device state file corrupt/.test(l)), r.logLines.join('\n'));
    assert.ok(r.shell.handle('status').some((l) => /^state file: corrupt .*locked/.test(l)));
    assert.ok(r.panel.press(BUTTON.staffStart));
    await r.service.settle();
    assert.equal(r.phase(), 'staff-locked');
    r.panel.press(BUTTON.staffAbort);
    await r.service.settle();
    await clock.tickAsync(config.staff.lockoutMs);
    await tryPasscode(r, '1234');
    assert.equal(r.phase(), 'staff-confirm', 'usable again after one period');
    await r.service.stop();
  });

  it('a state file of an unknown version or with a wrong field also fails closed', () => {
    const config = defaultRigConfig();
    for (const body of [
      { version: 2, staff: {} },
      { version: 1, savedAt: 0, staff: { failures: -1, nextAttemptAt: 0, lockedUntil: 0, lockoutLevel: 0 }, counters: [] },
    ]) {
      writeFileSync(join(dir, STATE_FILE_NAME), JSON.stringify(body));
      const store = new DeviceStateStore({ dir, log: createLogger('t', { level: 'silent' }), lockoutMs: config.staff.lockoutMs });
      const loaded = store.load();
      assert.ok(loaded.problem, JSON.stringify(body));
      assert.equal(loaded.state.staff.staffLockedUntil, Date.now() + config.staff.lockoutMs);
    }
  });

  it('a crash between the temp write and the rename leaves the old file valid', () => {
    const log = createLogger('t', { level: 'silent' });
    const good = new DeviceStateStore({ dir, log, lockoutMs: 300_000 });
    const first = { staff: { staffFailures: 2, staffNextAttemptAt: 0, staffLockedUntil: 0, staffLockoutLevel: 0 }, counters: [] };
    assert.equal(good.save(first), true);
    const before = readFileSync(join(dir, STATE_FILE_NAME), 'utf8');

    let renames = 0;
    const crashing = { ...fs, renameSync: () => { renames++; throw Object.assign(new Error('power lost'), { code: 'EIO' }); } } as typeof fs;
    const store = new DeviceStateStore({ dir, log, lockoutMs: 300_000, fs: crashing });
    assert.equal(store.save({ ...first, staff: { ...first.staff, staffFailures: 4 } }), false);
    assert.equal(renames, 1, 'the failure was at the rename');
    assert.equal(readFileSync(join(dir, STATE_FILE_NAME), 'utf8'), before, 'old file untouched');
    assert.equal(file().staff.failures, 2);
    assert.match(store.status(), /write failed \(EIO\)/);
    assert.equal(new DeviceStateStore({ dir, log, lockoutMs: 300_000 }).load().problem, undefined);
    assert.ok(!existsSync(join(dir, `${STATE_FILE_NAME}.tmp`)));
  });
});
