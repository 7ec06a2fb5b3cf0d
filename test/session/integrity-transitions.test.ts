/**
 * The engine's part of issue 11, transition by transition: device states (reader, backend), the
 * smartphone result screens that end with the phone, a card waiting behind another session, the
 * consent-registration outcome on the done screen, and backend failures while a PIN is checked.
 */
import assert from 'node:assert/strict';
import { Driver, goodCard, qualified } from './harness';

function toDone(d: Driver): void {
  d.send({ type: 'card-inserted', slot: 'card' });
  d.send({ type: 'card-read', slot: 'card', card: goodCard });
  d.tap('method.pin');
  d.digits('1234');
  d.send({ type: 'pin-verified' });
  d.send({ type: 'backend-result', result: qualified });
}

function iphoneToDone(d: Driver): void {
  d.send({ type: 'start' });
  d.tap('phone.start');
  d.tap('phone.iphone');
  d.send({ type: 'card-inserted', slot: 'smartphone' });
  d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
  d.send({ type: 'backend-result', result: qualified });
  d.tap('consent.all');
  d.send({ type: 'consent-registered' });
  assert.equal(d.phase, 'done');
}

describe('engine: issue 11 transitions', () => {
  it('reader gone: idle says it is being prepared; back with a card placed meanwhile: that card is read', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.send({ type: 'reader-availability', slot: 'card', available: false });
    assert.deepEqual(d.shown, { kind: 'idle', visualMode: false, readerAvailable: false, backendAvailable: true, buttons: [] }, 'nothing to start while the reader is away');
    d.send({ type: 'reader-availability', slot: 'card', available: true });
    assert.deepEqual(d.shown, { kind: 'idle', visualMode: false, readerAvailable: true, backendAvailable: true, buttons: ['phone.start', 'staff.start'] });
    d.send({ type: 'reader-availability', slot: 'card', available: false });
    // pcscd is back and reports the card that lies on the reader: it is read at once
    d.send({ type: 'card-inserted', slot: 'card' });
    assert.equal(d.phase, 'reading');
  });

  it('backend unreachable: a line on idle, gone when it is back', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.send({ type: 'backend-availability', available: false });
    assert.deepEqual(d.shown, { kind: 'idle', visualMode: false, readerAvailable: true, backendAvailable: false, buttons: ['phone.start', 'staff.start'] });
    d.send({ type: 'backend-availability', available: true });
    assert.equal(d.screen.kind === 'idle' && d.screen.backendAvailable, true);
  });

  it('a backend failure while the PIN is checked (no nonce) goes to the counter as a backend cause', () => {
    const d = new Driver();
    d.send({ type: 'card-inserted', slot: 'card' });
    d.send({ type: 'card-read', slot: 'card', card: goodCard });
    d.tap('method.pin');
    d.digits('1234');
    assert.equal(d.phase, 'pin-checking');
    const fx = d.send({ type: 'backend-failed', kind: 'unavailable' });
    assert.equal(d.phase, 'counter');
    const rec = fx.find((e) => e.type === 'record-result');
    assert.deepEqual(rec && rec.type === 'record-result' ? rec.outcome.error : undefined, { kind: 'backend', detail: 'unavailable' });
  });

  it('consents that fail after the result: done, with the notice, recorded as qualified without consent', () => {
    for (const [kind, notice] of [
      ['unavailable', 'not-registered'],
      ['outcome-unknown', 'unknown'],
    ] as const) {
      const d = new Driver();
      toDone(d);
      d.tap('consent.all');
      assert.equal(d.phase, 'registering-consent');
      const fx = d.send({ type: 'backend-failed', kind });
      assert.equal(d.phase, 'done');
      assert.deepEqual(d.shown, { kind: 'done', patientName: '山田花子', slot: 'card', consentNotice: notice, buttons: [] });
      const rec = fx.find((e) => e.type === 'record-result');
      assert.ok(rec && rec.type === 'record-result');
      assert.equal(rec.outcome.status, 'qualified');
      assert.equal(rec.outcome.consented, false);
    }
  });

  it('an unknown confirmation outcome is said as such on the counter screen', () => {
    const d = new Driver();
    d.send({ type: 'card-inserted', slot: 'card' });
    d.send({ type: 'card-read', slot: 'card', card: goodCard });
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    d.send({ type: 'backend-failed', kind: 'outcome-unknown' });
    assert.deepEqual(d.shown, { kind: 'counter', cause: 'backend', outcomeUnknown: true, buttons: ['staff.call'] });
  });

  it('iPhone taken away before it signed: the session ends at once (idle), nothing kept', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.tap('phone.start');
    d.tap('phone.iphone');
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    assert.equal(d.phase, 'querying');
    d.send({ type: 'card-removed', slot: 'smartphone' });
    const fx = d.send({ type: 'card-read-failed', slot: 'smartphone', reason: 'removed' });
    assert.equal(d.phase, 'idle');
    assert.ok(fx.some((e) => e.type === 'wipe'));
    assert.equal(d.state.data.card, null);
  });

  it('a smartphone done screen ends when the phone goes; one whose phone left earlier ends after phoneGoneMs', () => {
    const d = new Driver();
    iphoneToDone(d);
    d.send({ type: 'card-removed', slot: 'smartphone' });
    assert.equal(d.phase, 'idle');

    const e = new Driver();
    e.send({ type: 'start' });
    e.tap('phone.start');
    e.tap('phone.iphone');
    e.send({ type: 'card-inserted', slot: 'smartphone' });
    e.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    e.send({ type: 'card-removed', slot: 'smartphone' }); // gone while its answer is on the way
    e.send({ type: 'backend-result', result: qualified });
    e.tap('consent.all');
    e.send({ type: 'consent-registered' });
    assert.equal(e.phase, 'done');
    assert.equal(e.state.timer && e.state.timer.deadline - e.now, e.config.timeouts.phoneGoneMs);
    e.timeout();
    assert.equal(e.phase, 'idle');
  });

  it('a card placed on a smartphone done screen ends the phone session and is read', () => {
    const d = new Driver();
    iphoneToDone(d);
    const fx = d.send({ type: 'card-inserted', slot: 'card' });
    assert.ok(fx.some((e) => e.type === 'wipe'), 'the phone patient is wiped first');
    assert.equal(d.phase, 'reading');
    assert.deepEqual(
      fx.filter((e) => e.type === 'read-card'),
      [{ type: 'read-card', slot: 'card' }],
    );
  });

  it('a card placed during a smartphone session in progress is read when that session ends', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.tap('phone.start');
    d.tap('phone.iphone');
    d.send({ type: 'card-inserted', slot: 'card' }); // the next patient is early
    assert.equal(d.phase, 'phone-hold');
    d.timeout();
    assert.equal(d.phase, 'reading');
  });
});
