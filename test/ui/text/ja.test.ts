/**
 * The catalogue holds the spec's exact wording (SPEC §3, §3.1, §3.2, §6): each string below is
 * copied from SPEC.md / the seed it cites; a reworded catalogue entry fails here.
 */
import assert from 'node:assert/strict';
import { defaultRigConfig } from '../../../rig/rig-config';
import { enStaff, ja } from '../../../src/ui/text/ja';
import { BUTTON, consentBracket, renderScreen, type ScreenRequest } from '../../../src/ui/text/screens';

const exact: [string, string][] = [
  [ja.idlePlaceCard, 'マイナンバーカードを置いてください。'],
  [ja.phoneCaption, 'スマホの方はこちら↓'],
  [ja.buttonPhone, 'スマートフォン'],
  [ja.buttonStaff, '職員用ボタン'],
  [ja.revoked, '電子証明書が失効しています。マイナンバーカードを取り出し、受付窓口までお越しください。証明書の更新は、市区町村の窓口で手続きが必要です。'],
  [ja.methodQuestion, '本人確認の方法を選んでください。'],
  [ja.methodNote, '本人確認の情報は、他の目的には使用しません。'],
  [ja.buttonFace, '顔認証を行う'],
  [ja.buttonPin, '暗証番号を入力'],
  [ja.buttonQuit, '終了する'],
  [ja.faceHints['remove-mask'], 'マスクを外してください'],
  [ja.faceHints['remove-cap'], '帽子をお取りください'],
  [ja.faceHints['come-closer'], 'もう少し近づいてください'],
  [ja.pinPrompt, '暗証番号を入力してください。'],
  [ja.buttonCancel, 'キャンセル'],
  [ja.noticeExpiringSoon, '証明書の有効期限が3カ月以内となっています。市区町村の窓口で更新手続きをお願いします。'],
  [ja.noticeGrace, '電子証明書の有効期限が切れているため、資格情報のみ当機関に提供します。お早めに市区町村の窓口で電子証明書を更新してください。'],
  [ja.buttonNext, '次に進む'],
  [ja.doneName('●●××') + ' ' + ja.doneComplete + ja.doneRemoveCard, '●●××様 確認が完了しました。マイナンバーカードを取り出してください。'],
  [ja.resultInvalid, '資格無効'],
  [ja.resultNoRecord, '資格情報なし'],
  [ja.staffPasscodePrompt, '目視確認用パスコードを入力してください'],
  [ja.buttonAbort, '中止'],
  [ja.buttonVisualCheck, '目視確認を行う'],
  [ja.phoneKindPrompt, 'スマートフォンの種類を選択してください。'],
  [ja.buttonAndroid, 'Android'],
  [ja.buttonIphone, 'iPhone'],
  [ja.phoneHoldAndroid, 'Androidスマートフォンをスマホ用カードリーダーにかざしてください。'],
  [ja.phoneHoldIphone, 'iPhoneをマイナンバーカードが選択されている状態にしてスマホ用カードリーダーにかざしてください。'],
  [ja.phoneFirstVisit, '初めて受診する医療機関等にはマイナンバーカードもあわせてお持ち下さい'],
  [ja.inheritTitle, '同意情報の引き継ぎ'],
  [ja.inheritHeading, '事前・前回の同意状況'],
  [ja.buttonInherit, '現在の同意状況を引き継ぐ'],
  [ja.buttonReselect, '選択し直す'],
  [ja.buttonBack, '戻る'],
  [ja.buttonViewPrevious, '現在の同意状況をみる'],
  [`・${ja.categories.checkup.inherit}${ja.categories.checkup.inheritSeparator}${ja.yes}`, '・健診 〇'],
  [`・${ja.categories.surgeryDiag.inherit}${ja.categories.surgeryDiag.inheritSeparator}${ja.yes}`, '・手術、傷病名、感染症検査結果： 〇'],
  [ja.consentMethodTitle, '同意方法の確認'],
  [ja.consentMethodQuestion, '過去の医療情報等の提供に同意しますか。'],
  [ja.buttonAgreeAll, '全て同意する'],
  [ja.buttonIndividual, '個別に同意する'],
  [ja.buttonAgree, '同意する'],
  [ja.buttonDecline, '同意しない'],
  [ja.categories.surgeryDiag.title, '手術・傷病名・感染症'],
  [ja.categories.surgeryOnly.title, '手術'],
  [ja.categories.clinicalDiag.title, '診療・お薬'],
  [ja.categories.medication.title, 'お薬'],
  [ja.categories.checkup.title, '健診'],
  [ja.referralTitle, '診療情報提供書'],
  [ja.referralPrompt(1, 3), '提出する紹介状をすべて選択してください。1/3'],
  [ja.referralLetter('4/1', '○○病院', '△△科'), '発行日 4/1 ○○病院 △△科'],
  [ja.buttonNextPage, '次ページへ'],
  [ja.limitTitle, '高額療養費制度を利用する方はこちら'],
  [ja.limitQuestion, '限度額情報を提供しますか。'],
  [ja.buttonProvide, '提供する'],
  [ja.buttonNotProvide, '提供しない'],
];

