/**
 * THE catalogue of Japanese wording on the panel. Strings marked `// SPEC` are the exact text of
 * SPEC §3, §3.1, §3.2, §6 (or the seed it cites) and must not be reworded; strings marked
 * `// ours` have no wording in the spec or seeds and were written for this product (keep them
 * short, polite, and in the same register).
 */
export const ja = {
  // §3 step 1 — idle
  idlePlaceCard: 'マイナンバーカードを置いてください。', // SPEC
  // Seed 001 (the idle screen as drawn there): the caption `スマホの方はこちら↓` over a button
  // `スマートフォン`. SPEC §3 step 1 names the button `スマホの方はこちら`; the seed is the fact.
  phoneCaption: 'スマホの方はこちら↓', // seed 001
  buttonPhone: 'スマートフォン', // seed 001
  buttonStaff: '職員用ボタン', // SPEC
  // issue 16: no seed has it; a patient stuck on a screen calls staff without the passcode.
  buttonCallStaff: '職員を呼ぶ', // ours
  // issue 16: the presence sensor saw someone at the reader; the idle prompt is drawn large.
  idleAwake: '↓ カードを置いてください', // ours
  reading: 'マイナンバーカードを読み取っています。', // ours
  doNotRemove: 'カードを動かさないでください。', // ours

  // §3 step 2 — certificate revoked or past its grace period
  certificateUnusable:
    '電子証明書が失効しています。マイナンバーカードを取り出し、受付窓口までお越しください。証明書の更新は、市区町村の窓口で手続きが必要です。', // SPEC

  // issue 15 — certificate notices written into the result document for the reception computer
  // (ProcessingResultMessage, shown as is by receipt software; SPEC §3 step 6)
  resultNoticeCertificateExpiringSoon: '電子証明書の有効期限が3か月以内に到来します。市区町村の窓口で更新手続きをご案内ください。', // ours
  resultNoticeCertificateGrace: '電子証明書の有効期限が切れています（猶予期間中）。資格情報のみ提供しています。', // ours

  // seed 003 — first-time registration
  registrationTitle: 'マイナンバーカードの健康保険証利用の申込み', // seed 003
  registrationQuestion: 'マイナンバーカードを健康保険証として利用する申込み（初回登録）を行いますか。', // ours
  buttonApply: '申し込む', // ours
  buttonNotApply: '申し込まない', // ours
  registrationDone: '健康保険証利用の申込みが完了しました。', // ours
  registrationDeclined: '申込みを行わなかったため、マイナンバーカードで資格確認ができませんでした。', // ours
  // seed 003: 「健康保険証利用の申込みは、マイナポータルから行う」; the reader offers it again next time.
  registrationLater: '申込みは、マイナポータル又は次回の受付時にこのカードリーダーで行えます。', // ours (seed 003)

  // §3 step 3 — method
  methodQuestion: '本人確認の方法を選んでください。', // SPEC
  methodNote: '本人確認の情報は、他の目的には使用しません。', // SPEC
  // A method screen without the PIN button says why (issue 16 bug).
  methodNoPinNotSet: 'このカードには暗証番号が設定されていません。', // ours (顔認証マイナンバーカード)
  methodNoPinLocked: '暗証番号はロックされているため使えません。', // ours
  // Kind ③ (seed 004): staff choose the identity check and read the result.
  authSelectTitle: '認証選択', // seed 004
  buttonAuthVisual: 'A：目視確認', // seed 004
  buttonAuthPin: 'B：４桁の暗証番号入力', // seed 004
  authSelectNote: '職員が本人確認の方法を選択してください。', // ours
  staffResultTitle: '資格確認結果', // seed 004 (資格確認結果画面)
  staffResultQualified: '資格：有効', // ours (SPEC §7 有効)
  buttonFace: '顔認証を行う', // SPEC
  buttonPin: '暗証番号を入力', // SPEC
  buttonQuit: '終了する', // SPEC

  // §3 step 4 — face
  faceLook: 'カメラの方を向いてください。', // ours
  faceFailed: '顔認証ができませんでした。', // ours
  faceCameraFailed: 'カメラが使用できません。', // ours
  faceCardPhoto: 'カードの顔写真を確認できませんでした。マイナンバーカードを置き直してください。', // ours (SPEC §5.1)
  faceChooseOther: '暗証番号の入力、または職員による目視確認をお選びください。', // ours
  faceChooseStaff: '職員による目視確認をお選びください。', // ours (no PIN on this card, or it is locked)
  faceHints: {
    'remove-mask': 'マスクを外してください', // SPEC
    'remove-cap': '帽子をお取りください', // SPEC
    'come-closer': 'もう少し近づいてください', // SPEC
    'move-back': 'もう少し離れてください', // ours
    'face-camera': '顔をカメラに向けてください', // ours
    backlight: '明るさが足りません。位置を少し変えてください', // ours (backlight)
    'glasses-glare': '眼鏡の反射があります。眼鏡を外してください', // ours
    'hold-still': 'そのまま動かないでください', // ours
    'hair-over-eyes': '前髪が目にかからないようにしてください', // ours
    'adjust-height': '画面の高さに顔を合わせてください', // ours (children, wheelchair users)
    'turn-left': 'ゆっくり左を向いてください', // ours (issue 14: head-turn challenge, the patient's left)
    'turn-right': 'ゆっくり右を向いてください', // ours (issue 14: head-turn challenge, the patient's right)
    'follow-turn': '画面の指示に合わせて、ゆっくり顔を向けてください', // ours (issue 14: retry after a challenge; the next direction is new)
  },

  // §3 step 5 — PIN
  pinPrompt: '暗証番号を入力してください。', // SPEC
  buttonCancel: 'キャンセル', // SPEC
  buttonBackspace: '訂正', // ours
  pinTriesLeft: (n: number) => `暗証番号の残り入力回数は${n}回です。`, // ours
  pinWrong: '暗証番号が違います。', // ours
  pinLocked:
    '暗証番号がロックされました。ロックの解除は市区町村の窓口で行ってください。受付窓口までお越しください。', // ours (SPEC §3 step 5)
  // A phone's PIN is the スマホ用電子証明書's own: the municipal office does not reset it; the card
  // still serves today, and the phone certificate is applied for again with the card (seed 001).
  pinLockedPhone:
    'スマホ用電子証明書の暗証番号がロックされました。本日はマイナンバーカードで受付できます。スマホ用電子証明書は、マイナンバーカードで改めて利用申請できます。', // ours (seed 001: 利用申請)
  checking: 'しばらくお待ちください。', // ours

  // §3 step 6 — certificate notices (seed 001)
  noticeExpiringSoon:
    '証明書の有効期限が3カ月以内となっています。市区町村の窓口で更新手続きをお願いします。', // SPEC
  noticeGrace:
    '電子証明書の有効期限が切れているため、資格情報のみ当機関に提供します。お早めに市区町村の窓口で電子証明書を更新してください。', // SPEC
  buttonNext: '次に進む', // SPEC

  // §3 step 8 — done
  doneName: (name: string) => `${name}様`, // SPEC
  doneComplete: '確認が完了しました。', // SPEC
  doneQualificationOnly: '電子証明書の失効確認ができなかったため、資格情報のみ当機関に提供しました。', // ours (seed 001 grace wording)
  doneRemoveCard: 'マイナンバーカードを取り出してください。', // SPEC
  doneEndRemoveCard: '終了する場合は、マイナンバーカードを取り出してください。', // seed 000 (現行, with the limit button)
  donePhone: 'スマートフォンをお取りください。', // ours
  cardLeftReminder: 'マイナンバーカードをお忘れではありませんか。', // ours

  // results that are not "qualified" (SPEC §3, §8)
  resultInvalid: '資格無効', // SPEC
  resultNoRecord: '資格情報なし', // SPEC
  goToCounter: '受付窓口までお越しください。', // ours (SPEC §3, §8)
  counterTrouble: '確認ができませんでした。', // ours
  counterOutcomeUnknown: '確認の結果を受け取れませんでした。', // ours (issue 11: the backend may hold it)
  timedOut: '一定時間操作がなかったため、最初に戻ります。', // ours

  // device states and outcomes the patient must be told (issue 11)
  readerPreparing: 'カードリーダーを準備しています。', // ours
  pleaseWait: 'しばらくお待ちください。', // ours
  backendUnreachable: '現在、資格確認システムに接続できません。受付窓口にお申し出ください。', // ours
  consentNotRegistered: '同意の内容は登録できませんでした。受付窓口にお申し出ください。', // ours
  consentRegistrationUnknown: '同意の内容が登録されたか確認できませんでした。受付窓口にお申し出ください。', // ours

  // §3.1 staff visual check
  staffPasscodePrompt: '目視確認用パスコードを入力してください', // SPEC
  buttonAbort: '中止', // SPEC
  buttonVisualCheck: '目視確認を行う', // SPEC
  staffConfirmNote: '患者様とマイナンバーカードの顔写真を見比べてから押してください。', // ours
  staffPasscodeWrong: 'パスコードが違います。', // ours
  staffPasscodeWait: 'しばらく待ってから入力してください。', // ours
  staffLocked: 'パスコードの誤りが続いたため、しばらく入力できません。', // ours
  buttonConsentFirst: '同意の取得を先に行う', // ours (SPEC §2 kind ②)
  visualModeOn: '目視確認モード', // seed 000
  terminalVisualWait: '職員が顔写真で本人確認を行います。', // ours (seed 000 p.27: the check is done at the terminal)

  // §3.2 smartphone
  phoneKindPrompt: 'スマートフォンの種類を選択してください。', // SPEC
  buttonAndroid: 'Android', // SPEC
  buttonIphone: 'iPhone', // SPEC
  phoneHoldAndroid: 'Androidスマートフォンをスマホ用カードリーダーにかざしてください。', // SPEC
  phoneHoldIphone:
    'iPhoneをマイナンバーカードが選択されている状態にしてスマホ用カードリーダーにかざしてください。', // SPEC
  phoneAgain: 'もう一度かざしてください。', // ours

  // §6 consent (seed 000, MHLW WG 2024-03-27)
  inheritTitle: '同意情報の引き継ぎ', // SPEC
  inheritHeading: '事前・前回の同意状況', // SPEC
  buttonInherit: '現在の同意状況を引き継ぐ', // SPEC
  buttonReselect: '選択し直す', // SPEC
  buttonBack: '戻る', // SPEC
  buttonViewPrevious: '現在の同意状況をみる', // SPEC (seed 000)
  consentMethodTitle: '同意方法の確認', // SPEC
  consentMethodQuestion: '過去の医療情報等の提供に同意しますか。', // SPEC
  buttonAgreeAll: '全て同意する', // SPEC
  buttonIndividual: '個別に同意する', // SPEC
  buttonAgree: '同意する', // SPEC
  buttonDecline: '同意しない', // SPEC
  // Seed 000 draws the mark as 〇 (U+3007 ideographic zero), not ○ (U+25CB): `・健診 〇`.
  yes: '〇', // seed 000
  no: '×', // SPEC
  /** Per category: title, question (seed 000 screens) and the bracket/list wording. */
  categories: {
    surgeryDiag: {
      title: '手術・傷病名・感染症', // SPEC
      question: '過去の手術情報・傷病名情報・感染症検査結果を当機関に提供することに同意しますか。', // seed 000
      bracket: '手術、傷病名、感染症', // SPEC
      inherit: '手術、傷病名、感染症検査結果', // seed 000
      inheritSeparator: '： ', // seed 000
    },
    surgeryOnly: {
      title: '手術', // SPEC
      question: '過去の手術情報を当機関に提供することに同意しますか。', // seed 000
      bracket: '手術', // seed 001
      inherit: '手術', // ours
      inheritSeparator: '： ', // seed 000
    },
    clinicalDiag: {
      title: '診療・お薬', // SPEC
      question:
        '過去の診療情報(感染症を除く検査結果、アレルギー等)・お薬情報を当機関に提供することに同意しますか。', // seed 000
      bracket: '診療、お薬', // SPEC
      inherit: '診療（感染症を除く検査結果、アレルギー等）、お薬', // seed 000
      inheritSeparator: '： ', // seed 000
    },
    clinicalNoDiag: {
      title: '診療・お薬', // seed 000 (button area); SPEC names the category 手術以外の診療・お薬
      question: '過去の手術以外の診療・お薬情報を当機関に提供することに同意しますか。', // seed 000
      bracket: '診療、お薬', // seed 001
      inherit: '手術以外の診療、お薬', // ours
      inheritSeparator: '： ', // seed 000
    },
    medication: {
      title: 'お薬', // SPEC
      question: '過去のお薬情報を当機関に提供することに同意しますか。', // seed 000
      bracket: 'お薬', // ours
      inherit: 'お薬', // ours
      inheritSeparator: '： ', // seed 000
    },
    checkup: {
      title: '健診', // SPEC
      question: '過去の健診情報を当機関に提供することに同意しますか。', // seed 000
      bracket: '健診', // SPEC
      inherit: '健診', // seed 000
      // Seed 000's list has `・健診 〇` with a space, the other items `…： 〇` with a colon.
      inheritSeparator: ' ', // seed 000
    },
  },
  referralTitle: '診療情報提供書', // SPEC
  referralPrompt: (index: number, count: number) => `提出する紹介状をすべて選択してください。${index}/${count}`, // SPEC
  referralLetter: (issuedOn: string, issuer: string, department: string) => `発行日 ${issuedOn} ${issuer} ${department}`, // SPEC
  buttonNextPage: '次ページへ', // SPEC
  buttonPrevPage: '前ページへ', // ours (the counterpart of 次ページへ)
  selected: '■', // ours
  unselected: '□', // ours

  // §6 step 6 — legacy limit screen
  limitTitle: '高額療養費制度を利用する方はこちら', // SPEC
  limitQuestion: '限度額情報を提供しますか。', // SPEC
  buttonProvide: '提供する', // SPEC
  buttonNotProvide: '提供しない', // SPEC

  // SPEC §8 (seeds 001, 002) — staff guidance when the card cannot confirm the patient
  // (src/session/staff-guidance.ts decides it; rendered by src/ui/text/staff-guidance.ts).
  guidanceTitle: 'マイナ保険証で受付が出来ない場合の資格確認方法', // seed 001 (title of its section)
  guidanceCause: {
    backend: 'ネットワークエラー', // seed 001 (機器トラブル等)
    'backend-outcome-unknown': '確認の結果を受け取れませんでした。受付端末で受付結果を確認してから、もう一度確認してください。', // ours (issue 11)
    'card-read': {
      'reader-error': '顔認証付きカードリーダーが起動しない', // seed 001
      'broken-chip': '患者が携行しているマイナンバーカードのICチップの破損', // seed 001
      unreadable: 'マイナンバーカードを読み取れませんでした。', // ours
      'not-my-number-card': 'マイナンバーカードではないカードが置かれました。', // ours
      removed: 'マイナンバーカードが読み取り中に取り出されました。', // ours
    },
    camera: '顔認証ができない', // seed 001
    'face-impossible': '顔認証ができない', // seed 001
    'certificate-revoked': '電子証明書が失効しています。', // seed 001
    'certificate-expired': 'マイナンバーカードの電子証明書の有効期間満了日の属する月の末日から3ヶ月を過ぎており資格確認できない', // seed 001
    'pin-locked': '暗証番号入力不可', // seed 001 (目視確認モード)
    'pin-locked-phone': 'スマホ用電子証明書の暗証番号がロックされました。', // ours
    qualification: { invalid: '資格無効', 'no-record': '資格情報なし' }, // seed 001, 002
    'insurance-registration': '健康保険証利用の申込みができませんでした。', // ours
    'registration-declined': '健康保険証利用登録を行っていない方', // seed 001 (資格確認書 交付対象者)
    'card-data-forged': 'カードの券面事項データが発行者の署名と一致しません（改ざんの疑い）。', // ours (SPEC §5.1)
    'card-data-cloned': 'カードのICチップの鍵が券面事項データと一致しません（複製の疑い）。', // ours (SPEC §5.1)
  },
  guidanceStep: {
    'card-on-reader': 'マイナンバーカードで受付を行う', // ours (seed 001)
    'visual-check-on-reader': '目視確認モード（職員用ボタン）で本人確認を行う', // ours (seed 001: 顔認証失敗・暗証番号入力不可)
    'mobile-terminal': 'オンライン資格確認（居宅同意取得型）を利用してモバイル端末で資格確認を行う', // ours (seed 001)
    'qualification-certificate': '資格確認書で資格確認を行う', // ours (seeds 001, 002)
    'past-visit-records': '再診の場合は過去の受診情報で、', // seed 002
    'self-declaration-form': '初診の場合は患者に申立書を記載いただきまして、', // seed 002
  },
  // Seed 002's table: the two options of マイナ保険証 when the card could not confirm (①, ② of seed 001 P9).
  guidanceMynaportal: 'マイナポータル画面（PDF含む） +マイナンバーカード', // seed 002
  guidanceNoticeSheet: '資格情報のお知らせ +マイナンバーカード', // seed 002
  guidanceSelfDeclarationForm: '被保険者資格申立書', // seed 002
  guidanceFirstClaim: '①、②で確認した被保険者番号等を入力して、レセプト請求を行ってください。', // seed 001
  guidanceClaimIntro: '以下のA→B→Cの順に可能な方法を選択して、レセプト請求をしてください。', // seed 001
  guidanceClaim: {
    A: 'A) 患者からの聞き取りや過去の受診歴等から確認できた「現在」の被保険者番号等を入力する', // seed 001
    B: 'B) オンライン資格確認における「資格（無効）」画面や過去の受診歴等から確認できた「過去」の被保険者番号等を入力する', // seed 001
    BLost: '（資格無効の場合には、喪失した「旧資格情報」で請求してください）', // seed 001
    C: 'C) 被保険者資格申立書に記載された患者の住所・連絡先等を摘要欄に記載の上、被保険者番号等は、不詳として「７」を必要な桁数分入力する', // seed 001
    CUnknown: '（資格情報なしの場合には、「不詳レセプト」として請求してください）', // seed 001
  },
  guidanceFollowUp: {
    'renew-certificate-at-municipal-office': '証明書の更新は、市区町村の窓口で手続きが必要です。', // seed 001
    'reset-pin-at-municipal-office': '暗証番号のロックの解除は、市区町村の窓口で行えます。', // ours (SPEC §3 step 5)
    'register-insurance-use': '申込みは、マイナポータル又は次回の受付時にこのカードリーダーで行えます。', // ours (seed 003)
    'reapply-phone-certificate': 'スマホ用電子証明書は、マイナンバーカードで改めて利用申請できます。', // ours (seed 001: スマホ用電子証明書の利用申請)
  },

  /** The countdown drawn where a timeout runs (SPEC §3, issue 4 §2); for the panel's `countdownLabel`. */
  countdown: (seconds: number) => `残り${seconds}秒`, // ours

  keys: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
} as const;

/** English wording of the staff-only screens (config `staff.language: en`, SPEC §3). */
export const enStaff = {
  staffPasscodePrompt: 'Enter the visual-check passcode',
  buttonAbort: 'Abort',
  buttonVisualCheck: 'Visual check done',
  staffConfirmNote: 'Compare the patient with the photo on the card, then press.',
  staffPasscodeWrong: 'Wrong passcode.',
  staffPasscodeWait: 'Please wait before trying again.',
  staffLocked: 'Too many wrong passcodes: entry is locked for a while.',
  buttonConsentFirst: 'Take consent first',
  buttonBackspace: 'Delete',
} as const;
