/**
 * The reader's side of the eligibility-backend protocol (issue 3 §1, docs/backend-protocol.md):
 * JSON over HTTPS with mutual TLS. Every request and answer has a zod schema here; the client
 * validates every answer before use and the simulator validates every request, so an unknown or
 * missing field is a typed error, never a half-filled screen.
 *
 * Field names are ours (English, domain words). Where the national confirmation-result XML has an
 * element for a field, `oqs-xml-mapping.ts` — and only that module — knows its name and codes.
 * Dates are ISO `YYYY-MM-DD` (the XML uses `yyyyMMdd`), times ISO 8601 UTC.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Building blocks

const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime();
const base64 = z.base64();
const digits = (min: number, max: number) => z.string().regex(new RegExp(`^[0-9]{${min},${max}}$`));

/** 医療機関コード: 10 digits (2 prefecture + 1 point-table + 7 institution). */
export const facilityCodeSchema = digits(10, 10);
export const deviceIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
/** Client-chosen, unique per logical request; a retry reuses it (RFC-draft Idempotency-Key style). */
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

// ---------------------------------------------------------------------------------------------
// Nonces (single-use, short-lived: the PIN / smartphone proof signs one)

export const nonceRequestSchema = z.strictObject({
  facilityCode: facilityCodeSchema,
  deviceId: deviceIdSchema,
  /** Lets the client retry a lost answer and get the same nonce back. */
  idempotencyKey: idempotencyKeySchema,
});
export type NonceRequest = z.infer<typeof nonceRequestSchema>;

export const nonceResponseSchema = z.strictObject({
  /** 32 random bytes, base64. */
  nonce: base64,
  expiresAt: isoDateTime,
});
export type NonceResponse = z.infer<typeof nonceResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Proof of holdership (SPEC §3 steps 4–5, §3.1, §3.2)

/**
 * Serial (hex, either case, as X509Certificate.serialNumber gives it) of the user-authentication
 * certificate read in the same session as the proof. Every proof carries it and the backend
 * refuses a proof whose serial is not the certificate's (issue 11: a proof made for one card can
 * never confirm another patient).
 */
export const certificateSerialSchema = z.string().regex(/^[0-9A-Fa-f]{1,64}$/);

/** The card's PKCS#1 v1.5 SHA-256 signature (user-authentication key) over the nonce bytes. */
export const pinProofSchema = z.strictObject({
  method: z.literal('pin'),
  nonce: base64,
  signature: base64,
  certificateSerial: certificateSerialSchema,
});

/**
 * Face match done on the device: a statement signed by the device key (the TLS client key), so
 * the backend knows which device vouches for the score. `statement` is the canonical JSON of
 * {@link FaceStatement}; `signature` is over its UTF-8 bytes (SHA-256, the device key's scheme).
 */
export const faceStatementSchema = z.strictObject({
  method: z.literal('face'),
  nonce: base64,
  /** Match score in [0, 1] of the live face against the card photo. */
  score: z.number().min(0).max(1),
  liveness: z.strictObject({ passed: z.boolean(), score: z.number().min(0).max(1) }),
  /** Serial of the user-auth certificate matched against (see certificateSerialSchema). */
  certificateSerial: certificateSerialSchema,
  deviceId: deviceIdSchema,
});
export type FaceStatement = z.infer<typeof faceStatementSchema>;

export const faceProofSchema = z.strictObject({
  method: z.literal('face'),
  statement: z.string().min(2).max(4096),
  signature: base64,
});

/** Staff visual check (目視確認, SPEC §3.1): the passcode was checked on the device. */
export const visualProofSchema = z.strictObject({
  method: z.literal('visual'),
  staffId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  passcodeChecked: z.literal(true),
  /** `panel` = staff button flow; `terminal` = the older remote mode switch. */
  trigger: z.enum(['panel', 'terminal']),
  certificateSerial: certificateSerialSchema,
});

/** Smartphone certificate (スマホ用電子証明書, SPEC §3.2): the phone signs the nonce. */
export const smartphoneProofSchema = z.strictObject({
  method: z.literal('smartphone'),
  platform: z.enum(['android', 'iphone']),
  nonce: base64,
  signature: base64,
  certificateSerial: certificateSerialSchema,
});

