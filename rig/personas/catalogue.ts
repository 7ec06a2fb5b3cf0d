/**
 * The test personas of the rig: who is on each virtual card, what state their card and
 * certificate are in, and what the eligibility backend simulator knows about them.
 *
 * This is the single source both the card emulator and the backend simulator read, so a fresh rig
 * needs no setup (issue 2 §2, issue 3 §3). Everything here is fictional test data. Certificate
 * dates are relative to "now" so the rig stays meaningful on any day; the rules they exercise are
 * SPEC §4 (3-month notice, grace to the last day of the month three months after expiry).
 */

export type PersonaName =
  | 'valid'
  | 'expiring-soon'
  | 'expired-grace'
  | 'expired-past-grace'
  | 'revoked'
  | 'pin-one-try'
  | 'pin-locked'
  | 'face-only'
  | 'unregistered'
  | 'android'
  | 'iphone'
  | 'qualification-invalid'
  | 'no-record'
  | 'forged-photo'
  | 'cloned-files'
  | 'unknown-issuer'
  | 'code-b-low'
  | 'foreign-resident'
  | 'next-generation';

export type Sex = 'male' | 'female';

/** How the credential is carried: a plastic card, or a smartphone's certificate (SPEC §3.2). */
export type CredentialCarrier = 'card' | 'android' | 'iphone';

/** What the backend simulator answers for this person (SPEC §3 results, issue 3). */
export type QualificationOutcome = 'qualified' | 'invalid' | 'no-record';

export interface PersonRecord {
  /**
   * The name as printed on the card: family and given name in kanji separated by a full-width
   * space, or (a foreign resident) in Latin capitals as registered.
   */
  nameKanji: string;
  nameKana: string;
  /** Romaji as the next-generation card prints it under the name. */
  nameRomaji?: string;
  /** ISO date (Gregorian), e.g. `1958-04-01`. */
  birthDate: string;
  sex: Sex;
  address: string;
}

export interface CertificateWindow {
  /** Days from now to notBefore (negative = in the past). */
  notBeforeDays: number;
  /** Days from now to notAfter (negative = already expired). */
  notAfterDays: number;
}

export interface Persona {
  name: PersonaName;
  /** One line for `--help` and the README. */
  summary: string;
  carrier: CredentialCarrier;
  /** vpcd slot the rig puts it on: 0 = card reader, 1 = smartphone reader (SPEC §1 table). */
  slot: 0 | 1;
  person: PersonRecord;
  /** User-authentication certificate validity (利用者証明用電子証明書). */
  userAuthCertificate: CertificateWindow;
  /** Listed as revoked by the backend (lost/stolen card suspended): overrides dates (SPEC §4). */
  revoked: boolean;
  /**
   * User-authentication PIN state. `pinSet: false` is the face-only card (顔認証マイナンバーカード):
   * no PIN exists, so PIN authentication must not be offered.
   */
  pinSet: boolean;
  /** Tries left on the user-authentication PIN at card power-up (3 = fresh, 0 = locked). */
  pinTriesLeft: number;
  /** Registered for use as health-insurance card (健康保険証利用の申込み, seed 003). */
  registeredForInsurance: boolean;
  qualification: QualificationOutcome;
  /** 4-digit security code printed under the photo (card face, SPEC §5.1). */
  securityCode: string;
  /** Card body expiry (Gregorian ISO date) printed as `YYYY年 M月 D日まで有効`. */
  cardExpiry: string;
  /** 照合番号B tries left at power-up (10 = fresh; SPEC §5.1). Absent = 10. */
  codeBTriesLeft?: number;
  /** Card-face application attack this persona's card carries (absent = genuine). */
  cardFaceAttack?: CardFaceAttack;
  /** The printed design of the card (README "Card designs"; absent = `current`). */
  cardDesign?: CardDesign;
}

/**
 * The printed designs the reader handles (issue 13): the current card (birth date in the
 * Japanese era, 性別), the current card of a foreign resident (Western birth date, Latin name) and
 * the next-generation card announced for 2026 (Western birth date, no sex, furigana and romaji,
 * 「日本国 JAPAN」, another layout). Its chip is assumed to keep the current card's applications.
 */
export type CardDesign = 'current' | 'current-foreign' | 'next';

/** Attacks on the card-face application the reader must stop (issue 7 §1, SPEC §5.1). */
export type CardFaceAttack = 'forged-photo' | 'cloned-files' | 'unknown-issuer';

