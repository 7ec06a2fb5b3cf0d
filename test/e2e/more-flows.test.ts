/**
 * Issue 4 §4, continued: the smartphone flows, a face-only card, and facilities configured
 * differently (kind ③ qualification only; short timeouts), each on its own rig under tmux.
 */
import assert from 'node:assert/strict';
import { consentThrough, RigUnderTmux } from './rig-harness';
import { ja } from '../../src/ui/text/ja';

describe('e2e: smartphone and face-only flows', function () {
  this.timeout(180_000);
  let rig: RigUnderTmux;
  before(async () => {
    rig = await RigUnderTmux.start();
  });
  after(async () => {
    await rig?.stop();
  });

  it('Android: kind → PIN on the panel → hold the phone → consent → done, recorded as smartphone', async () => {
    await rig.waitForScreen(ja.idlePlaceCard);
    await rig.fcr('tap', ja.buttonPhone);
    await rig.waitForScreen(ja.phoneKindPrompt);
    await rig.fcr('tap', ja.buttonAndroid);
    await rig.waitForScreen(ja.pinPrompt);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.phoneHoldAndroid);
    await rig.fcr('phone', 'android');
    await rig.waitForScreen(ja.consentMethodTitle);
    await consentThrough(rig);
    const last = (await rig.receptions()).at(-1);
    assert.equal(last?.identityMethod, 'smartphone');
    assert.equal(last?.status, 'qualified');
    // A phone certificate is マイナ保険証: its 特定疾病 information is provided as with the card
    // (seed 002 p.3, issue 16 item 8); the android persona has category 2.
    const held = (last as { qualification?: { specifiedDiseases?: { category: string }[] } } | undefined)?.qualification;
    assert.deepEqual(held?.specifiedDiseases?.map((d) => d.category), ['2']);
    await rig.fcr('remove');
    await rig.waitForScreen(ja.idlePlaceCard, 40_000);
  });

  it('iPhone: no PIN on the panel; the phone signs after its own biometric check', async () => {
    await rig.waitForScreen(ja.idlePlaceCard, 30_000);
    await rig.fcr('tap', ja.buttonPhone);
    await rig.waitForScreen(ja.phoneKindPrompt);
    // Seed 001 draws the kind screen without the first-visit note (preparation advice, issue 16 item 8).
    assert.ok(!rig.flatScreen().includes('初めて受診する医療機関等'), 'no first-visit note on the kind screen');
    await rig.fcr('tap', ja.buttonIphone);
    await rig.waitForScreen(ja.phoneHoldIphone);
    await rig.fcr('phone', 'iphone');
    await rig.waitFor(() => rig.flatScreen().includes(ja.consentMethodTitle) || rig.flatScreen().includes(ja.inheritTitle), 20_000, 'consent');
    const last = (await rig.receptions()).at(-1);
    assert.equal(last?.identityMethod, 'smartphone');
    await consentThrough(rig);
    await rig.fcr('remove');
    await rig.waitForScreen(ja.idlePlaceCard, 40_000);
  });

  it('face-only card (no PIN set): the method screen offers no PIN', async () => {
    await rig.waitForScreen(ja.idlePlaceCard, 40_000);
    await rig.fcr('insert', 'face-only');
    await rig.waitFor(() => rig.flatScreen().includes(ja.methodQuestion) || rig.flatScreen().includes(ja.buttonVisualCheck) || rig.flatScreen().includes(ja.faceCameraFailed), 20_000, 'method or fallback');
    assert.ok(!rig.flatScreen().includes(ja.buttonPin), 'no PIN button for a face-only card');
    await rig.fcr('remove');
  });
});

describe('e2e: a qualification-only facility (kind ③) with short timeouts', function () {
  this.timeout(180_000);
  let rig: RigUnderTmux;
  before(async () => {
    // Short enough that the timeout test below waits seconds, not minutes; long enough that the
    // first test's taps, each a `fcr rig` process start, land before the screen gives up even on
    // a loaded CI machine (3 s did not: a CI run under load saw 認証選択 time out before the tap).
    rig = await RigUnderTmux.start({ config: { mode: 'qualification-only', timeouts: { screenMs: 10_000, pinMs: 10_000 } } });
  });
  after(async () => {
    await rig?.stop();
  });

  it('seed 004: no smartphone; staff choose on 認証選択 (B PIN), no consent screens, 資格確認結果 for staff', async () => {
    await rig.waitForScreen(ja.idlePlaceCard);
    assert.ok(!rig.flatScreen().includes(ja.buttonPhone), 'no smartphone in kind ③');
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.authSelectTitle);
    for (const label of [ja.buttonAuthVisual, ja.buttonAuthPin]) assert.ok(rig.flatScreen().includes(label), label);
    assert.ok(!rig.flatScreen().includes(ja.buttonFace));
    await rig.fcr('tap', ja.buttonAuthPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.staffResultTitle);
    assert.ok(rig.flatScreen().includes(ja.doneComplete));
    const last = (await rig.receptions()).at(-1);
    assert.equal(last?.status, 'qualified');
    assert.equal(last?.identityMethod, 'pin');
    assert.equal(last?.consents, undefined);
    await rig.fcr('remove');
    await rig.waitForScreen(ja.idlePlaceCard);
  });

  it('a waiting screen times out: the data is wiped and the patient is asked to take the card', async () => {
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.authSelectTitle);
    await rig.waitFor(() => !rig.flatScreen().includes(ja.authSelectTitle), 40_000, 'the 認証選択 screen to time out');
    assert.ok(rig.flatScreen().includes(ja.doneRemoveCard) || rig.flatScreen().includes(ja.timedOut), rig.flatScreen());
    await rig.fcr('remove');
    await rig.waitForScreen(ja.idlePlaceCard);
  });
});

describe('e2e: a machine without pcscd', function () {
  this.timeout(120_000);
  let rig: RigUnderTmux;
  before(async () => {
    rig = await RigUnderTmux.start({ args: ['--no-pcscd'] });
  });
  after(async () => {
    await rig?.stop();
  });

  it('falls back to the in-process virtual reader, says so, and still serves a PIN session', async () => {
    await rig.waitForScreen('in-process virtual reader');
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await consentThrough(rig);
    assert.equal((await rig.receptions()).at(-1)?.identityMethod, 'pin');
  });
});
