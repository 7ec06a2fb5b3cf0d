/**
 * Issue 16 item 7 (seed 000 statistics, SPEC §9): the device counts by method with smartphones by
 * platform, by result, the information acquired, unfinished sessions (a quit is a quit, not a
 * method `none`), per day and per month; persisted; shown on the technician console and exported
 * as JSON. The expected numbers are counted by hand from the sessions each test drives.
 */
import assert from 'node:assert/strict';
import { Driver, qualified, goodCard } from '../session/harness';
import type { SessionOutcome } from '../../src/session/effects';
import { DailyCounters, japanDay } from '../../src/service/daily-counters';
import { TechnicianShell } from '../../src/devices/console/technician-console';

function outcomeOf(d: Driver): SessionOutcome {
  const records = d.of('record-result', d.all);
  assert.equal(records.length, 1, 'one record per session');
  return records[0]!.outcome;
}

/** An Android session from the phone button to done, with 全て同意する. */
function androidSession(): SessionOutcome {
  const d = new Driver({ consent: { referralLetters: false } });
  d.send({ type: 'start' });
  d.tap('phone.start');
  d.tap('phone.android');
  d.digits('1234');
  d.send({ type: 'card-inserted', slot: 'smartphone' });
  d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
  d.send({ type: 'pin-verified' });
  d.send({ type: 'backend-result', result: qualified });
  d.tap('consent.all');
  d.send({ type: 'consent-registered' });
  return outcomeOf(d);
}

describe('statistics (issue 16 item 7)', () => {
  it('the session record carries the platform, the information acquired and how an unfinished session ended', () => {
    const android = androidSession();
    assert.equal(android.method, 'smartphone');
    assert.equal(android.platform, 'android');
    assert.deepEqual(android.acquired, { surgery: true, clinical: true, medication: true, checkup: true });

    const quit = new Driver();
    quit.send({ type: 'start' });
    quit.placeCard();
    quit.tap('method.quit');
    const q = outcomeOf(quit);
    assert.equal(q.status, 'not-confirmed');
    assert.equal(q.ended, 'quit');
    assert.equal(q.acquired, undefined);

    const pulled = new Driver();
    pulled.send({ type: 'start' });
    pulled.placeCard();
    pulled.send({ type: 'card-removed', slot: 'card' });
    assert.equal(outcomeOf(pulled).ended, 'removed');
  });

  it('counts per day and per month in Japan time; a quit is counted as a quit, not as method none', () => {
    const c = new DailyCounters();
    const day1 = Date.UTC(2026, 10, 30, 14, 59); // 2026-11-30 23:59 JST
    const day2 = Date.UTC(2026, 10, 30, 15, 1); // 2026-12-01 00:01 JST
    const day3 = Date.UTC(2026, 11, 1, 3, 0); // 2026-12-01 12:00 JST
    c.record({ method: 'pin', status: 'qualified', consented: true, notices: [], acquired: { clinical: true, medication: true, checkup: false, surgery: false } }, day1);
    c.record({ method: 'smartphone', platform: 'iphone', status: 'qualified', consented: false, notices: [] }, day2);
    c.record({ method: 'smartphone', platform: 'android', status: 'invalid', consented: false, notices: [] }, day3);
    c.record({ method: 'none', status: 'not-confirmed', consented: false, notices: [], ended: 'quit' }, day3);
    c.record({ method: 'face', status: 'no-record', consented: false, notices: [] }, day3);
    assert.equal(japanDay(day1), '2026-11-30');
    const today = c.todayWithRate(day3);
    assert.equal(today.day, '2026-12-01');
    assert.deepEqual(today.byMethod, { smartphone: 2, face: 1 });
    assert.deepEqual(today.byPlatform, { iphone: 1, android: 1 });
    assert.deepEqual(today.ended, { quit: 1 });
    assert.equal(today.mynaConfirmations, 3);
    const december = c.month(day3);
    assert.equal(december.period, '2026-12');
    assert.equal(december.mynaConfirmations, 3);
    const november = c.month('2026-11');
    assert.deepEqual(november.acquired, { clinical: 1, medication: 1 });
    assert.deepEqual(november.byMethod, { pin: 1 });
  });

  it('restores a state file written before these counters existed', () => {
    const c = new DailyCounters();
    c.restore([{ day: '2026-12-01', byMethod: { pin: 2 }, byStatus: { qualified: 2 }, errors: {} }]);
    const t = c.today(Date.UTC(2026, 11, 1, 3, 0));
    assert.deepEqual(t.byMethod, { pin: 2 });
    assert.deepEqual(t.byPlatform, {});
    assert.deepEqual(t.ended, {});
  });

  it('the console shows today and the month, and `counters json` exports both', () => {
    const c = new DailyCounters();
    const now = Date.UTC(2026, 11, 1, 3, 0);
    c.record({ method: 'smartphone', platform: 'iphone', status: 'qualified', consented: true, notices: [], acquired: { checkup: true } }, now);
    c.record({ method: 'none', status: 'not-confirmed', consented: false, notices: [], ended: 'timeout' }, now);
    const shell = new TechnicianShell({
      status: () => {
        throw new Error('not used');
      },
      counters: () => c.todayWithRate(now),
      monthCounters: () => c.month(now),
      version: () => 'test',
      hangEventLoop: () => undefined,
    });
    const lines = shell.handle('counters');
    assert.ok(lines.includes('smartphones: iphone=1'), lines.join('\n'));
    assert.ok(lines.includes('information acquired: checkup=1'), lines.join('\n'));
    assert.ok(lines.includes('unfinished: timeout=1'), lines.join('\n'));
    assert.ok(lines.includes('month: 2026-12'), lines.join('\n'));
    const [json, ok] = shell.handle('counters json');
    assert.equal(ok, 'ok');
    const parsed = JSON.parse(json!) as { today: { mynaConfirmations: number; byPlatform: Record<string, number> }; month: { period: string; ended: Record<string, number> } };
    assert.equal(parsed.today.mynaConfirmations, 1);
    assert.deepEqual(parsed.today.byPlatform, { iphone: 1 });
    assert.equal(parsed.month.period, '2026-12');
    assert.deepEqual(parsed.month.ended, { timeout: 1 });
  });
});
