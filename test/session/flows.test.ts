/**
 * Every flow of SPEC §3–§8 end to end through `step()`, asserting the screen requests (kind,
 * parameters, buttons offered — never the Japanese, which test/ui renders), the effects the wiring
 * must run, and the record for SPEC §7/§9. Buttons are pressed by id.
 */
import assert from 'node:assert/strict';
import { Driver, goodCard, qualified } from './harness';
import type { ReferralLetter } from '../../src/session/events';

const PERSONAL = ['山田花子', '1234', '9876'];

function assertNoPersonalData(d: Driver): void {
  const json = JSON.stringify({ phase: d.state.phase, data: d.state.data, device: d.state.device, timer: d.state.timer });
  for (const secret of PERSONAL) assert.ok(!json.includes(secret), `state still holds ${secret}: ${json}`);
  assert.equal(d.state.data.card, null);
  assert.equal(d.state.data.qualification, null);
  assert.equal(d.state.data.pendingPin, null);
  assert.deepEqual(d.state.data.consent.categories, {});
}

function pinToQuery(d: Driver, card = {}): void {
  d.placeCard(card);
  d.tap('method.pin');
  d.digits('1234');
  d.send({ type: 'pin-verified' });
}

describe('session flows', () => {
  it('idle: the smartphone and staff buttons, no countdown', () => {
    const d = new Driver();
    d.send({ type: 'terminal-visual-mode', on: false }); // any event to get a screen out
    assert.deepEqual(d.screen, { kind: 'idle', visualMode: false, readerAvailable: true, backendAvailable: true, buttons: ['phone.start', 'staff.start'] });
    assert.equal(d.screen.countdownSeconds, undefined, 'idle waits forever');
  });

  it('PIN → inherited consent → done → card removed: everything wiped', () => {
    const d = new Driver();
    d.send({ type: 'card-inserted', slot: 'card' });
    assert.deepEqual(d.of('read-card'), [{ type: 'read-card', slot: 'card' }]);
    d.send({ type: 'card-read', slot: 'card', card: goodCard });
    assert.deepEqual(d.screen, { kind: 'method', buttons: ['method.face', 'method.pin', 'method.quit', 'staff.start', 'staff.call'], countdownSeconds: 60 });
    d.tap('method.pin');
    assert.deepEqual(d.shown, {
      kind: 'pin',
      typed: 0,
      length: 4,
      triesLeft: 3,
      wrong: false,
      buttons: ['key.0', 'key.1', 'key.2', 'key.3', 'key.4', 'key.5', 'key.6', 'key.7', 'key.8', 'key.9', 'key.back', 'pin.cancel', 'staff.call'],
    });
    d.digits('12');
    assert.equal(d.screen.kind === 'pin' && d.screen.typed, 2);
    assert.ok(!JSON.stringify(d.screens).includes('12'), 'digits are never shown');
    d.digits('34');
    assert.deepEqual(d.of('verify-pin').map((e) => ({ ...e, pin: e.pin.reveal() })), [{ type: 'verify-pin', slot: 'card', pin: '1234' }]);
    d.send({ type: 'pin-verified' });
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'pin' }]);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: true, checkup: false } } });
    // Seed 000: the question first, the previous consent one tap away.
    assert.deepEqual(d.shown, { kind: 'consent-inherit', buttons: ['consent.inherit', 'consent.reselect', 'consent.view-previous', 'staff.call'] });
    d.tap('consent.view-previous');
    assert.deepEqual(d.shown, {
      kind: 'consent-previous',
      previous: { surgery: true, clinical: true, medication: true, checkup: false },
      categories: ['surgery', 'clinical', 'medication', 'checkup'],
      buttons: ['consent.back'],
    });
    d.tap('consent.back');
    assert.equal(d.phase, 'consent-inherit', '戻る returns to the question, not to the identity choice');
    assert.equal(d.state.data.identity, 'pin', 'identity is kept');
    assert.deepEqual(d.of('query-backend'), [], 'no second query');
    d.tap('consent.inherit');
    // the rig config has referral letters on but this patient has none: straight to registration
    assert.deepEqual(d.of('register-consent'), [
      {
        type: 'register-consent',
        consent: { categories: { surgery: true, clinical: true, medication: true, checkup: false }, referralLetterIds: [], limitInfo: true, mode: 'inherited' },
      },
    ]);
    d.send({ type: 'consent-registered' });
    assert.deepEqual(d.shown, { kind: 'done', patientName: '山田花子', slot: 'card', buttons: [] });
    // The information acquired is what the inherited consent gives (seed 000 statistics, issue 16 item 7).
    assert.deepEqual(d.of('record-result')[0]?.outcome, {
      method: 'pin',
      status: 'qualified',
      consented: true,
      notices: [],
      acquired: { surgery: true, clinical: true, medication: true, checkup: false },
    });
    assert.ok(d.of('beep').some((b) => b.pattern === 'success'));
    d.send({ type: 'card-removed', slot: 'card' });
    assert.ok(d.of('wipe').length === 1);
    assert.equal(d.phase, 'idle');
    assert.equal(d.screen.kind, 'idle');
    assertNoPersonalData(d);
  });

  it('face: camera on, match, comprehensive consent, camera off', () => {
    const d = new Driver({ consent: { referralLetters: false } });
    d.placeCard();
    d.tap('method.face');
    assert.deepEqual(
      d.effects.filter((e) => e.type === 'start-camera' || e.type === 'start-face-match').map((e) => e.type),
      ['start-camera', 'start-face-match'],
    );
    d.send({ type: 'face-result', outcome: 'match' });
    assert.ok(d.of('stop-camera').length === 1);
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'face' }]);
    d.send({ type: 'backend-result', result: qualified });
    assert.deepEqual(d.shown, { kind: 'consent-method', categories: ['surgery', 'clinical', 'medication', 'checkup'], buttons: ['consent.all', 'consent.individual', 'staff.call'] });
    d.tap('consent.all');
    assert.deepEqual(d.of('register-consent')[0]?.consent.categories, { surgery: true, clinical: true, medication: true, checkup: true });
    d.send({ type: 'consent-registered' });
    assert.equal(d.of('record-result')[0]?.outcome.method, 'face');
  });

  it('face: bounded retries with hints, then PIN or staff', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.face');
    d.send({ type: 'face-result', outcome: 'no-match', hint: 'remove-mask' });
    assert.deepEqual(d.shown, { kind: 'face', hint: 'remove-mask', buttons: ['face.cancel', 'staff.call'] });
    assert.equal(d.of('start-face-match').length, 1, 'retried');
    assert.equal(d.of('stop-camera').length, 0, 'camera stays on between attempts');
    d.send({ type: 'face-result', outcome: 'spoof', hint: 'come-closer' });
    assert.equal(d.screen.kind === 'face' && d.screen.hint, 'come-closer');
    d.send({ type: 'face-result', outcome: 'no-face', hint: 'remove-cap' });
    assert.equal(d.of('stop-camera').length, 1);
    assert.deepEqual(d.shown, { kind: 'face-failed', reason: 'no-match', buttons: ['method.pin', 'method.quit', 'staff.start', 'staff.call'] });
    d.tap('method.pin');
    assert.equal(d.phase, 'pin');
  });

  it('face: a hint in the middle of an attempt is shown at once; the attempt and its timer go on (issue 14)', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.face');
    const timer = d.state.timer;
    const effects = d.send({ type: 'face-hint', hint: 'come-closer' });
    assert.deepEqual(d.shown, { kind: 'face', hint: 'come-closer', buttons: ['face.cancel', 'staff.call'] });
    assert.deepEqual(effects.map((e) => e.type), ['show'], 'only the screen changes: no new attempt, no camera or timer effect');
    assert.deepEqual(d.state.timer, timer, 'the face screen keeps its deadline');
    assert.equal(d.state.phase.name === 'face' && d.state.phase.attempt, 1);
    assert.deepEqual(d.send({ type: 'face-hint', hint: 'come-closer' }), [], 'the same hint again draws nothing');
    d.send({ type: 'face-hint', hint: 'turn-left' });
    assert.equal(d.screen.kind === 'face' && d.screen.hint, 'turn-left');
    d.send({ type: 'face-result', outcome: 'match' });
    assert.equal(d.of('query-backend').length, 1);
    // A hint that arrives after the attempt ended changes nothing.
    assert.deepEqual(d.send({ type: 'face-hint', hint: 'remove-mask' }).filter((e) => e.type !== 'log'), []);
  });

  it('face: the colour flash lights the face screen and gives it back; the attempt, its hint and timer stay; never over another screen (issue 14)', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.face');
    d.send({ type: 'face-hint', hint: 'hold-still' });
    const timer = d.state.timer;
    const effects = d.send({ type: 'face-flash', colour: 'red' });
    assert.deepEqual(d.shown, { kind: 'face', hint: 'hold-still', flash: 'red', buttons: ['face.cancel', 'staff.call'] });
    assert.deepEqual(effects.map((e) => e.type), ['show'], 'only the screen changes');
    assert.deepEqual(d.state.timer, timer, 'the face screen keeps its deadline');
    d.send({ type: 'face-flash', colour: 'blue' });
    assert.equal(d.screen.kind === 'face' && d.screen.flash, 'blue');
    d.send({ type: 'face-flash' });
    assert.deepEqual(d.shown, { kind: 'face', hint: 'hold-still', buttons: ['face.cancel', 'staff.call'] }, 'the screen is given back');
    assert.deepEqual(d.send({ type: 'face-flash' }), [], 'giving back an unlit screen draws nothing');
    // A failed attempt starts the next one on an unlit screen.
    d.send({ type: 'face-flash', colour: 'red' });
    d.send({ type: 'face-result', outcome: 'spoof' });
    assert.equal(d.screen.kind === 'face' && d.screen.flash, undefined, 'the retry is not lit');
    d.tap('face.cancel');
    assert.equal(d.phase, 'method');
    assert.deepEqual(d.send({ type: 'face-flash', colour: 'blue' }).filter((e) => e.type !== 'log'), [], 'no flash over the method screen');
    assert.equal(d.phase, 'method');
  });

  it('a face-only card (no PIN) offers face and the staff check only', () => {
    const d = new Driver();
    d.placeCard({ pinSet: false });
    assert.deepEqual(d.screen.buttons, ['method.face', 'method.quit', 'staff.start', 'staff.call']);
    d.tap('method.face');
    for (let i = 0; i < 3; i++) d.send({ type: 'face-result', outcome: 'no-match' });
    assert.deepEqual(d.screen.buttons, ['method.quit', 'staff.start', 'staff.call']);
  });

  it('the card photo cannot be unlocked: face-failed asks to place the card again, offers PIN/staff', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.face');
    d.send({ type: 'face-result', outcome: 'card-photo-unavailable' });
    assert.deepEqual(d.shown, { kind: 'face-failed', reason: 'card-photo', buttons: ['method.pin', 'method.quit', 'staff.start', 'staff.call'] });
  });

  it('a card whose photo is not available never offers face', () => {
    const d = new Driver();
    d.placeCard({ cardFaceAvailable: false });
    assert.deepEqual(d.screen.buttons, ['method.pin', 'method.quit', 'staff.start', 'staff.call']);
  });

  for (const [what, card] of [
    ['revoked', { revoked: true }],
    ['past grace', { certificateStatus: 'expired' as const }],
  ] as const) {
    it(`${what} certificate: the stop screen, then idle on removal`, () => {
      const d = new Driver();
      d.placeCard(card);
      assert.deepEqual(d.shown, { kind: 'certificate-unusable', buttons: ['staff.call'] });
      assert.equal(d.of('record-result')[0]?.outcome.error?.kind, what === 'revoked' ? 'certificate-revoked' : 'certificate-expired');
      d.send({ type: 'card-removed', slot: 'card' });
      assert.equal(d.phase, 'idle');
      assertNoPersonalData(d);
    });
  }

  it('first-time insurance registration, applied, then registered after identity', () => {
    const d = new Driver();
    d.placeCard({ registeredForInsurance: false });
    assert.deepEqual(d.shown, { kind: 'registration-offer', buttons: ['registration.apply', 'registration.decline'] });
    d.tap('registration.apply');
    assert.equal(d.phase, 'method');
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    assert.equal(d.of('register-insurance-use').length, 1);
    assert.equal(d.of('query-backend').length, 0, 'registration before the query');
    d.send({ type: 'insurance-registered' });
    // Seed 003: the registration is confirmed before the flow goes on.
    assert.deepEqual(d.shown, { kind: 'registration-done', buttons: ['notice.next'] });
    assert.equal(d.of('query-backend').length, 0);
    d.tap('notice.next');
    assert.equal(d.of('query-backend').length, 1);
  });

  it('first-time registration declined: to the counter, staff fallback recorded', () => {
    const d = new Driver();
    d.placeCard({ registeredForInsurance: false });
    d.tap('registration.decline');
    assert.equal(d.phase, 'counter');
    // The UI says what follows from the cause: the counter today, where to register later (seed 003).
    assert.deepEqual(d.shown, { kind: 'counter', cause: 'registration-declined', buttons: ['staff.call'] });
    const outcome = d.of('record-result')[0]?.outcome;
    assert.equal(outcome?.error?.kind, 'registration-declined');
    assert.equal(outcome?.status, 'not-confirmed');
    assert.deepEqual(outcome?.guidance?.steps, ['qualification-certificate', 'mynaportal-or-notice-sheet-with-card', 'past-visit-records', 'self-declaration-form']);
    assert.equal(outcome?.guidance?.followUp, 'register-insurance-use');
  });

  it('expiring within 3 months: the notice, 次に進む, then the consent screens', () => {
    const d = new Driver();
    pinToQuery(d, { certificateStatus: 'expiring-soon' });
    assert.deepEqual(d.shown, { kind: 'notice', notice: 'expiring-soon', buttons: ['notice.next'] });
    assert.equal(d.of('query-backend').length, 0);
    d.tap('notice.next');
    assert.equal(d.of('query-backend').length, 1);
    d.send({ type: 'backend-result', result: qualified });
    assert.equal(d.phase, 'consent-method');
    d.tap('consent.all');
    d.send({ type: 'consent-registered' });
    assert.deepEqual(d.of('record-result')[0]?.outcome.notices, ['expiring-soon']);
  });

  it('grace: the grace notice, qualification only, no consent screen, no consent sent', () => {
    const d = new Driver();
    pinToQuery(d, { certificateStatus: 'grace' });
    assert.deepEqual(d.shown, { kind: 'notice', notice: 'grace', buttons: ['notice.next'] });
    d.tap('notice.next');
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(d.phase, 'done');
    assert.equal(d.all.filter((e) => e.type === 'register-consent').length, 0);
    assert.deepEqual(d.of('record-result')[0]?.outcome, { method: 'pin', status: 'qualified', consented: false, notices: ['grace'] });
  });

  it('individual consent: お薬 only after 診療・お薬 is declined', () => {
    const d = new Driver({ consent: { referralLetters: false } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('consent.individual');
    assert.deepEqual(d.shown, { kind: 'consent-item', category: 'surgery', buttons: ['consent.agree', 'consent.decline', 'staff.call'] });
    d.tap('consent.agree');
    assert.deepEqual(d.shown, { kind: 'consent-item', category: 'clinical', buttons: ['consent.agree', 'consent.decline', 'staff.call'] });
    d.tap('consent.decline');
    assert.deepEqual(d.shown, { kind: 'consent-item', category: 'medication', buttons: ['consent.agree', 'consent.decline', 'staff.call'] });
    d.tap('consent.agree');
    assert.deepEqual(d.shown, { kind: 'consent-item', category: 'checkup', buttons: ['consent.agree', 'consent.decline', 'staff.call'] });
    d.tap('consent.decline');
    assert.deepEqual(d.of('register-consent')[0]?.consent.categories, { surgery: true, clinical: false, medication: true, checkup: false });

    const e = new Driver({ consent: { referralLetters: false } });
    pinToQuery(e);
    e.send({ type: 'backend-result', result: qualified });
    e.tap('consent.individual');
    e.tap('consent.decline');
    e.tap('consent.agree'); // 診療・お薬 agreed: お薬 is not asked
    assert.equal(e.screen.kind === 'consent-item' && e.screen.category, 'checkup');
  });

  it('without diagnosis viewing: the same categories are asked (the UI words them 手術, 手術以外の診療・お薬)', () => {
    const d = new Driver({ consent: { diagnosisViewing: false } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    assert.deepEqual(d.shown, { kind: 'consent-method', categories: ['surgery', 'clinical', 'medication', 'checkup'], buttons: ['consent.all', 'consent.individual', 'staff.call'] });
    d.tap('consent.individual');
    assert.equal(d.screen.kind === 'consent-item' && d.screen.category, 'surgery');
    d.tap('consent.agree');
    assert.equal(d.screen.kind === 'consent-item' && d.screen.category, 'clinical');
  });

  it('a previous 診療・お薬 consent covers お薬: shown 〇 and inherited as agreed (issue 16 bug)', () => {
    const d = new Driver({ consent: { acquired: { surgery: false, clinical: false, medication: true, checkup: false } } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: false, checkup: true } } });
    assert.equal(d.phase, 'consent-inherit');
    d.tap('consent.view-previous');
    assert.deepEqual(d.shown, { kind: 'consent-previous', previous: { surgery: true, clinical: true, medication: true, checkup: true }, categories: ['medication'], buttons: ['consent.back'] });
    d.tap('consent.back');
    d.tap('consent.inherit');
    assert.deepEqual(d.of('register-consent')[0]?.consent, { categories: { medication: true }, referralLetterIds: [], limitInfo: true, mode: 'inherited' });
  });

  it('inheriting with 診療・お薬 and お薬 acquired records お薬 as covered, like the individual screens', () => {
    const d = new Driver({ consent: { acquired: { surgery: false, checkup: false } } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: false, checkup: true } } });
    d.tap('consent.view-previous');
    assert.deepEqual(d.shown, { kind: 'consent-previous', previous: { surgery: true, clinical: true, medication: true, checkup: true }, categories: ['clinical', 'medication'], buttons: ['consent.back'] });
    d.tap('consent.back');
    d.tap('consent.inherit');
    assert.deepEqual(d.of('register-consent')[0]?.consent.categories, { clinical: true, medication: true });
  });

  it('categories the facility does not acquire are never asked', () => {
    const d = new Driver({ consent: { acquired: { surgery: false, clinical: false, medication: true, checkup: false } } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(d.phase, 'consent-method', 'an inherited consent about non-acquired categories is not shown');
    assert.deepEqual(d.shown, { kind: 'consent-method', categories: ['medication'], buttons: ['consent.all', 'consent.individual', 'staff.call'] });
    d.tap('consent.individual');
    assert.equal(d.screen.kind === 'consent-item' && d.screen.category, 'medication');
    d.tap('consent.agree');
    assert.deepEqual(d.of('register-consent')[0]?.consent.categories, { medication: true });
    const asked = d.screens.flatMap((r) => (r.kind === 'consent-item' ? [r.category] : []));
    assert.deepEqual(asked, ['medication']);
  });

  it('referral letters: paged 1/X with 次ページへ, toggled, sent by id', () => {
    const letters: ReferralLetter[] = Array.from({ length: 4 }, (_, i) => ({
      id: `L${i}`,
      issuedOn: `4/${i + 1}`,
      issuer: '○○病院',
      department: '内科',
    }));
    const d = new Driver({ consent: { referralLetters: true, referralLettersPerPage: 3 } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, referralLetters: letters } });
    d.tap('consent.all');
    const selected = () => (d.screen.kind === 'referral' ? d.screen.letters.filter((l) => l.selected).map((l) => l.letter.id) : null);
    assert.deepEqual(d.shown, {
      kind: 'referral',
      page: 0,
      pageCount: 2,
      letters: letters.slice(0, 3).map((letter, index) => ({ index, letter, selected: false })),
      buttons: ['referral.letter.0', 'referral.letter.1', 'referral.letter.2', 'referral.next-page'],
    });
    d.tap('referral.letter.1');
    assert.deepEqual(selected(), ['L1']);
    d.tap('referral.letter.2');
    d.tap('referral.letter.2'); // unselect again
    d.tap('referral.next-page');
    assert.deepEqual(d.shown, {
      kind: 'referral',
      page: 1,
      pageCount: 2,
      letters: [{ index: 3, letter: letters[3], selected: false }],
      buttons: ['referral.letter.3', 'referral.prev-page', 'referral.submit'],
    });
    d.tap('referral.prev-page');
    assert.equal(d.screen.kind === 'referral' && d.screen.page, 0);
    assert.deepEqual(selected(), ['L1'], 'choices kept');
    d.tap('referral.next-page');
    d.tap('referral.letter.3');
    d.tap('referral.submit');
    assert.deepEqual(d.of('register-consent')[0]?.consent.referralLetterIds, ['L1', 'L3']);
  });

  it('revocation unknown (certificate check unanswered): qualification only, no consent screens (issue 16 bug)', () => {
    const d = new Driver();
    pinToQuery(d, { revocationUnknown: true });
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(d.phase, 'done', 'no medical-information consent');
    assert.deepEqual(d.shown, { kind: 'done', patientName: '山田花子', slot: 'card', qualificationOnly: true, buttons: [] });
    assert.deepEqual(d.of('register-consent', d.all), []);
    assert.equal(d.of('record-result')[0]?.outcome.consented, false);
  });

  it('every category off and no letters: nothing asked, the record says not-asked (issue 16 bug)', () => {
    const d = new Driver({ consent: { referralLetters: false, acquired: { surgery: false, clinical: false, medication: false, checkup: false } } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(d.phase, 'registering-consent');
    assert.deepEqual(d.of('register-consent')[0]?.consent, { categories: {}, referralLetterIds: [], limitInfo: true, mode: 'not-asked' });
  });

  it('face failed on a card without a usable PIN names only the staff check (issue 16 bug)', () => {
    const d = new Driver();
    d.placeCard({ pinSet: false });
    d.tap('method.face');
    for (let i = 0; i < d.config.retries.face; i++) d.send({ type: 'face-result', outcome: 'no-match' });
    assert.equal(d.phase, 'face-failed');
    assert.deepEqual(d.shown, { kind: 'face-failed', reason: 'no-match', buttons: ['method.quit', 'staff.start', 'staff.call'] });
  });

  it('referral letters are not asked when the facility has no sharing service', () => {
    const d = new Driver({ consent: { referralLetters: false } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, referralLetters: [{ id: 'x', issuedOn: '1/1', issuer: 'a', department: 'b' }] } });
    d.tap('consent.all');
    assert.equal(d.phase, 'registering-consent');
  });

  it('the limit screen appears only behind the legacy setting', () => {
    const off = new Driver({ consent: { referralLetters: false } });
    pinToQuery(off);
    off.send({ type: 'backend-result', result: qualified });
    off.tap('consent.all');
    assert.equal(off.phase, 'registering-consent');
    assert.equal(off.of('register-consent')[0]?.consent.limitInfo, true);

    // Seed 000 現行: a button on the done screen, not a screen before it; not provided unless asked.
    const on = new Driver({ consent: { referralLetters: false, legacyLimitScreen: true } });
    pinToQuery(on);
    on.send({ type: 'backend-result', result: qualified });
    on.tap('consent.all');
    assert.equal(on.of('register-consent')[0]?.consent.limitInfo, false);
    on.send({ type: 'consent-registered' });
    assert.equal(on.phase, 'done');
    assert.deepEqual(on.shown, { kind: 'done', patientName: '山田花子', slot: 'card', buttons: ['limit.open'] });
    assert.equal(on.of('record-result').length, 1);
    on.tap('limit.open');
    assert.deepEqual(on.shown, { kind: 'limit', buttons: ['limit.provide', 'limit.decline'] });
    on.tap('limit.provide');
    assert.deepEqual(on.of('register-consent'), [
      { type: 'register-consent', consent: { categories: { surgery: true, clinical: true, medication: true, checkup: true }, referralLetterIds: [], limitInfo: true, mode: 'comprehensive' }, update: 'limit-info' },
    ]);
    on.send({ type: 'consent-registered' });
    assert.equal(on.phase, 'done');
    assert.deepEqual(on.screen.buttons, [], 'asked once');
    assert.equal(on.of('record-result', on.all).length, 1, 'still one record for the session');

    const declined = new Driver({ consent: { referralLetters: false, legacyLimitScreen: true } });
    pinToQuery(declined);
    declined.send({ type: 'backend-result', result: qualified });
    declined.tap('consent.all');
    declined.send({ type: 'consent-registered' });
    declined.tap('limit.open');
    declined.tap('limit.decline');
    assert.equal(declined.phase, 'done');
    assert.equal(declined.of('register-consent', declined.all).length, 1, 'nothing more sent');
    assert.deepEqual(declined.shown, { kind: 'done', patientName: '山田花子', slot: 'card', buttons: [] });
  });

  for (const [status, word, lost] of [
    ['invalid', '資格無効', true],
    ['no-record', '資格情報なし', false],
  ] as const) {
    it(`result ${word}: to the counter, staff fallback of SPEC §8 recorded`, () => {
      const d = new Driver();
      pinToQuery(d);
      d.send({ type: 'backend-result', result: { ...qualified, status } });
      assert.deepEqual(d.shown, { kind: 'not-qualified', status, buttons: ['staff.call'] });
      const outcome = d.of('record-result')[0]?.outcome;
      assert.equal(outcome?.status, status);
      // Seed 001: A → B → C for both; only 資格無効 has the lost qualification for B.
      assert.deepEqual(outcome?.guidance?.claimRoutes.map((r) => r.route), ['A', 'B', 'C']);
      assert.equal(outcome?.guidance?.claimRoutes[1]?.route === 'B' && outcome.guidance.claimRoutes[1].lostQualification, lost);
      assert.deepEqual(outcome?.guidance?.steps, ['mynaportal-or-notice-sheet-with-card', 'past-visit-records', 'self-declaration-form']);
      assert.equal(d.all.filter((e) => e.type === 'register-consent').length, 0);
    });
  }

  it('backend failure and backend timeout: the counter message and an error record', () => {
    const d = new Driver();
    pinToQuery(d);
    d.send({ type: 'backend-failed', kind: 'unavailable' });
    assert.deepEqual(d.shown, { kind: 'counter', cause: 'backend', buttons: ['staff.call'] });
    assert.deepEqual(d.of('record-result')[0]?.outcome.error, { kind: 'backend', detail: 'unavailable' });

    const t = new Driver();
    pinToQuery(t);
    t.timeout();
    assert.deepEqual(t.of('record-result')[0]?.outcome.error, { kind: 'backend', detail: 'timeout' });
    // a late answer after the timeout is ignored, not an error
    t.send({ type: 'backend-result', result: qualified });
    assert.equal(t.phase, 'counter');
    assert.ok(t.of('log').some((l) => l.event === 'late-event'));
  });

  it('PIN: tries left shown when fewer than 3, then the lock message', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.pin');
    const pad = ['key.0', 'key.1', 'key.2', 'key.3', 'key.4', 'key.5', 'key.6', 'key.7', 'key.8', 'key.9', 'key.back', 'pin.cancel', 'staff.call'];
    assert.deepEqual(d.shown, { kind: 'pin', typed: 0, length: 4, triesLeft: 3, wrong: false, buttons: pad });
    d.digits('9876');
    d.send({ type: 'pin-wrong', triesLeft: 2 });
    assert.deepEqual(d.shown, { kind: 'pin', typed: 0, length: 4, triesLeft: 2, wrong: true, buttons: pad });
    d.digits('9876');
    d.send({ type: 'pin-wrong', triesLeft: 1 });
    assert.equal(d.screen.kind === 'pin' && d.screen.triesLeft, 1);
    d.digits('9876');
    d.send({ type: 'pin-locked' });
    assert.deepEqual(d.shown, { kind: 'pin-locked', slot: 'card', buttons: ['staff.call'] });
    assert.equal(d.of('record-result')[0]?.outcome.error?.kind, 'pin-locked');
    d.send({ type: 'card-removed', slot: 'card' });
    assertNoPersonalData(d);
  });

  it('PIN entry: 訂正 removes a digit, キャンセル goes back to the method screen', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.pin');
    d.digits('12');
    const typed = () => (d.screen.kind === 'pin' ? d.screen.typed : -1);
    d.tap('key.back');
    assert.equal(typed(), 1);
    d.tap('key.5');
    assert.equal(typed(), 2);
    d.tap('pin.cancel');
    assert.equal(d.phase, 'method');
    d.tap('method.pin');
    assert.equal(typed(), 0, 'digits do not survive cancel');
  });

  it('staff from idle: passcode, 目視確認を行う, card placed, consent, done (method visual)', () => {
    const d = new Driver();
    d.send({ type: 'terminal-visual-mode', on: false });
    d.tap('staff.start');
    assert.deepEqual(d.shown, {
      kind: 'staff-passcode',
      typed: 0,
      length: 4,
      buttons: ['key.0', 'key.1', 'key.2', 'key.3', 'key.4', 'key.5', 'key.6', 'key.7', 'key.8', 'key.9', 'key.back', 'staff.abort'],
    });
    d.digits('1234');
    assert.deepEqual(d.of('check-staff-passcode').map((e) => ({ ...e, passcode: e.passcode.reveal() })), [{ type: 'check-staff-passcode', passcode: '1234' }]);
    d.send({ type: 'staff-passcode-result', ok: true });
    assert.deepEqual(d.shown, { kind: 'staff-confirm', buttons: ['staff.visual', 'staff.abort'] });
    d.tap('staff.visual');
    assert.deepEqual(d.shown, { kind: 'staff-place-card', buttons: ['staff.abort'] });
    d.placeCard();
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'visual', visualTrigger: 'panel' }]);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('consent.all');
    d.send({ type: 'consent-registered' });
    assert.equal(d.of('record-result')[0]?.outcome.method, 'visual');
  });

  it('staff after a face failure: visual check of the card already read', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.face');
    for (let i = 0; i < 3; i++) d.send({ type: 'face-result', outcome: 'no-match' });
    d.tap('staff.start');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    d.tap('staff.visual');
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'visual', visualTrigger: 'panel' }]);
  });

  it('staff passcode: rate-limited after a wrong one, locked after maxFailures, lock survives the wipe', () => {
    const d = new Driver({ staff: { passcode: new Driver().config.staff.passcode, maxFailures: 3, backoffMs: 1_000, lockoutMs: 60_000 } });
    d.send({ type: 'terminal-visual-mode', on: false });
    d.tap('staff.start');
    d.digits('0000');
    d.send({ type: 'staff-passcode-result', ok: false });
    const hint = () => (d.screen.kind === 'staff-passcode' ? d.screen.hint : d.screen.kind);
    assert.equal(hint(), 'wrong');
    // immediately again: refused without a check
    d.digits('0001');
    assert.equal(d.of('check-staff-passcode').length, 0);
    assert.equal(hint(), 'wait');
    d.now += 1_000;
    d.digits('0001');
    assert.equal(d.of('check-staff-passcode').length, 1);
    d.send({ type: 'staff-passcode-result', ok: false });
    d.now += 2_000; // backoff doubled
    d.digits('0002');
    d.send({ type: 'staff-passcode-result', ok: false });
    assert.deepEqual(d.shown, { kind: 'staff-locked', buttons: ['staff.abort'] });
    d.tap('staff.abort');
    assert.equal(d.phase, 'idle');
    d.tap('staff.start');
    assert.equal(d.screen.kind, 'staff-locked', 'still locked after the session ended');
    d.tap('staff.abort');
    d.now += 60_000;
    d.tap('staff.start');
    assert.equal(d.screen.kind, 'staff-passcode');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    assert.equal(d.state.device.staffFailures, 0);
  });

  it('the terminal 目視確認 mode persists; each card waits for 「目視で本人確認完了」 on the terminal (seed 000 p.27)', () => {
    const d = new Driver();
    d.send({ type: 'terminal-visual-mode', on: true });
    assert.deepEqual(d.shown, { kind: 'idle', visualMode: true, readerAvailable: true, backendAvailable: true, buttons: ['phone.start', 'staff.start'] });
    d.placeCard();
    assert.deepEqual(d.shown, { kind: 'terminal-visual-wait', buttons: ['method.quit'] }, 'the card does not proceed before staff confirm');
    assert.deepEqual(d.of('query-backend'), []);
    d.send({ type: 'terminal-visual-confirmed' });
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'visual', visualTrigger: 'terminal' }]);
    d.send({ type: 'backend-failed', kind: 'timeout' });
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.state.device.terminalVisualMode, true, 'the mode stays on until the terminal turns it off');
    // Seed 000's order: staff confirm first, then the card is placed.
    d.send({ type: 'terminal-visual-confirmed' });
    d.placeCard();
    assert.equal(d.of('query-backend')[0]?.method, 'visual');
    d.send({ type: 'backend-failed', kind: 'timeout' });
    d.send({ type: 'card-removed', slot: 'card' });
    // The confirmation was for that patient only: the next card waits again.
    d.placeCard();
    assert.equal(d.phase, 'terminal-visual-wait');
    d.send({ type: 'terminal-visual-mode', on: false });
    assert.equal(d.phase, 'method', 'mode off: the waiting patient chooses a method');
    d.send({ type: 'card-removed', slot: 'card' });
    d.placeCard();
    assert.equal(d.phase, 'method');
  });

  it('the terminal switch never interrupts a session in progress (a patient typing a PIN)', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.pin');
    d.digits('12');
    d.send({ type: 'terminal-visual-mode', on: true });
    d.send({ type: 'terminal-visual-confirmed' });
    assert.equal(d.phase, 'pin');
    assert.deepEqual(d.of('query-backend', d.all), []);
    d.digits('34');
    d.send({ type: 'pin-verified' });
    assert.equal(d.of('query-backend', d.all)[0]?.method, 'pin');
  });

  it('Android: PIN on the panel, then the phone on the second reader', () => {
    const d = new Driver({ consent: { referralLetters: false } });
    d.send({ type: 'terminal-visual-mode', on: false });
    d.tap('phone.start');
    assert.deepEqual(d.shown, { kind: 'phone-choice', buttons: ['phone.android', 'phone.iphone', 'phone.cancel'] });
    d.tap('phone.android');
    assert.equal(d.screen.kind, 'pin');
    d.digits('1234');
    assert.deepEqual(d.shown, { kind: 'phone-hold', phone: 'android', retry: false, buttons: ['phone.cancel'] });
    d.send({ type: 'card-inserted', slot: 'card' }); // a card on the other reader is not this session
    assert.equal(d.phase, 'phone-hold');
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.phase, 'phone-hold');
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    assert.deepEqual(d.of('read-card'), [{ type: 'read-card', slot: 'smartphone' }]);
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    assert.deepEqual(d.of('verify-pin').map((e) => ({ ...e, pin: e.pin.reveal() })), [{ type: 'verify-pin', slot: 'smartphone', pin: '1234' }]);
    d.send({ type: 'card-removed', slot: 'smartphone' });
    assert.deepEqual(d.shown, { kind: 'phone-hold', phone: 'android', retry: true, buttons: ['phone.cancel'] });
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    // the PIN was used once; the patient types it again
    assert.equal(d.phase, 'pin');
    d.digits('1234');
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    d.send({ type: 'pin-verified' });
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'smartphone', method: 'smartphone' }]);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('consent.all');
    d.send({ type: 'consent-registered' });
    assert.deepEqual(d.shown, { kind: 'done', patientName: '山田花子', slot: 'smartphone', buttons: [] });
    d.timeout();
    assert.equal(d.phase, 'idle');
    assertNoPersonalData(d);
  });

  it('Android: a wrong PIN with the phone still on the reader reads it again after the new PIN', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.tap('phone.start');
    d.tap('phone.android');
    d.digits('9876');
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    d.send({ type: 'pin-wrong', triesLeft: 2 });
    assert.equal(d.phase, 'pin');
    assert.equal(d.screen.kind === 'pin' && d.screen.triesLeft, 2);
    d.digits('1234');
    assert.deepEqual(d.of('read-card'), [{ type: 'read-card', slot: 'smartphone' }], 'no second "hold your phone" wait');
    d.send({ type: 'card-read', slot: 'smartphone', card: { ...goodCard, pinTriesLeft: 2 } });
    assert.deepEqual(d.of('verify-pin').map((e) => ({ ...e, pin: e.pin.reveal() })), [{ type: 'verify-pin', slot: 'smartphone', pin: '1234' }]);
    d.send({ type: 'pin-locked' });
    assert.equal(d.phase, 'pin-locked');
    assert.deepEqual(d.shown, { kind: 'pin-locked', slot: 'smartphone', buttons: ['staff.call'] });
    d.timeout();
    assert.equal(d.phase, 'idle');
  });

  it('iPhone: biometric on the phone, no PIN on the panel', () => {
    const d = new Driver();
    d.send({ type: 'terminal-visual-mode', on: false });
    d.tap('phone.start');
    d.tap('phone.iphone');
    assert.deepEqual(d.shown, { kind: 'phone-hold', phone: 'iphone', retry: false, buttons: ['phone.cancel'] });
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    assert.equal(d.all.filter((e) => e.type === 'verify-pin').length, 0);
    assert.equal(d.of('query-backend')[0]?.method, 'smartphone');
  });

  describe('kind ③ qualification only (seed 004: 認証選択, staff see the result)', () => {
    it('staff choose B 暗証番号: no face, no consent screens, the result for staff', () => {
      const d = new Driver({ mode: 'qualification-only' });
      d.send({ type: 'start' });
      assert.deepEqual(d.screen.buttons, ['staff.start'], 'no smartphone (「患者のスマートフォンは使用しません」)');
      d.placeCard();
      assert.deepEqual(d.shown, { kind: 'auth-select', buttons: ['auth.visual', 'auth.pin', 'method.quit'] });
      d.tap('auth.pin');
      d.digits('1234');
      d.send({ type: 'pin-verified' });
      d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
      assert.equal(d.phase, 'done');
      assert.equal(d.shown.kind === 'done' && d.shown.staffResult, true);
      assert.equal(d.all.filter((e) => e.type === 'register-consent').length, 0);
      assert.equal(d.of('record-result', d.all)[0]?.outcome.method, 'pin');
    });

    it('staff choose A 目視確認: the passcode, then the visual check confirms this card', () => {
      const d = new Driver({ mode: 'qualification-only' });
      d.placeCard();
      d.tap('auth.visual');
      assert.equal(d.phase, 'staff-passcode');
      d.digits('1234');
      d.send({ type: 'staff-passcode-result', ok: true });
      assert.deepEqual(d.shown.buttons.includes('staff.consent-first'), false, 'no kind ② consent in kind ③');
      d.tap('staff.visual');
      assert.equal(d.of('query-backend', d.all)[0]?.method, 'visual');
    });

    it('a face-only card gets the staff check (A), and the screen says why there is no PIN', () => {
      const d = new Driver({ mode: 'qualification-only' });
      d.placeCard({ pinSet: false, pinTriesLeft: 0 });
      assert.deepEqual(d.shown, { kind: 'auth-select', noPin: 'not-set', buttons: ['auth.visual', 'method.quit'] });
    });

    it('the settings menu fixes the method (「設定メニューから切り替え」): PIN at once, キャンセル back to 認証選択', () => {
      const d = new Driver({ mode: 'qualification-only', qualificationOnly: { authentication: 'pin' } });
      d.placeCard();
      assert.equal(d.phase, 'pin');
      d.tap('pin.cancel');
      assert.equal(d.phase, 'auth-select');
      const v = new Driver({ mode: 'qualification-only', qualificationOnly: { authentication: 'visual' } });
      v.placeCard();
      assert.equal(v.phase, 'staff-passcode');
      v.tap('staff.abort');
      assert.equal(v.phase, 'auth-select');
      // A face-only card under a PIN setting: 認証選択 with the staff check only.
      const f = new Driver({ mode: 'qualification-only', qualificationOnly: { authentication: 'pin' } });
      f.placeCard({ pinSet: false, pinTriesLeft: 0 });
      assert.equal(f.phase, 'auth-select');
    });
  });

  it('a method screen without a PIN button says why (issue 16 bug)', () => {
    const d = new Driver();
    d.placeCard({ pinSet: false, pinTriesLeft: 0 });
    assert.equal(d.shown.kind === 'method' && d.shown.noPin, 'not-set');
    const l = new Driver();
    l.placeCard({ pinTriesLeft: 0 });
    assert.equal(l.shown.kind === 'method' && l.shown.noPin, 'locked');
    const ok = new Driver();
    ok.placeCard();
    assert.equal(ok.shown.kind === 'method' && ok.shown.noPin, undefined);
  });

  it('camera failure: staff take consent first (kind ②), then PIN, one query carrying the consent', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.face');
    d.send({ type: 'camera-failed' });
    assert.deepEqual(d.shown, { kind: 'face-failed', reason: 'camera', buttons: ['method.pin', 'method.quit', 'staff.start', 'staff.call'] });
    d.tap('staff.start');
    // The face attempt that was running when the camera failed answers late: dropped.
    d.send({ type: 'face-result', outcome: 'no-face' });
    assert.equal(d.phase, 'staff-passcode');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    assert.deepEqual(d.screen.buttons, ['staff.visual', 'staff.consent-first', 'staff.abort']);
    d.tap('staff.consent-first');
    assert.equal(d.screen.kind, 'consent-method');
    assert.equal(d.of('query-backend').length, 0);
    d.tap('consent.individual');
    d.tap('consent.agree');
    d.tap('consent.agree');
    d.tap('consent.decline');
    assert.equal(d.phase, 'method');
    assert.deepEqual(d.screen.buttons, ['method.pin', 'method.quit', 'staff.start', 'staff.call'], 'no face after the camera failed');
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    assert.deepEqual(d.of('query-backend'), [
      {
        type: 'query-backend',
        slot: 'card',
        method: 'pin',
        consentFirst: { categories: { surgery: true, clinical: true, medication: true, checkup: false }, referralLetterIds: [], limitInfo: true, mode: 'individual' },
      },
    ]);
    // The same answers as last time (診療・お薬 covers お薬): nothing to ask again.
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, checkup: false } } });
    assert.equal(d.phase, 'done', 'no second round of consent screens');
    assert.equal(d.all.filter((e) => e.type === 'register-consent').length, 0);
  });

  it('kind ② started by staff for a patient who cannot operate the panel (seed 001): recorded with its viewing limit', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('staff.start');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    assert.deepEqual(d.screen.buttons, ['staff.visual', 'staff.consent-first', 'staff.abort'], 'offered with a working camera');
    d.tap('staff.consent-first');
    d.tap('consent.all');
    assert.equal(d.phase, 'method');
    assert.deepEqual(d.screen.buttons, ['method.pin', 'method.quit', 'staff.start', 'staff.call'], 'PIN or the visual check, no face (seed 001)');
    d.tap('staff.start');
    assert.equal(d.phase, 'staff-confirm', 'no second passcode for the same patient');
    d.tap('staff.visual');
    assert.equal(d.of('query-backend')[0]?.consentFirst?.mode, 'comprehensive');
    d.send({ type: 'backend-result', result: qualified });
    const outcome = d.of('record-result', d.all)[0]?.outcome;
    assert.equal(outcome?.kind, 'home-consent');
    assert.equal(outcome?.viewingLimit, 'day-after-visit');
    assert.equal(outcome?.method, 'visual');
  });

  it('kind ②: referral letters, which only the answer lists, are asked after the result and registered', () => {
    const d = new Driver({ consent: { referralLetters: true } });
    d.placeCard();
    d.tap('staff.start');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    d.tap('staff.consent-first');
    d.tap('consent.all');
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    const letter = { id: 'L1', issuedOn: '4/1', issuer: '○○病院', department: '内科' };
    d.send({ type: 'backend-result', result: { ...qualified, referralLetters: [letter] } });
    assert.equal(d.phase, 'referral');
    d.tap('referral.letter.0');
    d.tap('referral.submit');
    const reg = d.of('register-consent', d.all);
    assert.equal(reg.length, 1);
    assert.deepEqual(reg[0]?.consent.referralLetterIds, ['L1']);
    assert.equal(reg[0]?.consent.mode, 'comprehensive');
    d.send({ type: 'consent-registered' });
    assert.equal(d.phase, 'done');
    assert.equal(d.of('record-result', d.all)[0]?.outcome.kind, 'home-consent');
  });

  /** Kind ② up to the answer: staff start it, 全て同意する, PIN; the answer has this previous consent. */
  function kind2Answered(previousConsent: Record<string, boolean>, config = {}): Driver {
    const d = new Driver(config);
    d.placeCard();
    d.tap('staff.start');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    d.tap('staff.consent-first');
    d.tap('consent.all');
    d.tap('method.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent } });
    return d;
  }

  it('kind ②: a previous consent that differs is offered for inheritance after the answer (seed 000), 引き継ぐ registers it', () => {
    const d = kind2Answered({ surgery: false, clinical: true, checkup: false });
    assert.equal(d.phase, 'consent-inherit', 'the question of seed 000, now that the previous consent is known');
    assert.deepEqual(d.screen.buttons, ['consent.inherit', 'consent.reselect', 'consent.view-previous', 'staff.call']);
    assert.equal(d.of('register-consent', d.all).length, 0, 'nothing registered before the answer');
    d.tap('consent.view-previous');
    assert.equal(d.phase, 'consent-previous');
    d.tap('consent.back');
    assert.equal(d.phase, 'consent-inherit', '戻る returns to the question');
    d.tap('consent.inherit');
    const reg = d.of('register-consent', d.all);
    assert.equal(reg.length, 1);
    assert.equal(reg[0]?.consent.mode, 'inherited');
    assert.deepEqual(reg[0]?.consent.categories, { surgery: false, clinical: true, medication: true, checkup: false }, 'the previous answers, 診療・お薬 covering お薬');
    d.send({ type: 'consent-registered' });
    assert.equal(d.phase, 'done');
    const outcome = d.of('record-result', d.all)[0]?.outcome;
    assert.equal(outcome?.kind, 'home-consent');
    assert.equal(outcome?.viewingLimit, 'day-after-visit');
  });

  it('kind ②: 選択し直す asks the categories again and registers the new answers; a matching previous consent asks nothing', () => {
    const d = kind2Answered({ surgery: false });
    d.tap('consent.reselect');
    assert.equal(d.screen.kind, 'consent-method');
    d.tap('consent.individual');
    d.tap('consent.decline');
    d.tap('consent.agree');
    d.tap('consent.decline');
    const reg = d.of('register-consent', d.all);
    assert.equal(reg.length, 1);
    assert.deepEqual(reg[0]?.consent.categories, { surgery: false, clinical: true, medication: true, checkup: false });
    const same = kind2Answered({ surgery: true, clinical: true, checkup: true });
    assert.equal(same.phase, 'done');
    assert.equal(same.of('register-consent', same.all).length, 0, 'the consents went with the query');
  });

  it('kind ② is not offered in grace (qualification only) nor before a card is read', () => {
    const g = new Driver();
    g.placeCard({ certificateStatus: 'grace' });
    g.tap('staff.start');
    g.digits('1234');
    g.send({ type: 'staff-passcode-result', ok: true });
    assert.deepEqual(g.screen.buttons, ['staff.visual', 'staff.abort']);
    const idle = new Driver();
    idle.send({ type: 'start' });
    idle.tap('staff.start');
    idle.digits('1234');
    idle.send({ type: 'staff-passcode-result', ok: true });
    assert.deepEqual(idle.screen.buttons, ['staff.visual', 'staff.abort']);
  });

  it('card left on the reader: reminders with sound and LEDs until it is removed', () => {
    const d = new Driver();
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('consent.all');
    d.send({ type: 'consent-registered' });
    d.timeout();
    assert.equal(d.phase, 'remove-card');
    assert.ok(d.of('wipe').length === 1, 'the name leaves the screen');
    assert.ok(d.of('beep').some((b) => b.pattern === 'reminder'));
    assert.ok(d.of('set-leds').some((b) => b.pattern === 'reminder'));
    assert.deepEqual(d.shown, { kind: 'remove-card', reminder: true, timedOut: false, buttons: [] });
    d.timeout();
    assert.ok(d.of('beep').some((b) => b.pattern === 'reminder'));
    assert.deepEqual(d.state.phase, { name: 'remove-card', reminders: 2, timedOut: false });
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.phase, 'idle');
  });

  it('終了する ends the session and asks for the card back', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('method.quit');
    assert.equal(d.phase, 'remove-card');
    assert.equal(d.of('record-result')[0]?.outcome.status, 'not-confirmed');
    assertNoPersonalData(d);
  });

  it('privacy: no log effect carries a digit typed, the name or a passcode; only the done screen shows the name', () => {
    const d = new Driver();
    d.placeCard();
    d.send({ type: 'button', id: 'key.9' }); // a key pressed on a screen without the pad
    d.tap('method.pin');
    for (const k of ['key.9', 'key.8', 'key.7'] as const) d.tap(k);
    d.send({ type: 'pin-digit', digit: 6 });
    d.send({ type: 'button', id: 'key.5' }); // pressed while the PIN is being checked
    d.send({ type: 'pin-wrong', triesLeft: 2 });
    d.tap('pin.cancel');
    d.tap('staff.start');
    d.digits('4321');
    d.send({ type: 'staff-passcode-result', ok: true });
    d.tap('staff.visual');
    d.send({ type: 'backend-result', result: qualified });
    d.tap('consent.all');
    d.send({ type: 'consent-registered' });
    const logs = JSON.stringify(d.all.filter((e) => e.type === 'log' || e.type === 'record-result'));
    for (const secret of ['9876', '4321', '山田花子', '"9"', '"5"']) assert.ok(!logs.includes(secret), `log holds ${secret}`);
    const shows = d.all.filter((e) => e.type === 'show');
    for (const e of shows) if (e.type === 'show' && e.screen.kind !== 'done') assert.ok(!JSON.stringify(e.screen).includes('山田花子'));
  });

  it('a card pulled in the middle of consent wipes everything', () => {
    const d = new Driver();
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('consent.individual');
    d.tap('consent.agree');
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.phase, 'idle');
    assertNoPersonalData(d);
  });
});
