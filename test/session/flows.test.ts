/**
 * Every flow of SPEC §3–§8 end to end through `step()`, asserting the Japanese on screen (from
 * the catalogue), the effects the wiring must run, and the record for SPEC §7/§9.
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
  d.tap('暗証番号を入力');
  d.digits('1234');
  d.send({ type: 'pin-verified' });
}

describe('session flows', () => {
  it('idle: the facility name, the spec wording and the staff/smartphone buttons', () => {
    const d = new Driver();
    d.send({ type: 'staff-mode', on: false }); // any event to get a screen out
    assert.equal(d.view.facilityName, '○○○○病院');
    // Seed 001 draws the smartphone entry as a caption over a button (SPEC §3 step 1 differs).
    assert.deepEqual(d.view.lines, ['マイナンバーカードを置いてください。', 'スマホの方はこちら↓']);
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['スマートフォン', '職員用ボタン'],
    );
    assert.equal(d.view.countdownSeconds, undefined, 'idle waits forever');
  });

  it('PIN → inherited consent → done → card removed: everything wiped', () => {
    const d = new Driver();
    d.send({ type: 'card-inserted', slot: 'card' });
    assert.deepEqual(d.of('read-card'), [{ type: 'read-card', slot: 'card' }]);
    d.send({ type: 'card-read', slot: 'card', card: goodCard });
    assert.equal(d.view.screenId, 'method');
    assert.deepEqual(d.view.lines, ['本人確認の方法を選んでください。', '本人確認の情報は、他の目的には使用しません。']);
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['顔認証を行う', '暗証番号を入力', '終了する', '職員用ボタン'],
    );
    assert.equal(d.view.countdownSeconds, 60);
    d.tap('暗証番号を入力');
    assert.deepEqual(d.view.lines, ['暗証番号を入力してください。']);
    assert.ok(d.view.buttons.some((b) => b.label === 'キャンセル'));
    d.digits('12');
    assert.deepEqual(d.view.secretEntry, { typed: 2, length: 4 });
    assert.ok(!JSON.stringify(d.view).includes('12"'), 'digits are never drawn');
    d.digits('34');
    assert.deepEqual(d.of('verify-pin').map((e) => ({ ...e, pin: e.pin.reveal() })), [{ type: 'verify-pin', slot: 'card', pin: '1234' }]);
    d.send({ type: 'pin-verified' });
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'pin' }]);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: true, checkup: false } } });
    // Seed 000: the question first, the previous consent one tap away.
    assert.equal(d.view.title, '同意情報の引き継ぎ');
    assert.deepEqual(d.view.lines, ['過去の医療情報等の提供に同意しますか。']);
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['現在の同意状況を引き継ぐ', '選択し直す', '現在の同意状況をみる'],
    );
    d.tap('現在の同意状況をみる');
    assert.equal(d.view.title, '事前・前回の同意状況');
    assert.deepEqual(d.view.lines, [
      '・手術、傷病名、感染症検査結果： 〇',
      '・診療（感染症を除く検査結果、アレルギー等）、お薬： 〇',
      '・健診 ×',
    ]);
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['戻る'],
    );
    d.tap('戻る');
    assert.equal(d.phase, 'consent-inherit', '戻る returns to the question, not to the identity choice');
    assert.equal(d.state.data.identity, 'pin', 'identity is kept');
    assert.deepEqual(d.of('query-backend'), [], 'no second query');
    d.tap('現在の同意状況を引き継ぐ');
    // the rig config has referral letters on but this patient has none: straight to registration
    assert.deepEqual(d.of('register-consent'), [
      {
        type: 'register-consent',
        consent: { categories: { surgery: true, clinical: true, medication: true, checkup: false }, referralLetterIds: [], limitInfo: true, mode: 'inherited' },
      },
    ]);
    d.send({ type: 'consent-registered' });
    assert.equal(d.text.trim(), '山田花子様\n確認が完了しました。\nマイナンバーカードを取り出してください。');
    assert.deepEqual(d.of('record-result')[0]?.outcome, { method: 'pin', status: 'qualified', consented: true, notices: [] });
    assert.ok(d.of('beep').some((b) => b.pattern === 'success'));
    d.send({ type: 'card-removed', slot: 'card' });
    assert.ok(d.of('wipe').length === 1);
    assert.equal(d.phase, 'idle');
    assert.equal(d.view.screenId, 'idle');
    assertNoPersonalData(d);
  });

  it('face: camera on, match, comprehensive consent, camera off', () => {
    const d = new Driver({ consent: { referralLetters: false } });
    d.placeCard();
    d.tap('顔認証を行う');
    assert.deepEqual(
      d.effects.filter((e) => e.type === 'start-camera' || e.type === 'start-face-match').map((e) => e.type),
      ['start-camera', 'start-face-match'],
    );
    d.send({ type: 'face-result', outcome: 'match' });
    assert.ok(d.of('stop-camera').length === 1);
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'face' }]);
    d.send({ type: 'backend-result', result: qualified });
    assert.equal(d.view.title, '同意方法の確認');
    assert.deepEqual(d.view.lines, ['過去の医療情報等の提供に同意しますか。', '【手術、傷病名、感染症／診療、お薬／健診】']);
    d.tap('全て同意する');
    assert.deepEqual(d.of('register-consent')[0]?.consent.categories, { surgery: true, clinical: true, medication: true, checkup: true });
    d.send({ type: 'consent-registered' });
    assert.equal(d.of('record-result')[0]?.outcome.method, 'face');
  });

  it('face: bounded retries with hints, then PIN or staff', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('顔認証を行う');
    d.send({ type: 'face-result', outcome: 'no-match', hint: 'remove-mask' });
    assert.equal(d.view.hint, 'マスクを外してください');
    assert.equal(d.of('start-face-match').length, 1, 'retried');
    assert.equal(d.of('stop-camera').length, 0, 'camera stays on between attempts');
    d.send({ type: 'face-result', outcome: 'spoof', hint: 'come-closer' });
    assert.equal(d.view.hint, 'もう少し近づいてください');
    d.send({ type: 'face-result', outcome: 'no-face', hint: 'remove-cap' });
    assert.equal(d.view.screenId, 'face-failed');
    assert.equal(d.of('stop-camera').length, 1);
    assert.deepEqual(
      d.view.buttons.map((b) => b.id),
      ['method.pin', 'method.quit', 'staff.start'],
    );
    d.tap('暗証番号を入力');
    assert.equal(d.phase, 'pin');
  });

  it('a face-only card (no PIN) offers face and the staff check only', () => {
    const d = new Driver();
    d.placeCard({ pinSet: false });
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['顔認証を行う', '終了する', '職員用ボタン'],
    );
    d.tap('顔認証を行う');
    for (let i = 0; i < 3; i++) d.send({ type: 'face-result', outcome: 'no-match' });
    assert.deepEqual(
      d.view.buttons.map((b) => b.id),
      ['method.quit', 'staff.start'],
    );
  });

  it('the card photo cannot be unlocked: face-failed asks to place the card again, offers PIN/staff', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('顔認証を行う');
    d.send({ type: 'face-result', outcome: 'card-photo-unavailable' });
    assert.match(d.text, /マイナンバーカードを置き直してください/);
    assert.ok(d.view.buttons.some((b) => b.id === 'method.pin'));
  });

  it('a card whose photo is not available never offers face', () => {
    const d = new Driver();
    d.placeCard({ cardFaceAvailable: false });
    assert.ok(!d.view.buttons.some((b) => b.id === 'method.face'));
  });

  for (const [what, card] of [
    ['revoked', { revoked: true }],
    ['past grace', { certificateStatus: 'expired' as const }],
  ] as const) {
    it(`${what} certificate: the stop screen, then idle on removal`, () => {
      const d = new Driver();
      d.placeCard(card);
      assert.deepEqual(d.view.lines, [
        '電子証明書が失効しています。マイナンバーカードを取り出し、受付窓口までお越しください。証明書の更新は、市区町村の窓口で手続きが必要です。',
      ]);
      assert.deepEqual(d.view.buttons, []);
      assert.equal(d.of('record-result')[0]?.outcome.error?.kind, what === 'revoked' ? 'certificate-revoked' : 'certificate-expired');
      d.send({ type: 'card-removed', slot: 'card' });
      assert.equal(d.phase, 'idle');
      assertNoPersonalData(d);
    });
  }

  it('first-time insurance registration, applied, then registered after identity', () => {
    const d = new Driver();
    d.placeCard({ registeredForInsurance: false });
    assert.equal(d.view.title, 'マイナンバーカードの健康保険証利用の申込み');
    d.tap('申し込む');
    assert.equal(d.phase, 'method');
    d.tap('暗証番号を入力');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    assert.equal(d.of('register-insurance-use').length, 1);
    assert.equal(d.of('query-backend').length, 0, 'registration before the query');
    d.send({ type: 'insurance-registered' });
    // Seed 003: the registration is confirmed before the flow goes on.
    assert.equal(d.view.title, 'マイナンバーカードの健康保険証利用の申込み');
    assert.deepEqual(d.view.lines, ['健康保険証利用の申込みが完了しました。']);
    assert.equal(d.of('query-backend').length, 0);
    d.tap('次に進む');
    assert.equal(d.of('query-backend').length, 1);
  });

  it('first-time registration declined: to the counter, staff fallback recorded', () => {
    const d = new Driver();
    d.placeCard({ registeredForInsurance: false });
    d.tap('申し込まない');
    assert.equal(d.phase, 'counter');
    // Says what follows: not confirmed today, the counter, where to register later (seed 003).
    assert.deepEqual(d.view.lines, [
      '申込みを行わなかったため、マイナンバーカードで資格確認ができませんでした。',
      '受付窓口までお越しください。',
      '申込みは、マイナポータル又は次回の受付時にこのカードリーダーで行えます。',
      'マイナンバーカードを取り出してください。',
    ]);
    const outcome = d.of('record-result')[0]?.outcome;
    assert.equal(outcome?.error?.kind, 'registration-declined');
    assert.equal(outcome?.status, 'not-confirmed');
    assert.deepEqual(outcome?.fallback?.steps, ['mynaportal-or-notice-sheet', 'past-visit-records', 'self-declaration-form']);
  });

  it('expiring within 3 months: the notice, 次に進む, then the consent screens', () => {
    const d = new Driver();
    pinToQuery(d, { certificateStatus: 'expiring-soon' });
    assert.deepEqual(d.view.lines, ['証明書の有効期限が3カ月以内となっています。市区町村の窓口で更新手続きをお願いします。']);
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['次に進む'],
    );
    assert.equal(d.of('query-backend').length, 0);
    d.tap('次に進む');
    assert.equal(d.of('query-backend').length, 1);
    d.send({ type: 'backend-result', result: qualified });
    assert.equal(d.phase, 'consent-method');
    d.tap('全て同意する');
    d.send({ type: 'consent-registered' });
    assert.deepEqual(d.of('record-result')[0]?.outcome.notices, ['expiring-soon']);
  });

  it('grace: the grace notice, qualification only, no consent screen, no consent sent', () => {
    const d = new Driver();
    pinToQuery(d, { certificateStatus: 'grace' });
    assert.deepEqual(d.view.lines, [
      '電子証明書の有効期限が切れているため、資格情報のみ当機関に提供します。お早めに市区町村の窓口で電子証明書を更新してください。',
    ]);
    d.tap('次に進む');
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(d.phase, 'done');
    assert.equal(d.all.filter((e) => e.type === 'register-consent').length, 0);
    assert.deepEqual(d.of('record-result')[0]?.outcome, { method: 'pin', status: 'qualified', consented: false, notices: ['grace'] });
  });

  it('individual consent: お薬 only after 診療・お薬 is declined', () => {
    const d = new Driver({ consent: { referralLetters: false } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('個別に同意する');
    assert.equal(d.view.title, '手術・傷病名・感染症');
    assert.deepEqual(d.view.lines, ['過去の手術情報・傷病名情報・感染症検査結果を当機関に提供することに同意しますか。']);
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['同意する', '同意しない'],
    );
    d.tap('同意する');
    assert.deepEqual(d.view.lines, ['過去の診療情報(感染症を除く検査結果、アレルギー等)・お薬情報を当機関に提供することに同意しますか。']);
    d.tap('同意しない');
    assert.equal(d.view.title, 'お薬');
    assert.deepEqual(d.view.lines, ['過去のお薬情報を当機関に提供することに同意しますか。']);
    d.tap('同意する');
    assert.deepEqual(d.view.lines, ['過去の健診情報を当機関に提供することに同意しますか。']);
    d.tap('同意しない');
    assert.deepEqual(d.of('register-consent')[0]?.consent.categories, { surgery: true, clinical: false, medication: true, checkup: false });

    const e = new Driver({ consent: { referralLetters: false } });
    pinToQuery(e);
    e.send({ type: 'backend-result', result: qualified });
    e.tap('個別に同意する');
    e.tap('同意しない');
    e.tap('同意する'); // 診療・お薬 agreed: お薬 is not asked
    assert.equal(e.view.title, '健診');
  });

  it('without diagnosis viewing: 手術 and 手術以外の診療・お薬 wording', () => {
    const d = new Driver({ consent: { diagnosisViewing: false } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    assert.equal(d.view.lines[1], '【手術／診療、お薬／健診】');
    d.tap('個別に同意する');
    assert.equal(d.view.title, '手術');
    assert.deepEqual(d.view.lines, ['過去の手術情報を当機関に提供することに同意しますか。']);
    d.tap('同意する');
    assert.deepEqual(d.view.lines, ['過去の手術以外の診療・お薬情報を当機関に提供することに同意しますか。']);
  });

  it('a previous 診療・お薬 consent covers お薬: shown 〇 and inherited as agreed (issue 16 bug)', () => {
    const d = new Driver({ consent: { acquired: { surgery: false, clinical: false, medication: true, checkup: false } } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: false, checkup: true } } });
    assert.equal(d.phase, 'consent-inherit');
    d.tap('現在の同意状況をみる');
    assert.deepEqual(d.view.lines, ['・お薬： 〇']);
    d.tap('戻る');
    d.tap('現在の同意状況を引き継ぐ');
    assert.deepEqual(d.of('register-consent')[0]?.consent, { categories: { medication: true }, referralLetterIds: [], limitInfo: true, mode: 'inherited' });
  });

  it('inheriting with 診療・お薬 and お薬 acquired records お薬 as covered, like the individual screens', () => {
    const d = new Driver({ consent: { acquired: { surgery: false, checkup: false } } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: false, checkup: true } } });
    d.tap('現在の同意状況をみる');
    assert.deepEqual(d.view.lines, ['・診療（感染症を除く検査結果、アレルギー等）、お薬： 〇']);
    d.tap('戻る');
    d.tap('現在の同意状況を引き継ぐ');
    assert.deepEqual(d.of('register-consent')[0]?.consent.categories, { clinical: true, medication: true });
  });

  it('categories the facility does not acquire are never asked', () => {
    const d = new Driver({ consent: { acquired: { surgery: false, clinical: false, medication: true, checkup: false } } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(d.phase, 'consent-method', 'an inherited consent about non-acquired categories is not shown');
    assert.equal(d.view.lines[1], '【お薬】');
    d.tap('個別に同意する');
    assert.equal(d.view.title, 'お薬');
    d.tap('同意する');
    assert.deepEqual(d.of('register-consent')[0]?.consent.categories, { medication: true });
    const seen = d.all.filter((e) => e.type === 'show').map((e) => (e.type === 'show' ? e.view.title : ''));
    for (const t of ['手術・傷病名・感染症', '診療・お薬', '健診']) assert.ok(!seen.includes(t), `asked ${t}`);
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
    d.tap('全て同意する');
    assert.equal(d.view.title, '診療情報提供書');
    assert.deepEqual(d.view.lines, ['提出する紹介状をすべて選択してください。1/2']);
    assert.equal(d.view.page, undefined, 'the page number is drawn once, in the prompt (issue 16 bug)');
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['□ 発行日 4/1 ○○病院 内科', '□ 発行日 4/2 ○○病院 内科', '□ 発行日 4/3 ○○病院 内科', '次ページへ'],
    );
    d.tap('□ 発行日 4/2 ○○病院 内科');
    assert.ok(d.view.buttons.some((b) => b.label === '■ 発行日 4/2 ○○病院 内科'));
    d.tap('□ 発行日 4/3 ○○病院 内科');
    d.tap('■ 発行日 4/3 ○○病院 内科'); // unselect again
    d.tap('次ページへ');
    assert.deepEqual(d.view.lines, ['提出する紹介状をすべて選択してください。2/2']);
    assert.deepEqual(d.view.buttons.map((b) => b.label), ['□ 発行日 4/4 ○○病院 内科', '前ページへ', '次に進む']);
    d.tap('前ページへ');
    assert.deepEqual(d.view.lines, ['提出する紹介状をすべて選択してください。1/2']);
    assert.ok(d.view.buttons.some((b) => b.label === '■ 発行日 4/2 ○○病院 内科'), 'choices kept');
    d.tap('次ページへ');
    d.tap('□ 発行日 4/4 ○○病院 内科');
    d.tap('次に進む');
    assert.deepEqual(d.of('register-consent')[0]?.consent.referralLetterIds, ['L1', 'L3']);
  });

  it('revocation unknown (certificate check unanswered): qualification only, no consent screens (issue 16 bug)', () => {
    const d = new Driver();
    pinToQuery(d, { revocationUnknown: true });
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(d.phase, 'done', 'no medical-information consent');
    assert.ok(d.view.lines.includes('電子証明書の失効確認ができなかったため、資格情報のみ当機関に提供しました。'));
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
    d.tap('顔認証を行う');
    for (let i = 0; i < d.config.retries.face; i++) d.send({ type: 'face-result', outcome: 'no-match' });
    assert.equal(d.phase, 'face-failed');
    assert.deepEqual(d.view.lines, ['顔認証ができませんでした。', '職員による目視確認をお選びください。']);
    assert.ok(!d.text.includes('暗証番号'));
    assert.ok(!d.view.buttons.some((b) => b.label === '暗証番号を入力'));
  });

  it('referral letters are not asked when the facility has no sharing service', () => {
    const d = new Driver({ consent: { referralLetters: false } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, referralLetters: [{ id: 'x', issuedOn: '1/1', issuer: 'a', department: 'b' }] } });
    d.tap('全て同意する');
    assert.equal(d.phase, 'registering-consent');
  });

  it('the limit screen appears only behind the legacy setting', () => {
    const off = new Driver({ consent: { referralLetters: false } });
    pinToQuery(off);
    off.send({ type: 'backend-result', result: qualified });
    off.tap('全て同意する');
    assert.equal(off.phase, 'registering-consent');
    assert.equal(off.of('register-consent')[0]?.consent.limitInfo, true);

    // Seed 000 現行: a button on the done screen, not a screen before it; not provided unless asked.
    const on = new Driver({ consent: { referralLetters: false, legacyLimitScreen: true } });
    pinToQuery(on);
    on.send({ type: 'backend-result', result: qualified });
    on.tap('全て同意する');
    assert.equal(on.of('register-consent')[0]?.consent.limitInfo, false);
    on.send({ type: 'consent-registered' });
    assert.equal(on.phase, 'done');
    assert.deepEqual(on.view.lines, ['山田花子様', '確認が完了しました。', '終了する場合は、マイナンバーカードを取り出してください。']);
    assert.deepEqual(on.view.buttons.map((b) => b.label), ['高額療養費制度を利用する方はこちら']);
    assert.equal(on.of('record-result').length, 1);
    on.tap('高額療養費制度を利用する方はこちら');
    assert.equal(on.view.title, '高額療養費制度を利用する方はこちら');
    assert.deepEqual(on.view.lines, ['限度額情報を提供しますか。']);
    on.tap('提供する');
    assert.deepEqual(on.of('register-consent'), [
      { type: 'register-consent', consent: { categories: { surgery: true, clinical: true, medication: true, checkup: true }, referralLetterIds: [], limitInfo: true, mode: 'comprehensive' }, update: 'limit-info' },
    ]);
    on.send({ type: 'consent-registered' });
    assert.equal(on.phase, 'done');
    assert.deepEqual(on.view.buttons, [], 'asked once');
    assert.equal(on.of('record-result', on.all).length, 1, 'still one record for the session');

    const declined = new Driver({ consent: { referralLetters: false, legacyLimitScreen: true } });
    pinToQuery(declined);
    declined.send({ type: 'backend-result', result: qualified });
    declined.tap('全て同意する');
    declined.send({ type: 'consent-registered' });
    declined.tap('高額療養費制度を利用する方はこちら');
    declined.tap('提供しない');
    assert.equal(declined.phase, 'done');
    assert.equal(declined.of('register-consent', declined.all).length, 1, 'nothing more sent');
    assert.deepEqual(declined.view.lines.at(-1), 'マイナンバーカードを取り出してください。');
  });

  for (const [status, word, routes] of [
    ['invalid', '資格無効', ['A', 'B', 'C']],
    ['no-record', '資格情報なし', ['A', 'C']],
  ] as const) {
    it(`result ${word}: to the counter, staff fallback of SPEC §8 recorded`, () => {
      const d = new Driver();
      pinToQuery(d);
      d.send({ type: 'backend-result', result: { ...qualified, status } });
      assert.deepEqual(d.view.lines, [word, '受付窓口までお越しください。', 'マイナンバーカードを取り出してください。']);
      const outcome = d.of('record-result')[0]?.outcome;
      assert.equal(outcome?.status, status);
      assert.deepEqual(outcome?.fallback?.claimRoutes, routes);
      assert.deepEqual(outcome?.fallback?.steps, ['mynaportal-or-notice-sheet', 'past-visit-records', 'self-declaration-form']);
      assert.equal(d.all.filter((e) => e.type === 'register-consent').length, 0);
    });
  }

  it('backend failure and backend timeout: the counter message and an error record', () => {
    const d = new Driver();
    pinToQuery(d);
    d.send({ type: 'backend-failed', kind: 'unavailable' });
    assert.equal(d.view.screenId, 'counter');
    assert.match(d.text, /受付窓口までお越しください。/);
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
    d.tap('暗証番号を入力');
    assert.equal(d.view.secretEntry?.triesLeft, undefined);
    d.digits('9876');
    d.send({ type: 'pin-wrong', triesLeft: 2 });
    assert.deepEqual(d.view.lines, ['暗証番号を入力してください。', '暗証番号の残り入力回数は2回です。']);
    assert.equal(d.view.hint, '暗証番号が違います。');
    assert.equal(d.view.secretEntry?.triesLeft, 2);
    d.digits('9876');
    d.send({ type: 'pin-wrong', triesLeft: 1 });
    assert.match(d.text, /残り入力回数は1回/);
    d.digits('9876');
    d.send({ type: 'pin-locked' });
    assert.equal(d.view.screenId, 'pin-locked');
    assert.match(d.text, /市区町村の窓口/);
    assert.match(d.text, /受付窓口までお越しください/);
    assert.equal(d.of('record-result')[0]?.outcome.error?.kind, 'pin-locked');
    d.send({ type: 'card-removed', slot: 'card' });
    assertNoPersonalData(d);
  });

  it('PIN entry: 訂正 removes a digit, キャンセル goes back to the method screen', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('暗証番号を入力');
    d.digits('12');
    d.tap('訂正');
    assert.equal(d.view.secretEntry?.typed, 1);
    d.tap('key.5');
    assert.equal(d.view.secretEntry?.typed, 2);
    d.tap('キャンセル');
    assert.equal(d.phase, 'method');
    d.tap('暗証番号を入力');
    assert.equal(d.view.secretEntry?.typed, 0, 'digits do not survive cancel');
  });

  it('staff from idle: passcode, 目視確認を行う, card placed, consent, done (method visual)', () => {
    const d = new Driver();
    d.send({ type: 'staff-mode', on: false });
    d.tap('職員用ボタン');
    assert.deepEqual(d.view.lines, ['目視確認用パスコードを入力してください']);
    assert.ok(d.view.buttons.some((b) => b.label === '中止'));
    d.digits('1234');
    assert.deepEqual(d.of('check-staff-passcode').map((e) => ({ ...e, passcode: e.passcode.reveal() })), [{ type: 'check-staff-passcode', passcode: '1234' }]);
    d.send({ type: 'staff-passcode-result', ok: true });
    assert.ok(d.view.buttons.some((b) => b.label === '目視確認を行う'));
    d.tap('目視確認を行う');
    assert.equal(d.phase, 'staff-place-card');
    assert.deepEqual(d.view.lines, ['マイナンバーカードを置いてください。']);
    d.placeCard();
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'visual', visualTrigger: 'panel' }]);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('全て同意する');
    d.send({ type: 'consent-registered' });
    assert.equal(d.of('record-result')[0]?.outcome.method, 'visual');
  });

  it('staff after a face failure: visual check of the card already read', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('顔認証を行う');
    for (let i = 0; i < 3; i++) d.send({ type: 'face-result', outcome: 'no-match' });
    d.tap('職員用ボタン');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    d.tap('目視確認を行う');
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'visual', visualTrigger: 'panel' }]);
  });

  it('staff passcode: rate-limited after a wrong one, locked after maxFailures, lock survives the wipe', () => {
    const d = new Driver({ staff: { passcode: new Driver().config.staff.passcode, maxFailures: 3, backoffMs: 1_000, lockoutMs: 60_000 } });
    d.send({ type: 'staff-mode', on: false });
    d.tap('職員用ボタン');
    d.digits('0000');
    d.send({ type: 'staff-passcode-result', ok: false });
    assert.equal(d.view.hint, 'パスコードが違います。');
    // immediately again: refused without a check
    d.digits('0001');
    assert.equal(d.of('check-staff-passcode').length, 0);
    assert.equal(d.view.hint, 'しばらく待ってから入力してください。');
    d.now += 1_000;
    d.digits('0001');
    assert.equal(d.of('check-staff-passcode').length, 1);
    d.send({ type: 'staff-passcode-result', ok: false });
    d.now += 2_000; // backoff doubled
    d.digits('0002');
    d.send({ type: 'staff-passcode-result', ok: false });
    assert.equal(d.view.screenId, 'staff-locked');
    assert.match(d.text, /しばらく入力できません/);
    d.tap('中止');
    assert.equal(d.phase, 'idle');
    d.tap('職員用ボタン');
    assert.equal(d.view.screenId, 'staff-locked', 'still locked after the session ended');
    d.tap('中止');
    d.now += 60_000;
    d.tap('職員用ボタン');
    assert.equal(d.view.screenId, 'staff-passcode');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    assert.equal(d.state.device.staffFailures, 0);
  });

  it('staff screens in English when configured; patient screens stay Japanese', () => {
    const d = new Driver({ staff: { passcode: new Driver().config.staff.passcode, language: 'en' } });
    d.send({ type: 'staff-mode', on: false });
    assert.deepEqual(d.view.lines, ['マイナンバーカードを置いてください。', 'スマホの方はこちら↓']);
    d.tap('職員用ボタン');
    assert.deepEqual(d.view.lines, ['Enter the visual-check passcode']);
  });

  it('the terminal 目視確認 mode persists; each card waits for 「目視で本人確認完了」 on the terminal (seed 000 p.27)', () => {
    const d = new Driver();
    d.send({ type: 'staff-mode', on: true });
    assert.equal(d.view.hint, '目視確認モード');
    d.placeCard();
    assert.equal(d.phase, 'terminal-visual-wait', 'the card does not proceed before staff confirm');
    assert.deepEqual(d.view.lines, ['職員が顔写真で本人確認を行います。', 'しばらくお待ちください。']);
    assert.deepEqual(d.of('query-backend'), []);
    d.send({ type: 'terminal-visual-confirmed' });
    assert.deepEqual(d.of('query-backend'), [{ type: 'query-backend', slot: 'card', method: 'visual', visualTrigger: 'terminal' }]);
    d.send({ type: 'backend-failed', kind: 'timeout' });
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.state.device.remoteVisualMode, true, 'the mode stays on until the terminal turns it off');
    // Seed 000's order: staff confirm first, then the card is placed.
    d.send({ type: 'terminal-visual-confirmed' });
    d.placeCard();
    assert.equal(d.of('query-backend')[0]?.method, 'visual');
    d.send({ type: 'backend-failed', kind: 'timeout' });
    d.send({ type: 'card-removed', slot: 'card' });
    // The confirmation was for that patient only: the next card waits again.
    d.placeCard();
    assert.equal(d.phase, 'terminal-visual-wait');
    d.send({ type: 'staff-mode', on: false });
    assert.equal(d.phase, 'method', 'mode off: the waiting patient chooses a method');
    d.send({ type: 'card-removed', slot: 'card' });
    d.placeCard();
    assert.equal(d.phase, 'method');
  });

  it('the terminal switch never interrupts a session in progress (a patient typing a PIN)', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('暗証番号を入力');
    d.digits('12');
    d.send({ type: 'staff-mode', on: true });
    d.send({ type: 'terminal-visual-confirmed' });
    assert.equal(d.phase, 'pin');
    assert.deepEqual(d.of('query-backend', d.all), []);
    d.digits('34');
    d.send({ type: 'pin-verified' });
    assert.equal(d.of('query-backend', d.all)[0]?.method, 'pin');
  });

  it('Android: PIN on the panel, then the phone on the second reader', () => {
    const d = new Driver({ consent: { referralLetters: false } });
    d.send({ type: 'staff-mode', on: false });
    d.tap('スマートフォン');
    assert.deepEqual(d.view.lines, ['スマートフォンの種類を選択してください。', '初めて受診する医療機関等にはマイナンバーカードもあわせてお持ち下さい']);
    assert.deepEqual(
      d.view.buttons.map((b) => b.label),
      ['Android', 'iPhone', 'キャンセル'],
    );
    d.tap('Android');
    assert.deepEqual(d.view.lines, ['暗証番号を入力してください。']);
    d.digits('1234');
    assert.deepEqual(d.view.lines, ['Androidスマートフォンをスマホ用カードリーダーにかざしてください。']);
    d.send({ type: 'card-inserted', slot: 'card' }); // a card on the other reader is not this session
    assert.equal(d.phase, 'phone-hold');
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.phase, 'phone-hold');
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    assert.deepEqual(d.of('read-card'), [{ type: 'read-card', slot: 'smartphone' }]);
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    assert.deepEqual(d.of('verify-pin').map((e) => ({ ...e, pin: e.pin.reveal() })), [{ type: 'verify-pin', slot: 'smartphone', pin: '1234' }]);
    d.send({ type: 'card-removed', slot: 'smartphone' });
    assert.equal(d.view.hint, 'もう一度かざしてください。');
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
    d.tap('全て同意する');
    d.send({ type: 'consent-registered' });
    assert.deepEqual(d.view.lines, ['山田花子様', '確認が完了しました。', 'スマートフォンをお取りください。']);
    d.timeout();
    assert.equal(d.phase, 'idle');
    assertNoPersonalData(d);
  });

  it('Android: a wrong PIN with the phone still on the reader reads it again after the new PIN', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.tap('スマートフォン');
    d.tap('Android');
    d.digits('9876');
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    d.send({ type: 'pin-wrong', triesLeft: 2 });
    assert.equal(d.phase, 'pin');
    assert.match(d.text, /残り入力回数は2回/);
    d.digits('1234');
    assert.deepEqual(d.of('read-card'), [{ type: 'read-card', slot: 'smartphone' }], 'no second "hold your phone" wait');
    d.send({ type: 'card-read', slot: 'smartphone', card: { ...goodCard, pinTriesLeft: 2 } });
    assert.deepEqual(d.of('verify-pin').map((e) => ({ ...e, pin: e.pin.reveal() })), [{ type: 'verify-pin', slot: 'smartphone', pin: '1234' }]);
    d.send({ type: 'pin-locked' });
    assert.equal(d.phase, 'pin-locked');
    assert.equal(d.view.lines[1], 'スマートフォンをお取りください。');
    d.timeout();
    assert.equal(d.phase, 'idle');
  });

  it('iPhone: biometric on the phone, no PIN on the panel', () => {
    const d = new Driver();
    d.send({ type: 'staff-mode', on: false });
    d.tap('スマートフォン');
    d.tap('iPhone');
    assert.deepEqual(d.view.lines, ['iPhoneをマイナンバーカードが選択されている状態にしてスマホ用カードリーダーにかざしてください。']);
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    assert.equal(d.all.filter((e) => e.type === 'verify-pin').length, 0);
    assert.equal(d.of('query-backend')[0]?.method, 'smartphone');
  });

  it('qualification-only mode: no face, no consent screens', () => {
    const d = new Driver({ mode: 'qualification-only' });
    d.placeCard();
    assert.deepEqual(
      d.view.buttons.map((b) => b.id),
      ['method.pin', 'method.quit', 'staff.start'],
    );
    d.tap('暗証番号を入力');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true } } });
    assert.equal(d.phase, 'done');
    assert.equal(d.all.filter((e) => e.type === 'register-consent').length, 0);
  });

  it('camera failure: staff take consent first (kind ②), then PIN, one query carrying the consent', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('顔認証を行う');
    d.send({ type: 'camera-failed' });
    assert.match(d.text, /カメラが使用できません/);
    d.tap('職員用ボタン');
    // The face attempt that was running when the camera failed answers late: dropped.
    d.send({ type: 'face-result', outcome: 'no-face' });
    assert.equal(d.phase, 'staff-passcode');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    d.tap('同意の取得を先に行う');
    assert.equal(d.view.title, '同意方法の確認');
    assert.equal(d.of('query-backend').length, 0);
    d.tap('個別に同意する');
    d.tap('同意する');
    d.tap('同意する');
    d.tap('同意しない');
    assert.equal(d.phase, 'method');
    assert.deepEqual(
      d.view.buttons.map((b) => b.id),
      ['method.pin', 'method.quit', 'staff.start'],
      'no face after the camera failed',
    );
    d.tap('暗証番号を入力');
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
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: false } } });
    assert.equal(d.phase, 'done', 'no second round of consent screens');
    assert.equal(d.all.filter((e) => e.type === 'register-consent').length, 0);
  });

  it('consent-first is not offered when the camera works', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('職員用ボタン');
    d.digits('1234');
    d.send({ type: 'staff-passcode-result', ok: true });
    assert.ok(!d.view.buttons.some((b) => b.id === 'staff.consent-first'));
  });

  it('card left on the reader: reminders with sound and LEDs until it is removed', () => {
    const d = new Driver();
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('全て同意する');
    d.send({ type: 'consent-registered' });
    d.timeout();
    assert.equal(d.phase, 'remove-card');
    assert.ok(d.of('wipe').length === 1, 'the name leaves the screen');
    assert.ok(d.of('beep').some((b) => b.pattern === 'reminder'));
    assert.ok(d.of('set-leds').some((b) => b.pattern === 'reminder'));
    assert.equal(d.view.hint, 'マイナンバーカードをお忘れではありませんか。');
    assert.ok(!d.text.includes('山田花子'));
    d.timeout();
    assert.ok(d.of('beep').some((b) => b.pattern === 'reminder'));
    assert.deepEqual(d.state.phase, { name: 'remove-card', reminders: 2, timedOut: false });
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.phase, 'idle');
  });

  it('終了する ends the session and asks for the card back', () => {
    const d = new Driver();
    d.placeCard();
    d.tap('終了する');
    assert.equal(d.phase, 'remove-card');
    assert.equal(d.of('record-result')[0]?.outcome.status, 'not-confirmed');
    assertNoPersonalData(d);
  });

  it('privacy: no log effect carries a digit typed, the name or a passcode; only the done screen shows the name', () => {
    const d = new Driver();
    d.placeCard();
    d.send({ type: 'button', id: 'key.9' }); // a key pressed on a screen without the pad
    d.tap('暗証番号を入力');
    for (const k of ['key.9', 'key.8', 'key.7']) d.tap(k);
    d.send({ type: 'pin-digit', digit: 6 });
    d.send({ type: 'button', id: 'key.5' }); // pressed while the PIN is being checked
    d.send({ type: 'pin-wrong', triesLeft: 2 });
    d.tap('キャンセル');
    d.tap('職員用ボタン');
    d.digits('4321');
    d.send({ type: 'staff-passcode-result', ok: true });
    d.tap('目視確認を行う');
    d.send({ type: 'backend-result', result: qualified });
    d.tap('全て同意する');
    d.send({ type: 'consent-registered' });
    const logs = JSON.stringify(d.all.filter((e) => e.type === 'log' || e.type === 'record-result'));
    for (const secret of ['9876', '4321', '山田花子', '"9"', '"5"']) assert.ok(!logs.includes(secret), `log holds ${secret}`);
    const shows = d.all.filter((e) => e.type === 'show');
    for (const e of shows) if (e.type === 'show' && e.view.screenId !== 'done') assert.ok(!JSON.stringify(e.view).includes('山田花子'));
  });

  it('a card pulled in the middle of consent wipes everything', () => {
    const d = new Driver();
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('個別に同意する');
    d.tap('同意する');
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.phase, 'idle');
    assertNoPersonalData(d);
  });
});