export const proofSchema = z.discriminatedUnion('method', [
  pinProofSchema,
  faceProofSchema,
  visualProofSchema,
  smartphoneProofSchema,
]);
export type Proof = z.infer<typeof proofSchema>;
export type IdentityMethod = Proof['method'];
export const identityMethods = ['face', 'pin', 'visual', 'smartphone'] as const;

// ---------------------------------------------------------------------------------------------
// Consents (SPEC §6)

/** Consent categories a facility may acquire (SPEC §6); referral letters are chosen by id. */
export const consentCategories = [
  'surgeryDiagnosisInfection',
  'clinicalAndMedication',
  'medicationOnly',
  'healthCheckups',
] as const;
export type ConsentCategory = (typeof consentCategories)[number];

export const consentSetSchema = z.strictObject({
  /** 手術・傷病名・感染症 (or 手術 alone where diagnoses are not set up). */
  surgeryDiagnosisInfection: z.boolean(),
  /** 診療・お薬 (or 手術以外の診療・お薬). */
  clinicalAndMedication: z.boolean(),
  /** お薬 only — asked when 診療・お薬 was declined. */
  medicationOnly: z.boolean(),
  /** 健診 (specified health check-ups). */
  healthCheckups: z.boolean(),
  /** 診療情報提供書: ids of the referral letters the patient chose to submit. */
  referralLetterIds: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/)).max(200),
});
export type ConsentSet = z.infer<typeof consentSetSchema>;

export const consentsSchema = z.strictObject({
  /** How consent was given: one screen (`全て同意する`), per category, inherited, or none asked. */
  mode: z.enum(['comprehensive', 'individual', 'inherited', 'not-asked']),
  given: consentSetSchema,
  /**
   * 限度額情報: provided without a consent screen since 2024-10-07 (SPEC §6.6). `false` only when
   * the facility enabled the old screen and the patient chose `提供しない`.
   */
  limitInfo: z.boolean(),
});
export type Consents = z.infer<typeof consentsSchema>;

// ---------------------------------------------------------------------------------------------
// Confirmation request

export const confirmationRequestSchema = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  facilityCode: facilityCodeSchema,
  deviceId: deviceIdSchema,
  idempotencyKey: idempotencyKeySchema,
  /** Kind of confirmation (SPEC §2): ① standard, ② home/remote consent, ③ qualification only. */
  confirmationKind: z.enum(['standard', 'home-consent', 'qualification-only']),
  /** The user-authentication certificate (DER, base64) read from the card or phone. */
  userAuthCertificate: base64,
  proof: proofSchema,
  /** Absent for qualification-only, for grace-period certificates, and when the flow sends them later. */
  consents: consentsSchema.optional(),
});
export type ConfirmationRequest = z.infer<typeof confirmationRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Qualification (the fields of ResultOfQualificationConfirmation we use; see oqs-xml-mapping.ts)

export const limitCategorySchema = z.strictObject({
  /** 限度額適用認定証区分: 01 限度額適用, 02 限度額適用・標準負担額減額, 03 標準負担額減額. */
  certificateClass: z.enum(['01', '02', '03']),
  /** 限度額適用認定証適用区分 (A01 ア … B10 一般Ⅰ). */
  category: z.enum([
    'A01', 'A02', 'A03', 'A04', 'A05', 'A06',
    'B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B09', 'B10',
  ]),
  issuedOn: isoDate.optional(),
  validFrom: isoDate,
  validUntil: isoDate.optional(),
  /** 長期入院該当年月日. */
  longTermCareSince: isoDate.optional(),
});
export type LimitCategory = z.infer<typeof limitCategorySchema>;

export const elderlyRecipientSchema = z.strictObject({
  issuedOn: isoDate.optional(),
  validFrom: isoDate,
  validUntil: isoDate.optional(),
  /** Percent: 10, 20 or 30. */
  burdenPercent: z.union([z.literal(10), z.literal(20), z.literal(30)]),
});

export const specifiedDiseaseSchema = z.strictObject({
  /** 特定疾病療養受療証認定疾病区分: 1 透析, 2 血友病, 3 HIV (血液凝固因子製剤). */
  category: z.enum(['1', '2', '3']),
  issuedOn: isoDate.optional(),
  validFrom: isoDate,
  validUntil: isoDate.optional(),
  /** 自己負担限度額, yen per month. */
  selfPayLimitYen: z.number().int().nonnegative(),
});

