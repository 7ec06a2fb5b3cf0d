/**
 * Transition tables: every phase reached through `step()`, then its timeout, an impossible event,
 * a stale button and a stale timer; plus purity and a seeded random walk that must never throw.
 */
import assert from 'node:assert/strict';
import { Driver, goodCard, qualified } from './harness';
import { initialSession, screenOf, step } from '../../src/session/engine';
import type { SessionEvent } from '../../src/session/events';
import type { PhaseName } from '../../src/session/state';
import { defaultRigConfig } from '../../rig/rig-config';

type Reach = (d: Driver) => void;

const pinOk = (d: Driver) => {
  d.placeCard();
  d.tap('method.pin');
  d.digits('1234');
  d.send({ type: 'pin-verified' });
};
const qualifiedWith = (d: Driver, extra = {}) => {
  pinOk(d);
  d.send({ type: 'backend-result', result: { ...qualified, ...extra } });
};

/** How to reach each phase, with a card on the reader unless the phase precedes it. */
const reach: Record<PhaseName, Reach> = {
  idle: (d) => d.send({ type: 'start' }),
  reading: (d) => d.send({ type: 'card-inserted', slot: 'card' }),
  'certificate-unusable': (d) => d.placeCard({ revoked: true }),
  'registration-offer': (d) => d.placeCard({ registeredForInsurance: false }),
  registering: (d) => {
    d.placeCard({ registeredForInsurance: false });
    d.tap('registration.apply');
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
  },
  'registration-done': (d) => {
    d.placeCard({ registeredForInsurance: false });
    d.tap('registration.apply');
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    d.send({ type: 'insurance-registered' });
  },
  method: (d) => d.placeCard(),
  'auth-select': (d) => d.placeCard(),
  face: (d) => {
    d.placeCard();
    d.tap('method.face');
  },
  'face-failed': (d) => {
    d.placeCard();
    d.tap('method.face');
    d.send({ type: 'camera-failed' });
  },
  pin: (d) => {
    d.placeCard();
    d.tap('method.pin');
  },
  'pin-checking': (d) => {
    d.placeCard();
    d.tap('method.pin');
    d.digits('1234');
  },
  'pin-locked': (d) => {
    d.placeCard();
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-locked' });
  },
  'staff-passcode': (d) => {
    d.placeCard();
    d.tap('staff.start');
  },
  'staff-checking': (d) => {
    d.placeCard();
    d.tap('staff.start');
    d.digits('1234');
  },
  'staff-locked': (d) => {
    d.placeCard();
    d.tap('staff.start');
    for (let i = 0; i < 5; i++) {
      d.now += 60_000;
      d.digits('0000');
      d.send({ type: 'staff-passcode-result', ok: false });
    }
  },
  'staff-confirm': (d) => {
    d.placeCard();
    d.tap('staff.start');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
  },
  'staff-place-card': (d) => {
    d.send({ type: 'start' });
    d.tap('staff.start');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    d.tap('staff.visual');
  },
  'phone-choice': (d) => {
    d.send({ type: 'start' });
    d.tap('phone.start');
  },
  'phone-hold': (d) => {
    d.send({ type: 'start' });
    d.tap('phone.start');
    d.tap('phone.iphone');
  },
  notice: (d) => {
    d.placeCard({ certificateStatus: 'expiring-soon' });
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
  },
  querying: pinOk,
  'consent-inherit': (d) => qualifiedWith(d, { previousConsent: { surgery: true } }),
  'terminal-visual-wait': (d) => {
    d.send({ type: 'terminal-visual-mode', on: true });
    d.placeCard();
  },
  'consent-previous': (d) => {
    qualifiedWith(d, { previousConsent: { surgery: true } });
    d.tap('consent.view-previous');
  },
  'consent-method': (d) => qualifiedWith(d),
  'consent-item': (d) => {
    qualifiedWith(d);
    d.tap('consent.individual');
  },
  referral: (d) => {
    qualifiedWith(d, { referralLetters: [{ id: 'L', issuedOn: '1/2', issuer: '○○病院', department: '内科' }] });
    d.tap('consent.all');
  },
  limit: (d) => {
    qualifiedWith(d);
    d.tap('consent.all');
    d.send({ type: 'consent-registered' });
    d.tap('limit.open');
  },
  'registering-consent': (d) => {
    qualifiedWith(d);
    d.tap('consent.all');
  },
  done: (d) => {
    qualifiedWith(d);
    d.tap('consent.all');
    d.send({ type: 'consent-registered' });
  },
  'not-qualified': (d) => qualifiedWith(d, { status: 'invalid' }),
  counter: (d) => {
    pinOk(d);
    d.send({ type: 'backend-failed', kind: 'tls' });
  },
  'remove-card': (d) => {
    d.placeCard();
    d.tap('method.quit');
  },
};

