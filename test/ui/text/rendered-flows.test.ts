/**
 * The Japanese a patient actually reads: sessions driven through the engine (buttons by id), each
 * screen request rendered with the catalogue, compared with the wording of SPEC §3–§6 and the
 * seeds it cites. The engine tests (test/session) assert the requests; these assert the words.
 */
import assert from 'node:assert/strict';
import { Driver, goodCard, qualified } from '../../session/harness';
import type { ConfigOverrides } from '../../../src/config/load';
import type { PanelView } from '../../../src/ui/panel-view';
import { renderScreen } from '../../../src/ui/text/screens';

class Panel extends Driver {
  constructor(overrides: ConfigOverrides = {}) {
    super(overrides);
    this.send({ type: 'start' });
  }

  get view(): PanelView {
    return renderScreen(this.screen, this.config);
  }

  get labels(): string[] {
    return this.view.buttons.map((b) => b.label);
  }
}

function pinToQuery(d: Panel, card = {}): void {
  d.placeCard(card);
  d.tap('method.pin');
  d.digits('1234');
  d.send({ type: 'pin-verified' });
}

describe('rendered screens of whole sessions', () => {
  it('idle and method: the facility name, the seed wording, the buttons as labelled', () => {
    const d = new Panel();
    assert.equal(d.view.facilityName, '○○○○病院');
    // Seed 001 draws the smartphone entry as a caption over a button (SPEC §3 step 1 differs).
    assert.deepEqual(d.view.lines, ['マイナンバーカードを置いてください。', 'スマホの方はこちら↓']);
    assert.deepEqual(d.labels, ['スマートフォン', '職員用ボタン']);
    assert.equal(d.view.countdownSeconds, undefined);
    d.placeCard();
    assert.deepEqual(d.view.lines, ['本人確認の方法を選んでください。', '本人確認の情報は、他の目的には使用しません。']);
    assert.deepEqual(d.labels, ['顔認証を行う', '暗証番号を入力', '終了する', '職員用ボタン', '職員を呼ぶ']);
    assert.equal(d.view.countdownSeconds, 60);
    d.tap('method.pin');
    d.digits('12');
    assert.deepEqual(d.view.secretEntry, { typed: 2, length: 4 });
    assert.ok(!JSON.stringify(d.view).includes('12"'), 'digits are never drawn');
  });

  it('consent inherit, the previous consent list (〇/×), done with the name', () => {
    const d = new Panel();
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: true, checkup: false } } });
    assert.equal(d.view.title, '同意情報の引き継ぎ');
    assert.deepEqual(d.view.lines, ['過去の医療情報等の提供に同意しますか。']);
    assert.deepEqual(d.labels, ['現在の同意状況を引き継ぐ', '選択し直す', '現在の同意状況をみる', '職員を呼ぶ']);
    d.tap('consent.view-previous');
    assert.equal(d.view.title, '事前・前回の同意状況');
    assert.deepEqual(d.view.lines, ['・手術、傷病名、感染症検査結果： 〇', '・診療（感染症を除く検査結果、アレルギー等）、お薬： 〇', '・健診 ×']);
    assert.deepEqual(d.labels, ['戻る']);
    d.tap('consent.back');
    d.tap('consent.inherit');
    d.send({ type: 'consent-registered' });
    assert.deepEqual(d.view.lines, ['山田花子様', '確認が完了しました。', 'マイナンバーカードを取り出してください。']);
  });

  it('a previous 診療・お薬 consent covers お薬 in the list', () => {
    const d = new Panel({ consent: { acquired: { surgery: false, clinical: false, medication: true, checkup: false } } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: false, checkup: true } } });
    d.tap('consent.view-previous');
    assert.deepEqual(d.view.lines, ['・お薬： 〇']);
    const e = new Panel({ consent: { acquired: { surgery: false, checkup: false } } });
    pinToQuery(e);
    e.send({ type: 'backend-result', result: { ...qualified, previousConsent: { surgery: true, clinical: true, medication: false, checkup: true } } });
    e.tap('consent.view-previous');
    assert.deepEqual(e.view.lines, ['・診療（感染症を除く検査結果、アレルギー等）、お薬： 〇']);
  });

  it('comprehensive and individual consent wording, with and without diagnosis viewing', () => {
    const d = new Panel({ consent: { referralLetters: false } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    assert.equal(d.view.title, '同意方法の確認');
    assert.deepEqual(d.view.lines, ['過去の医療情報等の提供に同意しますか。', '【手術、傷病名、感染症／診療、お薬／健診】']);
    d.tap('consent.individual');
    assert.equal(d.view.title, '手術・傷病名・感染症');
    assert.deepEqual(d.view.lines, ['過去の手術情報・傷病名情報・感染症検査結果を当機関に提供することに同意しますか。']);
    assert.deepEqual(d.labels, ['同意する', '同意しない', '職員を呼ぶ']);
    d.tap('consent.agree');
    assert.deepEqual(d.view.lines, ['過去の診療情報(感染症を除く検査結果、アレルギー等)・お薬情報を当機関に提供することに同意しますか。']);
    d.tap('consent.decline');
    assert.equal(d.view.title, 'お薬');
    assert.deepEqual(d.view.lines, ['過去のお薬情報を当機関に提供することに同意しますか。']);
    d.tap('consent.agree');
    assert.equal(d.view.title, '健診');
    assert.deepEqual(d.view.lines, ['過去の健診情報を当機関に提供することに同意しますか。']);

    const n = new Panel({ consent: { diagnosisViewing: false } });
    pinToQuery(n);
    n.send({ type: 'backend-result', result: qualified });
    assert.equal(n.view.lines[1], '【手術／診療、お薬／健診】');
    n.tap('consent.individual');
    assert.equal(n.view.title, '手術');
    assert.deepEqual(n.view.lines, ['過去の手術情報を当機関に提供することに同意しますか。']);
    n.tap('consent.agree');
    assert.deepEqual(n.view.lines, ['過去の手術以外の診療・お薬情報を当機関に提供することに同意しますか。']);
  });

  it('the certificate stop screen says 失効 for a revoked and an expired certificate alike', () => {
    for (const card of [{ revoked: true }, { certificateStatus: 'expired' as const }]) {
      const d = new Panel();
      d.placeCard(card);
      assert.deepEqual(d.view.lines, ['電子証明書が失効しています。マイナンバーカードを取り出し、受付窓口までお越しください。証明書の更新は、市区町村の窓口で手続きが必要です。']);
      assert.deepEqual(d.view.buttons.map((b) => b.label), ['職員を呼ぶ']);
    }
  });

  it('registration offered and declined (seed 003), notices, results at the counter', () => {
    const d = new Panel();
    d.placeCard({ registeredForInsurance: false });
    assert.equal(d.view.title, 'マイナンバーカードの健康保険証利用の申込み');
    assert.deepEqual(d.labels, ['申し込む', '申し込まない']);
    d.tap('registration.decline');
    assert.deepEqual(d.view.lines, [
      '申込みを行わなかったため、マイナンバーカードで資格確認ができませんでした。',
      '受付窓口までお越しください。',
      '申込みは、マイナポータル又は次回の受付時にこのカードリーダーで行えます。',
      'マイナンバーカードを取り出してください。',
    ]);

    const g = new Panel();
    pinToQuery(g, { certificateStatus: 'grace' });
    assert.deepEqual(g.view.lines, ['電子証明書の有効期限が切れているため、資格情報のみ当機関に提供します。お早めに市区町村の窓口で電子証明書を更新してください。']);
    assert.deepEqual(g.labels, ['次に進む']);

    const q = new Panel();
    pinToQuery(q);
    q.send({ type: 'backend-result', result: { ...qualified, status: 'invalid' } });
    assert.deepEqual(q.view.lines, ['資格無効', '受付窓口までお越しください。', 'マイナンバーカードを取り出してください。']);
  });

  it('the legacy limit button on the done screen (seed 000 現行)', () => {
    const d = new Panel({ consent: { referralLetters: false, legacyLimitScreen: true } });
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('consent.all');
    d.send({ type: 'consent-registered' });
    assert.deepEqual(d.view.lines, ['山田花子様', '確認が完了しました。', '終了する場合は、マイナンバーカードを取り出してください。']);
    assert.deepEqual(d.labels, ['高額療養費制度を利用する方はこちら']);
    d.tap('limit.open');
    assert.equal(d.view.title, '高額療養費制度を利用する方はこちら');
    assert.deepEqual(d.view.lines, ['限度額情報を提供しますか。']);
    assert.deepEqual(d.labels, ['提供する', '提供しない']);
  });

  it('staff screens follow staff.language; patient screens stay Japanese', () => {
    const d = new Panel({ staff: { passcode: new Driver().config.staff.passcode, language: 'en' } });
    assert.deepEqual(d.view.lines, ['マイナンバーカードを置いてください。', 'スマホの方はこちら↓']);
    d.tap('staff.start');
    assert.deepEqual(d.view.lines, ['Enter the visual-check passcode']);
    assert.deepEqual(d.labels.slice(-2), ['Delete', 'Abort']);
    const ja = new Panel();
    ja.tap('staff.start');
    assert.deepEqual(ja.view.lines, ['目視確認用パスコードを入力してください']);
    assert.deepEqual(ja.labels.slice(-2), ['訂正', '中止']);
  });

  it('the terminal 目視確認 mode: the hint on idle, the waiting screen', () => {
    const d = new Panel();
    d.send({ type: 'terminal-visual-mode', on: true });
    assert.equal(d.view.hint, '目視確認モード');
    d.placeCard();
    assert.deepEqual(d.view.lines, ['職員が顔写真で本人確認を行います。', 'しばらくお待ちください。']);
  });

  it('smartphone screens (SPEC §3.2) and the phone done screen', () => {
    const d = new Panel({ consent: { referralLetters: false } });
    d.tap('phone.start');
    // Seed 001 draws the kind screen without the first-visit note (preparation advice beside it; issue 16 item 8).
    assert.deepEqual(d.view.lines, ['スマートフォンの種類を選択してください。']);
    assert.deepEqual(d.labels, ['Android', 'iPhone', 'キャンセル']);
    d.tap('phone.android');
    d.digits('1234');
    assert.deepEqual(d.view.lines, ['Androidスマートフォンをスマホ用カードリーダーにかざしてください。']);
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    d.send({ type: 'card-removed', slot: 'smartphone' });
    assert.equal(d.view.hint, 'もう一度かざしてください。');
    // A locked phone PIN: not the card's municipal-office text (issue 16 item 8).
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    d.digits('1111');
    d.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    d.send({ type: 'pin-locked' });
    assert.ok(d.view.lines.join('').includes('スマホ用電子証明書の暗証番号がロックされました。'), d.view.lines.join(''));
    assert.ok(!d.view.lines.join('').includes('市区町村'), 'no municipal office for a phone');
    const i = new Panel();
    i.tap('phone.start');
    i.tap('phone.iphone');
    assert.deepEqual(i.view.lines, ['iPhoneをマイナンバーカードが選択されている状態にしてスマホ用カードリーダーにかざしてください。']);
    i.send({ type: 'card-inserted', slot: 'smartphone' });
    i.send({ type: 'card-read', slot: 'smartphone', card: goodCard });
    i.send({ type: 'backend-result', result: qualified });
    i.tap('consent.all');
    i.send({ type: 'consent-registered' });
    assert.deepEqual(i.view.lines, ['山田花子様', '確認が完了しました。', 'スマートフォンをお取りください。']);
  });

  it('kind ③ (seed 004): no smartphone caption, 認証選択 with A / B, the 資格確認結果 for staff', () => {
    const d = new Panel({ mode: 'qualification-only' });
    d.send({ type: 'start' });
    assert.deepEqual(d.view.lines, ['マイナンバーカードを置いてください。']);
    assert.deepEqual(d.labels, ['職員用ボタン']);
    d.placeCard();
    assert.equal(d.view.title, '認証選択');
    assert.deepEqual(d.labels, ['A：目視確認', 'B：４桁の暗証番号入力', '終了する']);
    d.tap('auth.pin');
    d.digits('1234');
    d.send({ type: 'pin-verified' });
    d.send({ type: 'backend-result', result: qualified });
    assert.equal(d.view.title, '資格確認結果');
    assert.ok(d.view.lines.includes('山田花子様'));
    const f = new Panel();
    f.placeCard({ pinSet: false, pinTriesLeft: 0 });
    assert.ok(f.view.lines.includes('このカードには暗証番号が設定されていません。'), 'the method screen says why no PIN');
  });

  it('the device states and outcomes the patient is told (issue 11)', () => {
    const d = new Panel();
    d.send({ type: 'reader-availability', slot: 'card', available: false });
    assert.deepEqual(d.view.lines, ['カードリーダーを準備しています。', 'しばらくお待ちください。']);
    d.send({ type: 'reader-availability', slot: 'card', available: true });
    d.send({ type: 'backend-availability', available: false });
    assert.ok(d.view.lines.includes('現在、資格確認システムに接続できません。受付窓口にお申し出ください。'));
    const u = new Panel();
    pinToQuery(u);
    u.send({ type: 'backend-failed', kind: 'outcome-unknown' });
    assert.deepEqual(u.view.lines[0], '確認の結果を受け取れませんでした。');
  });
});