/** Public-subsidy recipient certificate integrated into the card (公費負担医療受給者証). */
export const publicSubsidySchema = z.strictObject({
  /** 公費負担者番号 (8 digits). */
  payerNumber: digits(8, 8),
  /** 公費負担医療の受給者番号 (7 digits). */
  recipientNumber: digits(7, 7),
  validFrom: isoDate,
  validUntil: isoDate.optional(),
});

export const qualificationSchema = z.strictObject({
  /** 被保険者証区分. */
  insuredCardClassification: z.enum(['01', '02', '03', '04', '05', '06', '07']),
  /** 保険者番号: 6 digits (国保) or 8 digits. */
  insurerNumber: z.string().regex(/^([0-9]{6}|[0-9]{8})$/),
  insurerName: z.string().min(1).max(80),
  /** 被保険者証記号 (may be absent, e.g. 後期高齢者). */
  cardSymbol: z.string().min(1).max(40).optional(),
  /** 被保険者証番号. */
  cardNumber: z.string().min(1).max(40),
  /** 被保険者証枝番: 2 digits (a string — leading zero matters). */
  branchNumber: digits(2, 2).optional(),
  /** 本人・家族の別. */
  personalFamily: z.enum(['insured', 'dependent']),
  name: z.string().min(1).max(100),
  nameKana: z.string().min(1).max(100),
  birthDate: isoDate,
  sex: z.enum(['male', 'female', 'unset']),
  /** 一部負担金割合, percent (XML: "010"/"020"/"030"). */
  burdenPercent: z.union([z.literal(0), z.literal(10), z.literal(20), z.literal(30)]),
  /** 資格取得年月日. */
  qualificationStart: isoDate,
  /** 資格喪失年月日 (present on a lost qualification). */
  qualificationEnd: isoDate.optional(),
  /** 被保険者証交付年月日. */
  cardIssuedOn: isoDate.optional(),
  /** 被保険者証有効開始年月日 (receipt software needs it to register the insurance). */
  cardValidFrom: isoDate.optional(),
  /** 被保険者証有効終了年月日. */
  cardValidUntil: isoDate.optional(),
  /** 住所 as notified to the insurer (may differ from the facility's chart). */
  address: z.string().min(1).max(200).optional(),
  /** 郵便番号 `NNN-NNNN`. */
  postNumber: z.string().regex(/^[0-9]{3}-[0-9]{4}$/).optional(),
  preschool: z.boolean(),
  /** Provided without a consent screen since 2024-10-07 (SPEC §6.6), unless the facility's old screen said no. */
  limitCategory: limitCategorySchema.optional(),
  elderlyRecipient: elderlyRecipientSchema.optional(),
  /** Only when qualification was confirmed with the card, not the smartphone (SPEC §6.6). */
  specifiedDiseases: z.array(specifiedDiseaseSchema).max(10),
  publicSubsidies: z.array(publicSubsidySchema).max(10),
  /** The facility's patient-card number (診察券番号) where the facility linked it. */
  facilityPatientId: z.string().min(1).max(40).optional(),
});
export type Qualification = z.infer<typeof qualificationSchema>;

/** 資格喪失事由 on a lost qualification (claim route B). */
export const lostQualificationSchema = z.strictObject({
  qualification: qualificationSchema,
  reasonOfLoss: z.enum(['death', 'public-assistance', 'new-insurance', 'other']),
});
export type LostQualification = z.infer<typeof lostQualificationSchema>;

// ---------------------------------------------------------------------------------------------
// Consent inheritance and referral letters (SPEC §6.1, §6.4)

export const previousConsentSchema = z.strictObject({
  source: z.enum(['previous-visit', 'mynaportal']),
  /** When it was given or set. */
  at: isoDateTime,
  given: consentSetSchema.omit({ referralLetterIds: true }),
});
export type PreviousConsent = z.infer<typeof previousConsentSchema>;

export const referralLetterSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  issuedOn: isoDate,
  issuerName: z.string().min(1).max(80),
  department: z.string().min(1).max(40),
});
export type ReferralLetter = z.infer<typeof referralLetterSchema>;

// ---------------------------------------------------------------------------------------------
// Certificate status and notices (SPEC §4)

