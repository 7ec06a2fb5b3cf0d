/**
 * Issue 16: the seed walk on the whole rig under tmux — the screens as seeds 000–004 draw them,
 * checked in Japanese on the panel and in what the backend simulator recorded. One rig for all
 * (a facility that acquires お薬 alone, so a previous 診療・お薬 consent must show as お薬 〇).
 */
import assert from 'node:assert/strict';
import { consentThrough, RigUnderTmux, type ReceptionEntry } from './rig-harness';
import { ja } from '../../src/ui/text/ja';

type Given = Record<string, boolean | string[]>;

describe('e2e: the seed walk (issue 16)', function () {
  this.timeout(240_000);
  let rig: RigUnderTmux;
  before(async () => {
    rig = await RigUnderTmux.start({ config: { consent: { acquired: { surgery: false, clinical: false, checkup: false } } } });
  });
  after(async () => {
    await rig?.stop();
  });

  async function newEntries(before: number): Promise<(ReceptionEntry & { visualTrigger?: string })[]> {
    return (await rig.receptions()).slice(before);
  }

  async function removeCard(): Promise<void> {
    await rig.fcr('remove');
    await rig.waitForScreen(ja.idlePlaceCard);
  }

  it('seed 000 inheritance: the question, 現在の同意状況をみる → 事前・前回の同意状況 (・お薬： 〇) → 戻る → 引き継ぐ', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.waitForScreen(ja.pinPrompt);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.buttonViewPrevious);
    let screen = rig.flatScreen();
    for (const text of [ja.inheritTitle, '過去の医療情報等の提供に同意しますか。', '現在の同意状況を引き継ぐ', '選択し直す']) assert.ok(screen.includes(text), text);
    assert.ok(!screen.includes('事前・前回の同意状況'), 'the list is a screen of its own');
    await rig.fcr('tap', ja.buttonViewPrevious);
    await rig.waitForScreen('事前・前回の同意状況');
    screen = rig.flatScreen();
    // The persona consented to 診療・お薬 last time (お薬 alone: no); 診療・お薬 covers お薬.
    assert.ok(screen.includes('・お薬： 〇'), 'お薬 shown as consented');
    assert.ok(!screen.includes('×'));
    assert.ok(!screen.includes(ja.buttonInherit), 'the list has only 戻る');
    await rig.fcr('tap', ja.buttonBack);
    await rig.waitForScreen(ja.buttonViewPrevious);
    await rig.fcr('tap', ja.buttonInherit);
    await rig.waitForScreen(ja.referralPrompt(1, 1));
    await rig.fcr('tap', ja.buttonNext);
    await rig.waitForScreen(ja.doneComplete);
    const entries = await newEntries(before);
    assert.equal(entries.length, 1, 'one reception (戻る on the list asks nothing again)');
    assert.equal(entries[0]!.identityMethod, 'pin');
    assert.equal(entries[0]!.consents?.mode, 'inherited');
    const g = entries[0]!.consents!.given as Given;
    assert.equal(g.medicationOnly, true, 'the inherited 診療・お薬 consent gives お薬');
    assert.equal(g.clinicalAndMedication, false, 'a category the facility does not acquire is not sent');
    await removeCard();
  });

  it('seed 003 first-time registration: 申し込まない says what follows and reaches no backend; 申し込む is confirmed', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('insert', 'unregistered');
    await rig.waitForScreen(ja.registrationQuestion);
    await rig.fcr('tap', ja.buttonNotApply);
    await rig.waitForScreen(ja.registrationDeclined);
    for (const text of [ja.goToCounter, ja.registrationLater]) assert.ok(rig.flatScreen().includes(text), text);
    assert.ok(!rig.capture().split('\n').some((l) => l.trim() === ja.counterTrouble), 'not the generic failure line');
    assert.equal((await newEntries(before)).length, 0, 'nothing was confirmed with the backend');
    assert.match(rig.log(), /registration-declined/, 'the session is recorded with its cause');
    await removeCard();
    await rig.fcr('insert', 'unregistered');
    await rig.waitForScreen(ja.registrationQuestion);
    await rig.fcr('tap', ja.buttonApply);
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.registrationDone);
    assert.equal((await newEntries(before)).length, 0, 'the query waits for the patient to go on');
    await rig.fcr('tap', ja.buttonNext);
    await consentThrough(rig);
    const entries = await newEntries(before);
    assert.deepEqual(entries.map((e) => [e.identityMethod, e.status]), [['pin', 'qualified']], 'registered, then qualified');
    await removeCard();
  });

  it('SPEC §8 staff guidance from the reader: a PIN lock and a 資格無効 each log it in the seed order; the backend sends none', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('insert', 'pin-one-try');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '9999');
    await rig.waitForScreen('暗証番号がロックされました。');
    // Seed 001: 暗証番号入力不可 → 目視確認モード first; then seed 002's order; claims A → B → C.
    // The log line follows the screen by a write on stderr: wait for it rather than race it.
    const pinLocked = /staff guidance cause=pin-locked steps=visual-check-on-reader,mynaportal-or-notice-sheet-with-card,past-visit-records,self-declaration-form claim=A>B>C follow-up=reset-pin-at-municipal-office/;
    await rig.waitFor(() => pinLocked.test(rig.log()), 10_000, 'the pin-locked guidance in the log');
    await removeCard();
    await rig.fcr('insert', 'qualification-invalid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.resultInvalid);
    const invalid = /staff guidance cause=qualification steps=mynaportal-or-notice-sheet-with-card,past-visit-records,self-declaration-form claim=A>B>C/;
    await rig.waitFor(() => invalid.test(rig.log()), 10_000, 'the 資格無効 guidance in the log');
    const entries = await newEntries(before);
    assert.deepEqual(entries.map((e) => e.status), ['invalid'], 'the lock reached no backend; the 資格無効 did');
    assert.ok(entries[0]!.lostQualification, 'the lost qualification for claim route B');
    assert.equal('fallback' in entries[0]!, false, 'the simulator is no second source of guidance');
    // What staff read (reception terminal side, and the technician console): the seeds' Japanese.
    const terminal = await rig.fcr('guidance');
    for (const w of ['マイナ保険証で受付が出来ない場合の資格確認方法', '資格無効', 'マイナポータル画面（PDF含む）', '被保険者資格申立書', '「旧資格情報」']) assert.ok(terminal.includes(w), `${w} in:\n${terminal}`);
    const onConsole = await rig.console('guidance');
    assert.equal(onConsole.at(-1), 'ok');
    assert.equal(onConsole.slice(0, -1).join('\n'), terminal.trimEnd(), 'the console shows the same lines');
    await removeCard();
  });

  it('seed 000 statistics on the technician console: one PIN session and one quit, as `counters json` exports them', async () => {
    type Counts = { byMethod: Record<string, number>; ended?: Record<string, number>; acquired?: Record<string, number> };
    const read = async (): Promise<Counts> => {
      const a = await rig.console('counters json');
      assert.equal(a.at(-1), 'ok');
      return (JSON.parse(a[0]!) as { today: Counts }).today;
    };
    const n = (r: Record<string, number> | undefined, k: string) => r?.[k] ?? 0;
    const t0 = await read();
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await consentThrough(rig);
    await removeCard();
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonQuit);
    await removeCard();
    const t1 = await read();
    assert.equal(n(t1.byMethod, 'pin') - n(t0.byMethod, 'pin'), 1, 'method pin 1');
    assert.equal(n(t1.ended, 'quit') - n(t0.ended, 'quit'), 1, 'the quit under ended');
    assert.equal(n(t1.byMethod, 'none'), n(t0.byMethod, 'none'), 'a quit is not method none');
    // This facility acquires お薬 alone: the PIN session acquired medication information, nothing else.
    assert.equal(n(t1.acquired, 'medication') - n(t0.acquired, 'medication'), 1, 'お薬 acquired once');
    for (const k of ['clinical', 'checkup', 'surgery']) assert.equal(n(t1.acquired, k), n(t0.acquired, k), `${k} not acquired`);
  });

  it('kind ② (seed 001, 000): consent first, then after the answer the inheritance question for a previous consent that differs', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('staff', '1234');
    await rig.waitForScreen(ja.buttonConsentFirst);
    await rig.fcr('tap', ja.buttonConsentFirst);
    await rig.waitForScreen(ja.buttonIndividual);
    await rig.fcr('tap', ja.buttonIndividual);
    await rig.waitForScreen(ja.buttonDecline);
    // This facility acquires お薬 alone; the persona agreed to it last time: declining now differs.
    await rig.fcr('tap', ja.buttonDecline);
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.buttonViewPrevious);
    const screen = rig.flatScreen();
    for (const text of ['過去の医療情報等の提供に同意しますか。', '現在の同意状況を引き継ぐ', '選択し直す', '現在の同意状況をみる']) assert.ok(screen.includes(text), text);
    await rig.fcr('tap', ja.buttonInherit);
    await consentThrough(rig);
    const entries = await newEntries(before);
    assert.equal(entries.length, 1, 'one reception');
    assert.equal((entries[0] as ReceptionEntry & { confirmationKind?: string }).confirmationKind, 'home-consent');
    assert.equal(entries[0]!.consents?.mode, 'inherited', 'the inherited consent replaced the one sent with the query');
    assert.equal((entries[0]!.consents!.given as Given).medicationOnly, true);
    await removeCard();
  });

  it('revocation unknown (5xx on /v1/certificate-checks): a revoked card gets no consent screen and no qualification', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('backend', 'http-5xx@/v1/certificate-checks*always');
    await rig.fcr('insert', 'revoked');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitFor(() => rig.flatScreen().includes(ja.goToCounter) || rig.flatScreen().includes(ja.certificateUnusable), 20_000, 'the counter');
    for (const text of [ja.inheritTitle, ja.consentMethodTitle, ja.doneComplete]) assert.ok(!rig.flatScreen().includes(text), text);
    await removeCard();
    // A good card while the check is down: qualified, but qualification only (no consent screens).
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.doneQualificationOnly);
    await rig.fcr('backend', 'clear');
    const entries = await newEntries(before);
    assert.deepEqual(entries.map((e) => e.status), ['certificate-refused', 'qualified'], 'the backend refused the revoked certificate itself');
    assert.equal(entries[1]!.consents, undefined, 'no consent sent');
    await removeCard();
  });

  it('seed 000 目視確認 mode: persistent, waits for 「目視で本人確認完了」 on the terminal, never interrupts a PIN', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('visual-mode', 'on');
    await rig.waitForScreen(ja.visualModeOn);
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.terminalVisualWait);
    assert.equal((await newEntries(before)).length, 0, 'nothing reaches the backend before staff confirm');
    await rig.fcr('visual-confirm');
    await consentThrough(rig);
    await removeCard();
    // Seed 000 p.27 order: staff confirm on the terminal, then the patient places the card.
    assert.ok(rig.flatScreen().includes(ja.visualModeOn), 'the mode stays on after a patient');
    await rig.fcr('visual-confirm');
    await rig.fcr('insert', 'valid');
    await consentThrough(rig);
    assert.ok(!rig.flatScreen().includes(ja.terminalVisualWait));
    await removeCard();
    // Off: the method choice again; on again while a PIN is typed: the PIN is not interrupted.
    await rig.fcr('visual-mode', 'off');
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.waitForScreen(ja.pinPrompt);
    await rig.fcr('pin', '12');
    await rig.fcr('visual-mode', 'on');
    await rig.fcr('visual-confirm');
    assert.ok(rig.flatScreen().includes(ja.pinPrompt), 'still on the PIN pad');
    await rig.fcr('pin', '34');
    await consentThrough(rig);
    await removeCard();
    await rig.fcr('visual-mode', 'off');
    const entries = await newEntries(before);
    assert.deepEqual(
      entries.map((e) => [e.identityMethod, e.visualTrigger ?? null, e.status]),
      [
        ['visual', 'terminal', 'qualified'],
        ['visual', 'terminal', 'qualified'],
        ['pin', null, 'qualified'],
      ],
    );
  });
});