const driverFor = (phase: PhaseName) =>
  new Driver(phase === 'limit' ? { consent: { legacyLimitScreen: true, referralLetters: true } } : phase === 'auth-select' ? { mode: 'qualification-only' } : {});

/** Where each phase's timer leads (card on the reader where the phase has one). */
const afterTimeout: Record<PhaseName, PhaseName | null> = {
  idle: null,
  reading: 'counter',
  'certificate-unusable': 'remove-card',
  'registration-offer': 'remove-card',
  'registration-done': 'remove-card',
  registering: 'counter',
  method: 'remove-card',
  'auth-select': 'remove-card',
  face: 'face',
  'face-failed': 'remove-card',
  pin: 'remove-card',
  'pin-checking': 'counter',
  'pin-locked': 'remove-card',
  'staff-passcode': 'remove-card',
  'staff-checking': 'method',
  'staff-locked': 'remove-card',
  'staff-confirm': 'remove-card',
  'staff-place-card': 'idle',
  'phone-choice': 'idle',
  'phone-hold': 'idle',
  notice: 'remove-card',
  querying: 'counter',
  'consent-inherit': 'remove-card',
  'consent-previous': 'remove-card',
  'terminal-visual-wait': 'remove-card',
  'consent-method': 'remove-card',
  'consent-item': 'remove-card',
  referral: 'remove-card',
  limit: 'remove-card',
  'registering-consent': 'counter',
  done: 'remove-card',
  'not-qualified': 'remove-card',
  counter: 'remove-card',
  'remove-card': 'remove-card',
};

const personScreens: PhaseName[] = [
  'registration-offer',
  'registration-done',
  'method',
  'auth-select',
  'face-failed',
  'pin',
  'staff-passcode',
  'staff-locked',
  'staff-confirm',
  'staff-place-card',
  'phone-choice',
  'phone-hold',
  'notice',
  'consent-inherit',
  'consent-previous',
  'terminal-visual-wait',
  'consent-method',
  'consent-item',
  'referral',
  'limit',
];

