/**
 * The catalogue holds the spec's exact wording (SPEC §3, §3.1, §3.2, §6): each string below is
 * copied from SPEC.md / the seed it cites; a reworded catalogue entry fails here.
 */
import assert from 'node:assert/strict';
import { defaultRigConfig } from '../../../rig/rig-config';
import { enStaff, ja } from '../../../src/ui/text/ja';
import { BUTTON, KEYPAD, referralButtonId, type ScreenRequest } from '../../../src/session/screen';
import { consentBracket, renderScreen } from '../../../src/ui/text/screens';

const exact: [string, string][] = [
  [ja.idlePlaceCard, 'マイナンバーカードを置いてください。'],
  [ja.phoneCaption, 'スマホの方はこちら↓'],
  [ja.buttonPhone, 'スマートフォン'],
  [ja.buttonStaff, '職員用ボタン'],
  [ja.certificateUnusable, '電子証明書が失効しています。マイナンバーカードを取り出し、受付窓口までお越しください。証明書の更新は、市区町村の窓口で手続きが必要です。'],
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
  [ja.authSelectTitle, '認証選択'],
  [ja.buttonAuthVisual, 'A：目視確認'],
  [ja.buttonAuthPin, 'B：４桁の暗証番号入力'],
  [ja.staffResultTitle, '資格確認結果'],
  [ja.buttonIphone, 'iPhone'],
  [ja.phoneHoldAndroid, 'Androidスマートフォンをスマホ用カードリーダーにかざしてください。'],
  [ja.phoneHoldIphone, 'iPhoneをマイナンバーカードが選択されている状態にしてスマホ用カードリーダーにかざしてください。'],
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
  const pad = [...KEYPAD, BUTTON.keyBack, BUTTON.pinCancel];
  const requests: ScreenRequest[] = [
    { kind: 'idle', visualMode: false, readerAvailable: true, backendAvailable: true, buttons: [BUTTON.phoneStart, BUTTON.staffStart] },
    { kind: 'busy', busy: 'card', buttons: [] },
    { kind: 'certificate-unusable', buttons: ['staff.call'] },
    { kind: 'registration-offer', buttons: [BUTTON.registrationApply, BUTTON.registrationDecline] },
    { kind: 'registration-done', buttons: [BUTTON.noticeNext] },
    { kind: 'method', buttons: [BUTTON.methodFace, BUTTON.methodPin, BUTTON.methodQuit, BUTTON.staffStart, 'staff.call'] },
    { kind: 'face', hint: 'backlight', buttons: [BUTTON.faceCancel, 'staff.call'] },
    { kind: 'face-failed', reason: 'no-match', buttons: [BUTTON.methodPin, BUTTON.methodQuit, BUTTON.staffStart, 'staff.call'] },
    { kind: 'pin', typed: 3, length: 4, triesLeft: 3, wrong: false, buttons: pad },
    { kind: 'pin-locked', slot: 'card', buttons: ['staff.call'] },
    { kind: 'staff-passcode', typed: 1, length: 4, buttons: [...KEYPAD, BUTTON.keyBack, BUTTON.staffAbort] },
    { kind: 'staff-locked', buttons: [BUTTON.staffAbort] },
    { kind: 'staff-confirm', buttons: [BUTTON.staffVisual, BUTTON.staffConsentFirst, BUTTON.staffAbort] },
    { kind: 'staff-place-card', buttons: [BUTTON.staffAbort] },
    { kind: 'terminal-visual-wait', buttons: [BUTTON.methodQuit] },
    { kind: 'phone-choice', buttons: [BUTTON.phoneAndroid, BUTTON.phoneIphone, BUTTON.phoneCancel] },
    { kind: 'phone-hold', phone: 'android', retry: false, buttons: [BUTTON.phoneCancel] },
    { kind: 'notice', notice: 'grace', buttons: [BUTTON.noticeNext] },
    { kind: 'consent-inherit', buttons: [BUTTON.consentInherit, BUTTON.consentReselect, BUTTON.consentViewPrevious, 'staff.call'] },
    { kind: 'consent-previous', previous: { surgery: true }, categories: ['surgery', 'checkup'], buttons: [BUTTON.consentBack] },
    { kind: 'consent-method', categories: ['surgery'], buttons: [BUTTON.consentAll, BUTTON.consentIndividual, 'staff.call'] },
    { kind: 'consent-item', category: 'checkup', buttons: [BUTTON.consentAgree, BUTTON.consentDecline, 'staff.call'] },
    { kind: 'referral', letters: [], page: 0, pageCount: 1, buttons: [BUTTON.referralSubmit] },
    { kind: 'limit', buttons: [BUTTON.limitProvide, BUTTON.limitDecline] },
    { kind: 'done', patientName: '山田花子', slot: 'card', buttons: [BUTTON.limitOpen] },
    { kind: 'not-qualified', status: 'no-record', buttons: ['staff.call'] },
    { kind: 'counter', cause: 'backend', buttons: ['staff.call'] },
    { kind: 'remove-card', reminder: true, timedOut: false, buttons: [] },
  ];

  it('draws every screen with the facility name, the buttons asked for (labelled) and the countdown', () => {
    for (const r of requests) {
      const v = renderScreen({ ...r, countdownSeconds: 12 }, config);
      assert.equal(v.screenId, r.kind);
      assert.equal(v.facilityName, '○○○○病院', r.kind);
      assert.equal(v.countdownSeconds, 12);
      assert.deepEqual(new Set(v.buttons.map((b) => b.id)), new Set(r.buttons), `buttons of ${r.kind}`);
      for (const b of v.buttons) assert.ok(b.label.length > 0, `${r.kind}/${b.id}`);
      assert.ok(v.lines.length > 0 && v.lines.every((l) => l.length > 0), r.kind);
    }
  });

  it('the PIN pad: ten digit keys in phone order, dots only, tries left only under 3', () => {
    const v = renderScreen({ kind: 'pin', typed: 3, length: 4, triesLeft: 3, wrong: false, buttons: pad }, config);
    assert.deepEqual(
      v.buttons.map((b) => b.label),
      ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '訂正', 'キャンセル'],
      'phone order, as seed 001 draws the pad',
    );
    assert.deepEqual(v.lines, ['暗証番号を入力してください。']);
    assert.deepEqual(v.secretEntry, { typed: 3, length: 4 });
    const low = renderScreen({ kind: 'pin', typed: 0, length: 4, triesLeft: 1, wrong: true, buttons: pad }, config);
    assert.deepEqual(low.secretEntry, { typed: 0, length: 4, triesLeft: 1 });
    assert.equal(low.lines[1], '暗証番号の残り入力回数は1回です。');
    assert.equal(low.hint, '暗証番号が違います。');
  });

  it('the face hint for each real-counter cause is its own sentence', () => {
    const hints = Object.values(ja.faceHints);
    assert.equal(new Set(hints).size, hints.length);
    assert.equal(renderScreen({ kind: 'face', hint: 'glasses-glare', buttons: [BUTTON.faceCancel, 'staff.call'] }, config).hint, ja.faceHints['glasses-glare']);
  });

  it('a face failure names only what is offered', () => {
    const noPin = renderScreen({ kind: 'face-failed', reason: 'no-match', buttons: [BUTTON.methodQuit, BUTTON.staffStart, 'staff.call'] }, config);
    assert.deepEqual(noPin.lines, ['顔認証ができませんでした。', '職員による目視確認をお選びください。']);
    assert.deepEqual(noPin.buttons.map((b) => [b.label, b.kind]), [['終了する', 'secondary'], ['職員用ボタン', 'primary'], ['職員を呼ぶ', 'small']]);
    const camera = renderScreen({ kind: 'face-failed', reason: 'camera', buttons: [BUTTON.methodPin, BUTTON.methodQuit, BUTTON.staffStart, 'staff.call'] }, config);
    assert.deepEqual(camera.lines, ['カメラが使用できません。', '暗証番号の入力、または職員による目視確認をお選びください。']);
  });

  it('referral letters are labelled from the letters, selected ones marked', () => {
    const letter = (i: number) => ({ id: `L${i}`, issuedOn: `4/${i + 1}`, issuer: '○○病院', department: '内科' });
    const v = renderScreen(
      {
        kind: 'referral',
        page: 0,
        pageCount: 2,
        letters: [0, 1].map((index) => ({ index, letter: letter(index), selected: index === 1 })),
        buttons: [referralButtonId(0), referralButtonId(1), BUTTON.referralNextPage],
      },
      config,
    );
    assert.equal(v.title, '診療情報提供書');
    assert.deepEqual(v.lines, ['提出する紹介状をすべて選択してください。1/2']);
    assert.equal(v.page, undefined, 'the page number is drawn once, in the prompt (issue 16 bug)');
    assert.deepEqual(
      v.buttons.map((b) => b.label),
      ['□ 発行日 4/1 ○○病院 内科', '■ 発行日 4/2 ○○病院 内科', '次ページへ'],
    );
    const last = renderScreen({ kind: 'referral', page: 1, pageCount: 2, letters: [], buttons: [BUTTON.referralPrevPage, BUTTON.referralSubmit] }, config);
    assert.deepEqual(last.buttons.map((b) => b.label), ['前ページへ', '次に進む']);
  });
});
