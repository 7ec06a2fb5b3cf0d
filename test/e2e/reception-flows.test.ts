/**
 * Issue 4 §4: the reception flows end to end — the whole rig (`fcr rig start`, real pcscd + vpcd +
 * card emulator, backend simulator over mTLS) in a real terminal under tmux, driven with
 * `fcr rig …`, asserting the Japanese on the panel (tmux capture-pane) and what the backend
 * simulator's reception record received.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consentThrough, RigUnderTmux } from './rig-harness';
import { oracleParse, type OracleNode } from '../backend/xml-oracle';
import { ja } from '../../src/ui/text/ja';

async function backToIdle(rig: RigUnderTmux): Promise<void> {
  await rig.fcr('remove');
  await rig.waitForScreen(ja.idlePlaceCard);
}

describe('e2e: reception flows on the rig under tmux', function () {
  this.timeout(180_000);
  let rig: RigUnderTmux;

  before(async () => {
    rig = await RigUnderTmux.start();
  });
  after(async () => {
    await rig?.stop();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      // Leave a clean counter for the next flow even when one failed.
      await rig.fcr('backend', 'clear').catch(() => undefined);
    }
    await backToIdle(rig).catch(() => undefined);
  });

  it('idle screen: facility name, the prompt and the smartphone and staff buttons', async () => {
    await rig.waitForScreen(ja.idlePlaceCard);
    const screen = rig.flatScreen();
    assert.ok(screen.includes('○○○○病院'));
    assert.ok(screen.includes(ja.buttonPhone));
    assert.ok(screen.includes(ja.buttonStaff));
    // The rig serves its fleet metrics on an ephemeral loopback port and shows where (issue 17).
    const url = /metrics (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(screen)?.[1];
    assert.ok(url, `the metrics URL on the panel's footer:\n${screen}`);
    assert.match(await (await fetch(url)).text(), /^fcr_sessions_total\{method="pin",status="qualified"\} \d+$/m);
  });

  it('PIN: method → PIN as dots → consent inherited → done with the name; the backend got a PIN proof', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    assert.ok(rig.flatScreen().includes(ja.methodNote));
    await rig.fcr('tap', ja.buttonPin);
    await rig.waitForScreen(ja.pinPrompt);
    await rig.fcr('pin', '12');
    await rig.waitForScreen('● ● ○ ○');
    // The panel above the rig's own footer (which names pcscd's pid and the vpcd ports, so may
    // hold any digits: CI once drew "(pid 12…)") shows the entry as dots and the digits nowhere.
    const panel = rig.capture().split('\n').filter((line) => !line.includes('rig ('));
    const entry = panel.find((line) => line.includes('● ● ○ ○'));
    assert.ok(entry && !/[0-9０-９]/.test(entry), `the entry line holds no digit: ${entry}`);
    assert.ok(!panel.join('\n').replace(/残り\d+秒/g, '').includes('12'), `digits are never drawn:\n${panel.join('\n')}`);
    await rig.fcr('pin', '34');
    await rig.waitForScreen(ja.inheritTitle);
    await rig.fcr('tap', ja.buttonInherit);
    // The rig facility uses the referral-letter service: this patient has letters for it.
    await rig.waitForScreen(ja.referralPrompt(1, 1));
    const letter = /□ (発行日 [^│]+?)\s*│/.exec(rig.capture());
    assert.ok(letter, 'a referral letter is listed');
    await rig.fcr('tap', `□ ${letter[1]!.trim()}`);
    await rig.waitForScreen(`■ ${letter[1]!.trim()}`);
    await rig.fcr('tap', ja.buttonNext);
    await rig.waitForScreen(ja.doneComplete);
    assert.ok(rig.flatScreen().includes('様'), 'the patient is greeted by name');
    assert.ok(rig.flatScreen().includes(ja.doneRemoveCard));
    const record = (await rig.receptions()).slice(before);
    assert.equal(record.length, 1);
    assert.equal(record[0]!.identityMethod, 'pin');
    assert.equal(record[0]!.status, 'qualified');
    assert.equal(record[0]!.consents?.mode, 'inherited', 'consents were registered as inherited');
    assert.deepEqual((record[0]!.consents?.given as { referralLetterIds: string[] }).referralLetterIds.length, 1);
    // Issue 15: the session's national result document lands in the folder the receipt software
    // watches, once, read here with an independent strict parser (saxes).
    const folder = join(rig.dir, 'reception');
    const name = new RegExp(`^OQSsiquc01res_face_${record[0]!.seq}_[0-9]{14}\\.xml$`);
    await rig.waitFor(() => existsSync(folder) && readdirSync(folder).some((f) => name.test(f)), 10_000, 'the result file');
    const files = readdirSync(folder).filter((f) => name.test(f));
    assert.equal(files.length, 1, 'one result file for the session');
    const doc = oracleParse(readFileSync(join(folder, files[0]!), 'utf8'));
    const find = (n: OracleNode, tag: string): OracleNode | undefined => (n.name === tag ? n : n.children.map((c) => find(c, tag)).find((x) => x));
    assert.equal(doc.name, 'XmlMsg');
    assert.equal(find(doc, 'NameKana')?.text, 'ﾔﾏﾀﾞ ﾀﾛｳ', 'half-width kana, half-width space');
    assert.equal(find(doc, 'Name')?.text, '山田　太郎');
    assert.ok(!readdirSync(folder).some((f) => f.startsWith('.')), 'no temp file left behind');
    await backToIdle(rig);
    assert.ok(!rig.flatScreen().includes('様'), 'name gone after removal');
  });

  it('touch: a finger on the drawn button (HID digitizer reports) and a mouse click both press it', async () => {
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    const pinButton = rig.cellOf(ja.buttonPin);
    assert.ok(pinButton, 'the PIN button is drawn');
    await rig.fcr('touch', String(pinButton.col + 1), String(pinButton.row));
    await rig.waitForScreen(ja.pinPrompt);
    const cancel = rig.cellOf(ja.buttonCancel);
    assert.ok(cancel);
    rig.click(cancel.col + 1, cancel.row);
    await rig.waitForScreen(ja.methodQuestion);
    // A touch on no button does nothing.
    await rig.fcr('touch', '0', '0');
    await rig.waitForScreen(ja.methodQuestion);
  });

  it('wrong PIN: tries left shown, then the lock message on the last try', async () => {
    await rig.fcr('insert', 'pin-one-try');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.waitForScreen(ja.pinPrompt);
    assert.ok(rig.flatScreen().includes(ja.pinTriesLeft(1)));
    await rig.fcr('pin', '9999');
    await rig.waitForScreen('暗証番号がロックされました。');
  });

  it('certificate past its grace period: the revoked screen of SPEC §3 step 2', async () => {
    await rig.fcr('insert', 'expired-past-grace');
    await rig.waitForScreen(ja.certificateUnusable);
  });

  it('revoked certificate (lost card suspended): the revoked screen, whatever its dates', async () => {
    await rig.fcr('insert', 'revoked');
    await rig.waitForScreen(ja.certificateUnusable);
  });

  it('unregistered card: the first-time insurance-use registration is offered, then the flow goes on', async () => {
    await rig.fcr('insert', 'unregistered');
    await rig.waitForScreen(ja.registrationQuestion);
    await rig.fcr('tap', ja.buttonApply);
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.registrationDone);
    await rig.fcr('tap', ja.buttonNext);
    await rig.waitFor(() => /同意|確認が完了しました/.test(rig.flatScreen()), 20_000, 'consent or done after registration');
    await consentThrough(rig);
  });

  it('certificate in its grace period: notice, then qualification only (no consent screens)', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('insert', 'expired-grace');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.noticeGrace);
    await rig.fcr('tap', ja.buttonNext);
    await rig.waitForScreen(ja.doneComplete);
    const record = (await rig.receptions()).slice(before);
    assert.equal(record[0]?.status, 'qualified');
  });

  it('certificate expiring within 3 months: renewal notice, then the consent screens', async () => {
    await rig.fcr('insert', 'expiring-soon');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.noticeExpiringSoon);
    await rig.fcr('tap', ja.buttonNext);
    await rig.waitFor(() => /同意/.test(rig.flatScreen()), 20_000, 'a consent screen');
  });

  it('資格無効: the patient is sent to the counter; the record says invalid', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('insert', 'qualification-invalid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.resultInvalid);
    assert.ok(rig.flatScreen().includes(ja.goToCounter));
    const record = (await rig.receptions()).slice(before);
    assert.equal(record[0]?.status, 'invalid');
  });

  it('資格情報なし: the patient is sent to the counter', async () => {
    await rig.fcr('insert', 'no-record');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.resultNoRecord);
    assert.ok(rig.flatScreen().includes(ja.goToCounter));
  });

  it('staff visual check: passcode → 目視確認を行う → card → consent → done, recorded as visual', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('staff', '1234');
    await rig.waitForScreen(ja.buttonVisualCheck);
    await rig.fcr('tap', ja.buttonVisualCheck);
    await rig.waitForScreen(ja.idlePlaceCard);
    await rig.fcr('insert', 'valid');
    await rig.waitFor(() => rig.flatScreen().includes(ja.inheritTitle) || rig.flatScreen().includes(ja.consentMethodTitle), 20_000, 'consent');
    await consentThrough(rig);
    const record = (await rig.receptions()).slice(before);
    assert.equal(record[0]?.identityMethod, 'visual');
  });

  it('the reception terminal\'s 目視確認 switch and 「目視で本人確認完了」: the next card goes straight to consent, recorded as visual', async () => {
    const before = (await rig.receptions()).length;
    await rig.fcr('visual-mode', 'on');
    await rig.fcr('visual-confirm');
    await rig.fcr('insert', 'valid');
    await rig.waitFor(() => rig.flatScreen().includes(ja.inheritTitle) || rig.flatScreen().includes(ja.consentMethodTitle), 20_000, 'consent without identity screens');
    await consentThrough(rig);
    const record = (await rig.receptions()).slice(before);
    assert.equal(record[0]?.identityMethod, 'visual');
    // The mode persists until the terminal turns it off (seed 000): turn it off for the next tests.
    await rig.fcr('visual-mode', 'off');
  });

  it('wrong staff passcode is refused', async () => {
    await rig.fcr('staff', '0000');
    await rig.waitForScreen(ja.staffPasscodeWrong);
    await rig.fcr('tap', ja.buttonAbort);
    await rig.waitForScreen(ja.idlePlaceCard);
  });

  it('card removed in the middle of the flow: back to idle with nothing left on screen', async () => {
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '12');
    await rig.fcr('remove');
    await rig.waitForScreen(ja.idlePlaceCard);
  });

  it('backend down: the patient is told to go to the counter and the next patient is served', async () => {
    await rig.fcr('backend', 'http-5xx*always');
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.goToCounter, 40_000);
    await rig.fcr('backend', 'clear');
    await backToIdle(rig);
  });

  it('the service log holds no PIN, name or certificate', () => {
    const log = rig.log();
    assert.ok(log.length > 0, 'the service logged something');
    // The PIN as a number of its own: a pid, port or duration like 41234 or 12345 is not it.
    assert.ok(!/(?<![0-9])1234(?![0-9])/.test(log), 'no PIN in the log');
    assert.ok(!log.includes('山田'));
    assert.ok(!/MII[A-Za-z0-9+/]{20}/.test(log), 'no base64 certificate');
  });
});