export const certificateStatusSchema = z.strictObject({
  /** From the backend's revocation list; `revoked` overrides the dates (SPEC §4). */
  revocation: z.enum(['good', 'revoked']),
  notAfter: isoDate,
  /** SPEC §4 as the backend judged it on `receivedAt`. */
  usability: z.enum(['usable', 'expiring-soon', 'grace-qualification-only', 'past-grace', 'revoked']),
});
export type CertificateStatus = z.infer<typeof certificateStatusSchema>;

export const noticeSchema = z.enum([
  /** SPEC §3 step 6: expiry within 3 months. */
  'certificate-expiring-soon',
  /** SPEC §3 step 6: expired, inside grace: qualification only, no medical-info consent. */
  'certificate-grace-qualification-only',
  /** The card is not registered for insurance use (seed 003). */
  'not-registered-for-insurance',
  /** Consents were not recorded (qualification-only kind or grace period). */
  'consents-not-recorded',
]);
export type Notice = z.infer<typeof noticeSchema>;

// SPEC §8 staff guidance is not the backend's: the reader decides what staff are told
// (src/session/staff-guidance.ts, issue 16 item 6), so no answer carries any.

// ---------------------------------------------------------------------------------------------
// Certificate check: right after the card is read, before the patient proves anything (SPEC §3
// step 2, §4): is the certificate revoked (lost/stolen card suspended 24/365), how usable is it,
// and is the card registered for insurance use (seed 003)? Releases no qualification.

export const certificateCheckRequestSchema = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  facilityCode: facilityCodeSchema,
  deviceId: deviceIdSchema,
  userAuthCertificate: base64,
});
export type CertificateCheckRequest = z.infer<typeof certificateCheckRequestSchema>;

export const certificateCheckResponseSchema = z.strictObject({
  certificate: certificateStatusSchema,
  insuranceUseRegistered: z.boolean(),
});
export type CertificateCheckResponse = z.infer<typeof certificateCheckResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Confirmation response: discriminated on `status`

const responseCommon = {
  protocolVersion: z.literal(PROTOCOL_VERSION),
  /** Reception number in arrival order (受付順), also the record's `seq`. */
  receptionSeq: z.number().int().positive(),
  receivedAt: isoDateTime,
  identityMethod: z.enum(identityMethods),
  certificate: certificateStatusSchema,
  notices: z.array(noticeSchema).max(10),
};

export const qualifiedResponseSchema = z.strictObject({
  ...responseCommon,
  status: z.literal('qualified'),
  qualification: qualificationSchema,
  /** Previous consent at this facility, then Mynaportal settings (consent inheritance). */
  previousConsents: z.array(previousConsentSchema).max(2),
  /** Letters addressed to this facility and not yet consented (paged on the panel). */
  referralLetters: z.array(referralLetterSchema).max(200),
  /** What was recorded: the request's consents, or absent when none were sent/allowed. */
  consentsRecorded: consentsSchema.optional(),
});

export const invalidResponseSchema = z.strictObject({
  ...responseCommon,
  status: z.literal('invalid'),
  /** The lost qualification, for claim route B. */
  lostQualification: lostQualificationSchema,
});

export const noRecordResponseSchema = z.strictObject({
  ...responseCommon,
  status: z.literal('no-record'),
});

/** The certificate cannot be used (revoked, or past grace): no qualification is released. */
export const certificateRefusedResponseSchema = z.strictObject({
  ...responseCommon,
  status: z.literal('certificate-refused'),
});

export const confirmationResponseSchema = z.discriminatedUnion('status', [
  qualifiedResponseSchema,
  invalidResponseSchema,
  noRecordResponseSchema,
  certificateRefusedResponseSchema,
]);
export type ConfirmationResponse = z.infer<typeof confirmationResponseSchema>;
export type ConfirmationStatus = ConfirmationResponse['status'];

// ---------------------------------------------------------------------------------------------
// Consent registration (consents decided after the result, e.g. kind ① screens after the answer)

export const consentRegistrationSchema = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  facilityCode: facilityCodeSchema,
  deviceId: deviceIdSchema,
  idempotencyKey: idempotencyKeySchema,
  /** The confirmation these consents belong to. */
  receptionSeq: z.number().int().positive(),
  consents: consentsSchema,
});
export type ConsentRegistration = z.infer<typeof consentRegistrationSchema>;