/** Default user-authentication PIN of every persona unless `--pin` overrides it. */
export const DEFAULT_PIN = '1234';

const base = {
  carrier: 'card' as CredentialCarrier,
  slot: 0 as 0 | 1,
  userAuthCertificate: { notBeforeDays: -400, notAfterDays: 3 * 365 },
  revoked: false,
  pinSet: true,
  pinTriesLeft: 3,
  registeredForInsurance: true,
  qualification: 'qualified' as QualificationOutcome,
  cardExpiry: '2032-04-01',
};

export const personas: readonly Persona[] = [
  {
    ...base,
    name: 'valid',
    summary: 'everything in order',
    person: { nameKanji: '山田　太郎', nameKana: 'ヤマダ　タロウ', birthDate: '1958-04-01', sex: 'male', address: '東京都千代田区霞が関１－２－２' },
    securityCode: '4821',
  },
  {
    ...base,
    name: 'expiring-soon',
    summary: 'user-auth certificate ends in 45 days (renewal notice)',
    userAuthCertificate: { notBeforeDays: -1780, notAfterDays: 45 },
    person: { nameKanji: '佐藤　花子', nameKana: 'サトウ　ハナコ', birthDate: '1972-11-30', sex: 'female', address: '大阪府大阪市北区梅田１－１－１' },
    securityCode: '1907',
    cardExpiry: '2027-11-30',
  },
  {
    ...base,
    name: 'expired-grace',
    summary: 'certificate expired 20 days ago, inside the grace period (qualification only)',
    userAuthCertificate: { notBeforeDays: -1845, notAfterDays: -20 },
    person: { nameKanji: '鈴木　一郎', nameKana: 'スズキ　イチロウ', birthDate: '1949-02-28', sex: 'male', address: '愛知県名古屋市中区三の丸３－１－１' },
    securityCode: '3355',
    cardExpiry: '2030-02-28',
  },
  {
    ...base,
    name: 'expired-past-grace',
    summary: 'certificate expired 200 days ago, past the grace period (not usable)',
    userAuthCertificate: { notBeforeDays: -2025, notAfterDays: -200 },
    person: { nameKanji: '高橋　美咲', nameKana: 'タカハシ　ミサキ', birthDate: '1990-07-07', sex: 'female', address: '福岡県福岡市中央区天神１－８－１' },
    securityCode: '6012',
    cardExpiry: '2030-07-07',
  },
  {
    ...base,
    name: 'revoked',
    summary: 'certificate suspended (card reported lost): refused whatever its dates',
    revoked: true,
    person: { nameKanji: '田中　健二', nameKana: 'タナカ　ケンジ', birthDate: '1965-12-31', sex: 'male', address: '北海道札幌市中央区北１条西２丁目' },
    securityCode: '7788',
  },
  {
    ...base,
    name: 'pin-one-try',
    summary: 'user-auth PIN has 1 try left',
    pinTriesLeft: 1,
    person: { nameKanji: '伊藤　さくら', nameKana: 'イトウ　サクラ', birthDate: '2001-03-15', sex: 'female', address: '宮城県仙台市青葉区本町３－８－１' },
    securityCode: '2468',
  },
  {
    ...base,
    name: 'pin-locked',
    summary: 'user-auth PIN locked (0 tries left)',
    pinTriesLeft: 0,
    person: { nameKanji: '渡辺　浩', nameKana: 'ワタナベ　ヒロシ', birthDate: '1944-08-15', sex: 'male', address: '広島県広島市中区基町１０－５２' },
    securityCode: '1357',
  },
  {
    ...base,
    name: 'face-only',
    summary: 'face-authentication card: no PIN set (face or staff check only)',
    pinSet: false,
    person: { nameKanji: '中村　ゆき', nameKana: 'ナカムラ　ユキ', birthDate: '1936-01-09', sex: 'female', address: '京都府京都市上京区下立売通新町西入' },
    securityCode: '9051',
  },
  {
    ...base,
    name: 'unregistered',
    summary: 'not yet registered for health-insurance use (first-time registration)',
    registeredForInsurance: false,
    person: { nameKanji: '小林　翔太', nameKana: 'コバヤシ　ショウタ', birthDate: '2010-05-05', sex: 'male', address: '神奈川県横浜市中区日本大通１' },
    securityCode: '5520',
    cardExpiry: '2029-05-05',
  },
  {
    ...base,
    name: 'android',
    summary: 'smartphone certificate on an Android phone (slot 1)',
    carrier: 'android',
    slot: 1,
    person: { nameKanji: '加藤　真由美', nameKana: 'カトウ　マユミ', birthDate: '1985-09-20', sex: 'female', address: '埼玉県さいたま市浦和区高砂３－１５－１' },
    securityCode: '8024',
  },
  {
    ...base,
    name: 'iphone',
    summary: 'smartphone certificate on an iPhone (slot 1; biometric on the phone)',
    carrier: 'iphone',
    slot: 1,
    person: { nameKanji: '吉田　大輔', nameKana: 'ヨシダ　ダイスケ', birthDate: '1979-06-30', sex: 'male', address: '千葉県千葉市中央区市場町１－１' },
    securityCode: '3141',
  },
  {
    ...base,
    name: 'qualification-invalid',
    summary: 'backend answers 資格無効 (lost qualification after a change of insurer)',
    qualification: 'invalid',
    person: { nameKanji: '山本　直樹', nameKana: 'ヤマモト　ナオキ', birthDate: '1988-10-10', sex: 'male', address: '兵庫県神戸市中央区下山手通５－１０－１' },
    securityCode: '4040',
  },
  {
    ...base,
    name: 'no-record',
    summary: 'backend answers 資格情報なし (no qualification on record)',
    qualification: 'no-record',
    person: { nameKanji: '松本　由香', nameKana: 'マツモト　ユカ', birthDate: '1995-02-14', sex: 'female', address: '静岡県静岡市葵区追手町９－６' },
    securityCode: '1212',
  },
  {
    ...base,
    name: 'forged-photo',
    summary: 'card-face attack: photo (DF27) swapped after the issuer signed EF 0002',
    cardFaceAttack: 'forged-photo',
    person: { nameKanji: '井上　誠', nameKana: 'イノウエ　マコト', birthDate: '1983-01-31', sex: 'male', address: '新潟県新潟市中央区新光町４－１' },
    securityCode: '6305',
    cardExpiry: '2031-01-31',
  },
  {
    ...base,
    name: 'cloned-files',
    summary: 'card-face attack: genuine signed files copied onto a chip with another key',
    cardFaceAttack: 'cloned-files',
    person: { nameKanji: '木村　恵子', nameKana: 'キムラ　ケイコ', birthDate: '1968-09-09', sex: 'female', address: '石川県金沢市鞍月１－１' },
    securityCode: '2719',
    cardExpiry: '2028-09-09',
  },
  {
    ...base,
    name: 'unknown-issuer',
    summary: 'card-face attack: EF 0002 signed by an issuer no trust anchor certifies',
    cardFaceAttack: 'unknown-issuer',
    person: { nameKanji: '林　孝之', nameKana: 'ハヤシ　タカユキ', birthDate: '1975-12-01', sex: 'male', address: '岡山県岡山市北区内山下２－４－６' },
    securityCode: '8460',
    cardExpiry: '2033-12-01',
  },
  {
    ...base,
    name: 'code-b-low',
    summary: '照合番号B has 3 tries left: the reader must never present it',
    codeBTriesLeft: 3,
    person: { nameKanji: '清水　和子', nameKana: 'シミズ　カズコ', birthDate: '1927-06-10', sex: 'female', address: '長野県長野市大字南長野字幅下６９２－２' },
    securityCode: '0587',
    cardExpiry: '2029-06-10',
  },
  {
    ...base,
    name: 'foreign-resident',
    summary: "a foreign resident's current card: Latin name, birth date in the Western calendar",
    cardDesign: 'current-foreign',
    person: { nameKanji: 'NGUYEN THI LAN', nameKana: 'グエン　ティ　ラン', birthDate: '1992-10-03', sex: 'female', address: '大阪府大阪市浪速区難波中２－１０－７０' },
    securityCode: '3918',
    cardExpiry: '2031-10-03',
  },
  {
    ...base,
    name: 'next-generation',
    summary: 'the next-generation card (2026 design): furigana and romaji, Western birth date, no sex printed',
    cardDesign: 'next',
    person: { nameKanji: '森田　智子', nameKana: 'モリタ　トモコ', nameRomaji: 'MORITA TOMOKO', birthDate: '1979-12-31', sex: 'female', address: '愛媛県松山市一番町４－４－２' },
    securityCode: '6274',
    cardExpiry: '2036-12-31',
  },
];

export function findPersona(name: string): Persona | undefined {
  return personas.find((p) => p.name === name);
}

export function personaNames(): PersonaName[] {
  return personas.map((p) => p.name);
}
