/**
 * What a real counter needs that neither the seeds nor the product had (issue 16): a 職員を呼ぶ
 * button any patient can press, which calls staff without touching the session, and the presence
 * sensor waking the idle screen. Buttons pressed by id.
 */
import assert from 'node:assert/strict';
import { Driver, qualified } from './harness';

describe('counter needs (issue 16)', () => {
  it('職員を呼ぶ on the PIN pad: one call-staff effect, the typed digits, phase and timer kept', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.pin');
    d.digits('12');
    const before = structuredClone({ phase: d.state.phase, timer: d.state.timer, data: d.state.data });
    const effects = d.tap('staff.call');
    assert.deepEqual(d.of('call-staff', effects), [{ type: 'call-staff', phase: 'pin' }]);
    assert.ok(!effects.some((e) => e.type === 'show' || e.type === 'start-timer' || e.type === 'cancel-timer' || e.type === 'wipe' || e.type === 'record-result'), 'the session is not interrupted');
    assert.deepEqual({ phase: d.state.phase, timer: d.state.timer, data: d.state.data }, before);
    // The patient carries on where they were.
    d.digits('34');
    assert.equal(d.phase, 'pin-checking');
  });

  it('offered where a patient may be stuck: method, face, face-failed, consent, counter, not-qualified', () => {
    const d = new Driver();
    d.placeCard();
    assert.ok(d.screen.buttons.includes('staff.call'), 'method');
    d.tap('method.face');
    assert.ok(d.screen.buttons.includes('staff.call'), 'face');
    for (let i = 0; i < 3; i++) d.send({ type: 'face-result', outcome: 'no-match' });
    assert.equal(d.phase, 'face-failed');
    assert.deepEqual(d.of('call-staff', d.tap('staff.call')), [{ type: 'call-staff', phase: 'face-failed' }]);
    assert.equal(d.phase, 'face-failed');

    const c = new Driver();
    c.placeCard();
    c.tap('method.pin');
    c.digits('1234');
    c.send({ type: 'pin-verified' });
    c.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(c.phase, 'consent-inherit');
    assert.deepEqual(c.of('call-staff', c.tap('staff.call')), [{ type: 'call-staff', phase: 'consent-inherit' }]);

    const n = new Driver();
    n.placeCard();
    n.tap('method.pin');
    n.digits('1234');
    n.send({ type: 'pin-verified' });
    n.send({ type: 'backend-result', result: { ...qualified, status: 'invalid' } });
    assert.equal(n.phase, 'not-qualified');
    n.tap('staff.call');
    assert.equal(n.phase, 'not-qualified', 'the stop screen stays until its own timeout');

    const k = new Driver();
    k.placeCard();
    k.tap('method.pin');
    k.digits('1234');
    k.send({ type: 'pin-verified' });
    k.send({ type: 'backend-failed', kind: 'unavailable' });
    assert.equal(k.phase, 'counter');
    assert.deepEqual(k.of('call-staff', k.tap('staff.call')), [{ type: 'call-staff', phase: 'counter' }]);
  });

  it('not offered on staff or busy screens: a press there is stale and calls nobody', () => {
    const d = new Driver();
    d.send({ type: 'card-inserted', slot: 'card' });
    assert.equal(d.phase, 'reading');
    assert.ok(!d.screen.buttons.includes('staff.call'));
    const effects = d.send({ type: 'button', id: 'staff.call' });
    assert.deepEqual(d.of('call-staff', effects), []);
  });

  it('the presence sensor wakes the idle screen and lets it rest again', () => {
    const d = new Driver();
    d.send({ type: 'presence', active: true });
    assert.equal(d.screen.kind, 'idle');
    assert.equal((d.screen as { awake?: boolean }).awake, true);
    assert.equal(d.state.device.presence, true);
    d.send({ type: 'presence', active: false });
    assert.equal((d.screen as { awake?: boolean }).awake, undefined);
  });

  it('presence during a session is remembered, never redraws or interrupts it', () => {
    const d = new Driver();
    d.placeCard();
    const effects = d.send({ type: 'presence', active: true });
    assert.deepEqual(effects, []);
    assert.equal(d.phase, 'method');
    d.tap('method.quit');
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.phase, 'idle');
    assert.equal((d.screen as { awake?: boolean }).awake, true, 'the next patient is still there');
  });
});