describe('session transitions', () => {
  for (const phase of Object.keys(reach) as PhaseName[]) {
    describe(phase, () => {
      it('is reachable and shows its screen, counting down where a person must act', () => {
        const d = driverFor(phase);
        reach[phase](d);
        assert.equal(d.phase, phase);
        const busy = ['reading', 'pin-checking', 'staff-checking', 'registering', 'querying', 'registering-consent'].includes(phase);
        assert.equal(d.screen.kind, busy ? 'busy' : phase, 'the screen of the phase');
        assert.equal(new Set(d.screen.buttons).size, d.screen.buttons.length, 'button ids are unique');
        if (personScreens.includes(phase) || phase === 'face') assert.ok((d.screen.countdownSeconds ?? 0) > 0, 'waiting screens count down');
        else assert.equal(d.screen.countdownSeconds, undefined, `${phase} draws no countdown`);
      });

      const target = afterTimeout[phase];
      it(target ? `times out to ${target}` : 'has no timeout', () => {
        const d = driverFor(phase);
        reach[phase](d);
        if (!target) {
          assert.equal(d.state.timer, null);
          return;
        }
        d.timeout();
        assert.equal(d.phase, target);
        if (personScreens.includes(phase)) {
          assert.ok(d.of('wipe').length === 1, 'a timeout wipes the session');
          assert.equal(d.state.data.card, null);
          assert.equal(d.state.data.qualification, null);
          if (target === 'remove-card') assert.deepEqual(d.shown, { kind: 'remove-card', reminder: false, timedOut: true, buttons: [] });
        }
      });

      it('ignores a stale timer and a button that is not on screen', () => {
        const d = driverFor(phase);
        reach[phase](d);
        const before = d.state;
        d.send({ type: 'timer-fired', timerId: 'screen-0' });
        d.send({ type: 'button', id: 'no.such.button' });
        assert.deepEqual(d.state.phase, before.phase);
        assert.deepEqual(d.state.data, before.data);
        assert.ok(d.effects.every((e) => e.type === 'log'));
      });

      it('an impossible event: resting screens ignore it, others fall back to a safe screen', () => {
        const d = driverFor(phase);
        reach[phase](d);
        // consent-registered is expected only while registering the consent
        const event: SessionEvent = phase === 'registering-consent' ? { type: 'insurance-registered' } : { type: 'consent-registered' };
        const resting = ['idle', 'certificate-unusable', 'pin-locked', 'counter', 'not-qualified', 'done', 'remove-card'].includes(phase);
        d.send(event);
        if (resting) {
          assert.equal(d.phase, phase);
          assert.ok(d.of('log').some((l) => l.event === 'late-event'));
        } else {
          assert.ok(d.of('log').some((l) => l.event === 'impossible-transition' && l.level === 'warn'));
          assert.ok(d.of('wipe').length === 1);
          assert.ok(['idle', 'remove-card'].includes(d.phase));
          assert.equal(d.state.data.card, null);
        }
      });
    });
  }

  it('step() never mutates its input', () => {
    const d = new Driver();
    d.placeCard();
    const snapshot = structuredClone(d.state);
    const frozen = d.state;
    step(frozen, { type: 'button', id: 'method.pin' }, d.now);
    step(frozen, { type: 'card-removed', slot: 'card' }, d.now);
    assert.deepEqual(frozen, snapshot);
  });

  it('the countdown follows the clock', () => {
    const d = new Driver();
    d.placeCard();
    assert.equal(screenOf(d.state, d.now).countdownSeconds, 60);
    assert.equal(screenOf(d.state, d.now + 20_500).countdownSeconds, 40);
    assert.equal(screenOf(d.state, d.now + 90_000).countdownSeconds, 0);
  });

  it('start redraws the current screen and LEDs', () => {
    const state = initialSession(defaultRigConfig());
    const { effects } = step(state, { type: 'start' }, 0);
    assert.deepEqual(
      effects.map((e) => e.type),
      ['set-leds', 'show'],
    );
  });

  it('a PIN check that loses the card goes to the counter, or wipes if the card left', () => {
    const d = new Driver();
    reach['pin-checking'](d);
    d.send({ type: 'pin-check-failed', slot: 'card', reason: 'reader-error' });
    assert.equal(d.phase, 'counter');
    assert.deepEqual(d.of('record-result')[0]?.outcome.error, { kind: 'card-read', detail: 'reader-error' });
    const e = new Driver();
    reach['pin-checking'](e);
    e.state.device.cardPresent = false;
    e.send({ type: 'pin-check-failed', slot: 'card', reason: 'removed' });
    assert.equal(e.phase, 'idle');
    // A read failure is not an answer to a PIN check: the check is still awaited, so it is impossible.
    const f = new Driver();
    reach['pin-checking'](f);
    f.send({ type: 'card-read-failed', slot: 'card', reason: 'reader-error' });
    assert.ok(f.of('log').some((l) => l.event === 'impossible-transition'));
  });

  it('a random walk of 3000 events never throws and always draws a sane screen', () => {
    let seed = 0x2545f491;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return Math.abs(seed) % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const d = new Driver();
    const visited = new Set<string>();
    d.send({ type: 'start' });
    for (let i = 0; i < 3000; i++) {
      const buttons = d.screen.buttons;
      const events: SessionEvent[] = [
        { type: 'card-inserted', slot: pick(['card', 'smartphone'] as const) },
        { type: 'card-removed', slot: pick(['card', 'smartphone'] as const) },
        { type: 'card-read', slot: pick(['card', 'smartphone'] as const), card: { ...goodCard, certificateStatus: pick(['valid', 'expiring-soon', 'grace', 'expired'] as const), pinSet: rand(4) > 0, registeredForInsurance: rand(4) > 0 } },
        { type: 'card-read-failed', slot: 'card', reason: 'unreadable' },
        { type: 'pin-digit', digit: rand(10) },
        { type: 'pin-verified' },
        { type: 'pin-wrong', triesLeft: rand(3) },
        { type: 'pin-check-failed', slot: pick(['card', 'smartphone'] as const), reason: 'reader-error' },
        { type: 'face-result', outcome: pick(['match', 'no-match', 'spoof', 'no-face'] as const) },
        { type: 'camera-failed' },
        { type: 'backend-result', result: { ...qualified, status: pick(['qualified', 'invalid', 'no-record'] as const), previousConsent: { surgery: rand(2) === 0 } } },
        { type: 'backend-failed', kind: pick(['timeout', 'unavailable', 'outcome-unknown'] as const) },
        { type: 'card-read-failed', slot: 'smartphone', reason: 'removed' },
        { type: 'reader-availability', slot: 'card', available: rand(3) > 0 },
        { type: 'backend-availability', available: rand(2) === 0 },
        { type: 'consent-registered' },
        { type: 'insurance-registered' },
        { type: 'terminal-visual-mode', on: rand(2) === 0 },
        { type: 'terminal-visual-confirmed' },
        { type: 'staff-passcode-result', ok: rand(2) === 0 },
        { type: 'timer-fired', timerId: d.state.timer?.id ?? 'none' },
      ];
      // Mostly what the screen expects (its buttons, the answer it waits for), sometimes anything.
      const phase = d.state.phase;
      const expected: SessionEvent | null =
        phase.name === 'reading'
          ? { type: 'card-read', slot: phase.slot, card: { ...goodCard, certificateStatus: pick(['valid', 'valid', 'expiring-soon', 'grace', 'expired'] as const), registeredForInsurance: rand(5) > 0 } }
          : phase.name === 'querying'
            ? pick(events.filter((e) => e.type === 'backend-result'))
            : phase.name === 'pin-checking'
              ? pick([{ type: 'pin-verified' }, { type: 'pin-wrong', triesLeft: rand(3) }] as SessionEvent[])
              : phase.name === 'face'
                ? { type: 'face-result', outcome: pick(['match', 'no-match'] as const) }
                : phase.name === 'staff-checking'
                  ? { type: 'staff-passcode-result', ok: rand(3) > 0 }
                  : phase.name === 'registering-consent'
                    ? { type: 'consent-registered' }
                    : phase.name === 'registering'
                      ? { type: 'insurance-registered' }
                      : ['remove-card', 'done', 'certificate-unusable', 'counter', 'not-qualified', 'pin-locked'].includes(phase.name)
                        ? { type: 'card-removed', slot: 'card' }
                        : phase.name === 'phone-hold' || phase.name === 'idle'
                          ? { type: 'card-inserted', slot: phase.name === 'idle' ? 'card' : 'smartphone' }
                          : null;
      const r = rand(10);
      const event: SessionEvent =
        expected && r < 7 ? expected : buttons.length && r < 9 ? { type: 'button', id: pick(buttons) } : pick(events);
      d.now += rand(5_000);
      d.send(event);
      visited.add(d.phase);
      for (const e of d.effects) if (e.type === 'show') assert.equal(new Set(e.screen.buttons).size, e.screen.buttons.length, `duplicate button on ${e.screen.kind}`);
      if (d.phase === 'idle') assert.equal(d.state.data.card, null, `card data left in idle after ${event.type}`);
      assert.ok(!d.effects.some((e) => e.type === 'log' && e.event === 'engine-fault'), `engine fault on ${JSON.stringify(event)} in ${d.phase}`);
    }
    // the walk must actually go places, or it proves nothing
    assert.ok(visited.size >= 24, `visited only ${[...visited].join(', ')}`);
  });
});