export const consentRegistrationResponseSchema = z.strictObject({
  receptionSeq: z.number().int().positive(),
  recordedAt: isoDateTime,
  consentsRecorded: consentsSchema,
});
export type ConsentRegistrationResponse = z.infer<typeof consentRegistrationResponseSchema>;

// ---------------------------------------------------------------------------------------------
// First-time insurance-use registration (健康保険証利用の申込み, seed 003)

export const insuranceUseRegistrationSchema = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  facilityCode: facilityCodeSchema,
  deviceId: deviceIdSchema,
  idempotencyKey: idempotencyKeySchema,
  userAuthCertificate: base64,
  /** Registration needs the PIN proof (or the smartphone's): the holder applies in person. */
  proof: z.discriminatedUnion('method', [pinProofSchema, smartphoneProofSchema]),
  /** The patient agreed to the terms on the panel. */
  termsAccepted: z.literal(true),
});
export type InsuranceUseRegistration = z.infer<typeof insuranceUseRegistrationSchema>;

export const insuranceUseRegistrationResponseSchema = z.strictObject({
  registered: z.literal(true),
  /** True when it was already registered (the call is idempotent by certificate). */
  alreadyRegistered: z.boolean(),
  registeredAt: isoDateTime,
});
export type InsuranceUseRegistrationResponse = z.infer<typeof insuranceUseRegistrationResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Errors (4xx/5xx bodies)

export const errorCodes = [
  'bad-request',
  'nonce-unknown',
  'nonce-expired',
  'nonce-reused',
  'nonce-wrong-device',
  'proof-invalid',
  'certificate-unknown-issuer',
  'idempotency-key-conflict',
  'reception-unknown',
  /** Lookup by idempotency key: nothing was recorded for that key (the request never arrived). */
  'request-unknown',
  'not-found',
  'internal',
] as const;
export const errorResponseSchema = z.strictObject({
  error: z.strictObject({ code: z.enum(errorCodes), message: z.string().max(500) }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
export type ErrorCode = (typeof errorCodes)[number];

// ---------------------------------------------------------------------------------------------
// Reception record (SPEC §7), listed by the reception computer

export const receptionEntrySchema = z.strictObject({
  seq: z.number().int().positive(),
  receivedAt: isoDateTime,
  facilityCode: facilityCodeSchema,
  deviceId: deviceIdSchema,
  identityMethod: z.enum(identityMethods),
  /** For `visual`: the panel's staff button or the reception terminal's 目視確認 mode. */
  visualTrigger: z.enum(['panel', 'terminal']).optional(),
  /** Kind ② (居宅同意取得型): consent taken before identity (SPEC §2, seed 001). */
  confirmationKind: z.enum(['standard', 'home-consent', 'qualification-only']).optional(),
  /** Kind ②: medical information viewable until the day after the consultation (seed 001), a Japan date. */
  medicalInfoViewableUntil: isoDate.optional(),
  /** `refused` = the proof or nonce was not accepted: no qualification was looked up. */
  status: z.enum(['qualified', 'invalid', 'no-record', 'certificate-refused', 'refused']),
  qualification: qualificationSchema.optional(),
  lostQualification: lostQualificationSchema.optional(),
  consents: consentsSchema.optional(),
  notices: z.array(noticeSchema),
  error: z.enum(errorCodes).optional(),
});
export type ReceptionEntry = z.infer<typeof receptionEntrySchema>;

export const receptionListSchema = z.strictObject({
  entries: z.array(receptionEntrySchema),
  /** Pass as `since` to get only newer entries. */
  lastSeq: z.number().int().nonnegative(),
});
export type ReceptionList = z.infer<typeof receptionListSchema>;

/** Short dotted path of a zod issue, for errors: `qualification.insurerNumber`, `notices[2]`. */
export function issuePathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += (out ? '.' : '') + String(p);
  }
  return out;
}

/** Path of a zod issue; for an unknown field, the path of that field (zod reports its parent). */
export function issuePathOfIssue(issue: { path: readonly PropertyKey[]; code: string; keys?: readonly string[] } | undefined): string {
  if (!issue) return '';
  const keys = issue.code === 'unrecognized_keys' ? (issue.keys ?? []) : [];
  return issuePathOf(keys.length > 0 ? [...issue.path, keys[0] as string] : issue.path);
}