describe('Japanese text catalogue', () => {
  it('holds the exact wording of the spec', () => {
    for (const [actual, expected] of exact) assert.equal(actual, expected);
  });

  it('every consent question ends with 当機関に提供することに同意しますか。 (seed 000)', () => {
    for (const c of Object.values(ja.categories)) assert.match(c.question, /^過去の.+を当機関に提供することに同意しますか。$/);
  });

  it('builds the comprehensive-consent bracket from the acquired categories', () => {
    const config = defaultRigConfig();
    assert.equal(consentBracket(['surgery', 'clinical', 'medication', 'checkup'], config), '【手術、傷病名、感染症／診療、お薬／健診】');
    assert.equal(consentBracket(['medication', 'checkup'], config), '【お薬／健診】');
    assert.equal(consentBracket(['surgery', 'checkup'], defaultRigConfig({ consent: { diagnosisViewing: false } })), '【手術／健診】');
  });

  it('has an English text for every staff string it overrides', () => {
    for (const key of Object.keys(enStaff)) assert.ok(key in ja, `${key} is not a catalogue key`);
  });
});

describe('renderScreen', () => {
  const config = defaultRigConfig();
  const requests: ScreenRequest[] = [
    { id: 'idle', visualMode: false },
    { id: 'busy', kind: 'card' },
    { id: 'revoked' },
    { id: 'registration-offer' },
    { id: 'method', face: true, pin: true },
    { id: 'face', hint: 'backlight' },
    { id: 'face-failed', reason: 'no-match', pin: true },
    { id: 'pin', typed: 3, triesLeft: 3, wrong: false },
    { id: 'pin-locked', slot: 'card' },
    { id: 'staff-passcode', typed: 1 },
    { id: 'staff-locked' },
    { id: 'staff-confirm', consentFirst: true },
    { id: 'staff-place-card' },
    { id: 'terminal-visual-wait' },
    { id: 'phone-choice' },
    { id: 'phone-hold', kind: 'android', retry: false },
    { id: 'notice', notice: 'grace' },
    { id: 'consent-inherit' },
    { id: 'consent-previous', previous: { surgery: true }, categories: ['surgery', 'checkup'] },
    { id: 'consent-method', categories: ['surgery'] },
    { id: 'consent-item', category: 'checkup' },
    { id: 'referral', letters: [], page: 0, pageCount: 1 },
    { id: 'limit' },
    { id: 'done', patientName: '山田花子', slot: 'card' },
    { id: 'not-qualified', status: 'no-record' },
    { id: 'counter', cause: 'backend' },
    { id: 'remove-card', reminder: true, timedOut: false },
  ];

  it('draws every screen with the facility name, unique button ids and non-empty labels', () => {
    for (const r of requests) {
      const v = renderScreen(r, config, { countdownSeconds: 12 });
      assert.equal(v.facilityName, '○○○○病院', r.id);
      assert.equal(v.countdownSeconds, 12);
      assert.equal(new Set(v.buttons.map((b) => b.id)).size, v.buttons.length, `duplicate ids on ${r.id}`);
      for (const b of v.buttons) assert.ok(b.label.length > 0, `${r.id}/${b.id}`);
      assert.ok(v.lines.every((l) => l.length > 0));
    }
  });

  it('the PIN pad: ten digit keys, dots only, tries left only under 3', () => {
    const v = renderScreen({ id: 'pin', typed: 3, triesLeft: 3, wrong: false }, config);
    assert.deepEqual(
      v.buttons.filter((b) => b.id.startsWith('key.') && b.id !== BUTTON.keyBack).map((b) => b.label),
      ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'],
      'phone order, as seed 001 draws the pad',
    );
    assert.deepEqual(v.secretEntry, { typed: 3, length: 4 });
    const low = renderScreen({ id: 'pin', typed: 0, triesLeft: 1, wrong: true }, config);
    assert.deepEqual(low.secretEntry, { typed: 0, length: 4, triesLeft: 1 });
    assert.equal(low.lines[1], '暗証番号の残り入力回数は1回です。');
  });

  it('the face hint for each real-counter cause is its own sentence', () => {
    const hints = Object.values(ja.faceHints);
    assert.equal(new Set(hints).size, hints.length);
    assert.equal(renderScreen({ id: 'face', hint: 'glasses-glare' }, config).hint, ja.faceHints['glasses-glare']);
  });
});
