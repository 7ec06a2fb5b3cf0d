/**
 * The ONE place that knows the national result document of online eligibility confirmation
 * (資格確認結果, 別紙 3-1 XML レイアウト仕様: `XmlMsg` / `MessageHeader` / `MessageBody` /
 * `ResultList` / `ResultOfQualificationConfirmation`, files `OQSsiquc01res_….xml`) and its codes.
 * Our JSON protocol (protocol.ts) uses its own English field names; this module converts both
 * ways. Every rule here comes from public descriptions of the document, listed in
 * {@link resultElementRules} with its source (sources: {@link ruleSources}); the document's
 * elements the product cannot fill are in {@link elementsProductCannotFill}, with the reason.
 *
 * Writing follows the schema's element order. Reading is tolerant like the receipt software
 * that reads these files: optional elements optional, unknown codes kept (or left out) with a
 * warning in `warnings`, leading spaces of InsurerNumber trimmed; a document that is not XML or
 * has no usable header is refused with an `XmlDocumentError` (a RangeError), never a crash.
 */
import type { ConfirmationResponse, ConfirmationStatus, Consents, ConsentSet, LimitCategory, LostQualification, Notice, Qualification, ReceptionEntry } from './protocol';
import { toHalfWidthKana } from './half-width-kana';
import {
  XmlDocumentError,
  decodeXmlBytes,
  encodeXmlText,
  parseXmlDocument,
  writeXmlDocument,
  type XmlElement,
  type XmlEncoding,
  type XmlValue,
} from './xml-text';
import { ja } from '../ui/text/ja';

export type { XmlElement, XmlValue } from './xml-text';

// ---------------------------------------------------------------------------------------------
// Sources and the mapping table

/** Public material each rule was learnt from (read, not copied). */
export const ruleSources = {
  layout:
    'A public reception-folder watcher (Node, xml-js) transcribing 別紙 3-1 XML レイアウト仕様 Ver8.07 element by element: order, Japanese names, header and body codes (CharacterCodeIdentifier 0/1, QualificationValidity 1–6, InsuredCardClassification A1 医療扶助, ProcessingResultCode for 付帯情報 such as the 3-month certificate notice)',
  model:
    'Public receipt-software models of ResultOfQualificationConfirmation (a C# XmlSerializer class; a TypeScript "onshi" result class): Address, PostNumber, InsuredCertificateIssuanceDate, InsuredCardValidDate, InsuredCardExpirationDate, ReferenceNumber; NameKana 半角カナ; ratio "010" = 1割; ConsTime yyyyMMddHHmmss; which elements are optional',
  samples:
    'Public sample documents in receipt-software tests: NameKana `ｼﾝﾘｮｳ ﾀﾛｳ` (half-width, one half-width space), PostNumber `123-4567`, each …InfoAvailableTime = …InfoConsTime + 24 h',
  insurerNumber: 'sanox.org オンライン資格確認 導入記 No.26: 保険者番号 is 8 characters, a 6-digit number padded with leading spaces',
  fileNames:
    'Public folder readers: results are `OQSsiquc01res_*.xml`; face-reader results `OQSsiquc01res_face_…_yyyyMMddHHmmss.xml` (prefix and timestamp-last pattern), written as Shift_JIS by some',
  xml: 'XML 1.0: §2.2 characters, §2.11 line ends, §4.3.3 encoding declaration',
} as const;

export interface ElementRule {
  element: string;
  /** Our field (protocol.ts) or where the value comes from. */
  ours: string;
  rule: string;
  source: keyof typeof ruleSources;
}

/** THE mapping table, in the document's element order (docs/backend-protocol.md prints it). */
export const resultElementRules: readonly ElementRule[] = [
  { element: 'MessageHeader/ProcessExecutionTime', ours: 'processedAt', rule: 'yyyyMMddHHmmss, Japan time', source: 'layout' },
  { element: 'MessageHeader/QualificationConfirmationDate', ours: 'processedAt', rule: 'yyyyMMdd, Japan time', source: 'layout' },
  { element: 'MessageHeader/MedicalInstitutionCode', ours: 'facilityCode', rule: '10 digits', source: 'layout' },
  { element: 'MessageHeader/ReferenceClassification', ours: '(card)', rule: '1 マイナンバーカード (2 被保険者証情報)', source: 'layout' },
  { element: 'MessageHeader/SegmentOfResult', ours: '(completed)', rule: '1 正常終了 (2 処理中, 9 異常終了: refused on read)', source: 'layout' },
  { element: 'MessageHeader/CharacterCodeIdentifier', ours: 'encoding', rule: '0 UTF-8, 1 Shift_JIS; agrees with the declaration', source: 'layout' },
  { element: 'MessageBody/ProcessingResultStatus', ours: '(ok)', rule: '1 正常終了 (2 エラー)', source: 'layout' },
  { element: 'MessageBody/ProcessingResultCode', ours: 'notices', rule: 'certificate notice as 付帯情報 (codes: certificateNoticeCodes)', source: 'layout' },
  { element: 'MessageBody/ProcessingResultMessage', ours: 'notices', rule: 'the notice text, shown as is by receipt software', source: 'layout' },
  { element: 'MessageBody/QualificationValidity', ours: 'status', rule: '1 qualified; 2 invalid; 3 invalid, reason new-insurance; 4 no-record; 5 multiple → no-record; else unknown + warning', source: 'layout' },
  { element: 'InsuredCardClassification', ours: 'insuredCardClassification', rule: '01–07 kept; other codes (A1 医療扶助) kept + warning', source: 'layout' },
  { element: 'InsurerNumber', ours: 'insurerNumber', rule: '8 characters; 6-digit 国保 numbers left-padded with spaces; trimmed on read', source: 'insurerNumber' },
  { element: 'InsuredCardSymbol', ours: 'cardSymbol', rule: 'optional', source: 'layout' },
  { element: 'InsuredIdentificationNumber', ours: 'cardNumber', rule: 'optional on read (医療扶助)', source: 'model' },
  { element: 'InsuredBranchNumber', ours: 'branchNumber', rule: '2 digits, text', source: 'model' },
  { element: 'PersonalFamilyClassification', ours: 'personalFamily', rule: '1 本人, 2 家族', source: 'layout' },
  { element: 'Name', ours: 'name', rule: 'required', source: 'model' },
  { element: 'NameKana', ours: 'nameKana', rule: '半角カナ, one half-width space between family and given name; optional on read', source: 'samples' },
  { element: 'Sex1', ours: 'sex', rule: '1 男, 2 女, 3 未設定', source: 'layout' },
  { element: 'Birthdate', ours: 'birthDate', rule: 'yyyyMMdd', source: 'layout' },
  { element: 'Address', ours: 'address', rule: 'as notified to the insurer', source: 'model' },
  { element: 'PostNumber', ours: 'postNumber', rule: 'NNN-NNNN', source: 'samples' },
  { element: 'QualificationDate', ours: 'qualificationStart', rule: 'yyyyMMdd; optional on read', source: 'layout' },
  { element: 'DisqualificationDate', ours: 'qualificationEnd', rule: 'yyyyMMdd', source: 'layout' },
  { element: 'InsuredCertificateIssuanceDate', ours: 'cardIssuedOn', rule: 'yyyyMMdd', source: 'model' },
  { element: 'InsuredCardValidDate', ours: 'cardValidFrom', rule: 'yyyyMMdd (receipt software needs it to register the insurance)', source: 'model' },
  { element: 'InsuredCardExpirationDate', ours: 'cardValidUntil', rule: 'yyyyMMdd', source: 'model' },
  { element: 'InsuredPartialContributionRatio', ours: 'burdenPercent', rule: '3-digit percent, 010 = 1割; optional on read', source: 'model' },
  { element: 'PreschoolClassification', ours: 'preschool', rule: '1 未就学 (absent otherwise)', source: 'layout' },
  { element: 'ReasonOfLoss', ours: 'reasonOfLoss', rule: '01 死亡, 02 生活保護, 03 新資格, 99 その他', source: 'layout' },
  { element: 'InsurerName', ours: 'insurerName', rule: 'after ReasonOfLoss in the schema order', source: 'layout' },
  { element: 'ElderlyRecipientCertificateInfo', ours: 'elderlyRecipient', rule: 'CertificateDate, ValidStartDate, ValidEndDate, ContributionRatio (3-digit)', source: 'layout' },
  { element: 'LimitApplicationCertificateRelatedConsFlg / …ConsTime', ours: 'limitInfoConsented, processedAt', rule: '0 / 1; time yyyyMMddHHmmss when 1', source: 'layout' },
  { element: 'LimitApplicationCertificateRelatedInfo', ours: 'limitCategory', rule: 'Classification 01–03, ClassificationFlag A01–B10, dates; only when consented', source: 'layout' },
  { element: 'SpecificDiseasesCertificateRelatedConsFlg / …ConsTime', ours: 'specifiedDiseases', rule: '1 + time when the list is released', source: 'layout' },
  { element: 'SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo', ours: 'specifiedDiseases[]', rule: 'repeated; DiseaseCategory 1–3, dates, SelfPay (yen)', source: 'layout' },
  { element: '{SpecificHealthCheckups,Pharmacists,Diagnosis,Operation}Info{ConsFlg,ConsTime,AvailableTime}', ours: 'consents, processedAt', rule: 'flag 0 / 1 (健診 → SpecificHealthCheckups; 診療・お薬 or お薬 → Pharmacists; 診療・お薬 → Diagnosis; 手術・傷病名・感染症 → Operation); ConsTime yyyyMMddHHmmss; AvailableTime = ConsTime + 24 h', source: 'samples' },
  { element: 'ReferenceNumber', ours: 'facilityPatientId', rule: '照会番号 the facility registered (its patient-card number)', source: 'model' },
];

/** Elements of the document the product cannot fill, and why (issue 15). */
export const elementsProductCannotFill: readonly { element: string; why: string }[] = [
  { element: 'MessageHeader/ArbitraryFileIdentifier', why: 'echoes a request file the reception computer posted; a face-reader session has no request' },
  { element: 'InsuredName (世帯主氏名)', why: 'the backend answer carries no head-of-household name' },
  { element: 'NameOfOther / NameOfOtherKana', why: 'no 通称 in the backend answer' },
  { element: 'Sex2', why: 'only set under the 2012 card-notation rule; the backend answer has one sex' },
  { element: 'PrescriptionIssueSelect', why: 'the reader asks no prescription-form question (pharmacy flow)' },
  { element: 'PublicExpenseResultList (医療扶助 MedicalTicketInfo)', why: 'medical assistance is out of the product scope; read documents with it warn' },
  { element: 'public subsidies integrated into the card (publicSubsidies)', why: 'no element for them in the layout known to us' },
  { element: 'ProcessingResultCode values of 別紙 6-1', why: 'the code list is not public to us; certificateNoticeCodes are ours, the message text carries the meaning' },
];

// ---------------------------------------------------------------------------------------------
// Envelope names and code tables

export const xmlRootName = 'XmlMsg';
export const xmlEnvelope = {
  header: 'MessageHeader',
  body: 'MessageBody',
  processExecutionTime: 'ProcessExecutionTime',
  qualificationConfirmationDate: 'QualificationConfirmationDate',
  medicalInstitutionCode: 'MedicalInstitutionCode',
  referenceClassification: 'ReferenceClassification',
  segmentOfResult: 'SegmentOfResult',
  errorCode: 'ErrorCode',
  errorMessage: 'ErrorMessage',
  characterCodeIdentifier: 'CharacterCodeIdentifier',
  processingResultStatus: 'ProcessingResultStatus',
  processingResultCode: 'ProcessingResultCode',
  processingResultMessage: 'ProcessingResultMessage',
  qualificationValidity: 'QualificationValidity',
  resultList: 'ResultList',
  result: 'ResultOfQualificationConfirmation',
} as const;

/** Elements that are list items: always arrays when read (explicit, one item or many). */
export const repeatedElements: ReadonlySet<string> = new Set([xmlEnvelope.result, 'SpecificDiseasesCertificateInfo', 'MedicalTicketInfo']);

export const referenceClassificationCodes = { card: '1', insuranceCardInfo: '2' } as const;
export const segmentOfResultCodes = { completed: '1', processing: '2', failed: '9' } as const;
export const processingResultStatusCodes = { ok: '1', error: '2' } as const;
export const characterCodeIdentifiers: Record<XmlEncoding, string> = { 'utf-8': '0', shift_jis: '1' };

/** 資格有効性 (OQSCD006). 6 有効（未登録） is medical assistance only: unknown to us. */
export const qualificationValidityCodes = {
  valid: '1',
  invalid: '2',
  invalidNewQualificationExists: '3',
  noRecord: '4',
  multiple: '5',
} as const;

/** Our certificate notices as 付帯情報 of a normal result (codes ours: see elementsProductCannotFill). */
export const certificateNoticeCodes = {
  'certificate-expiring-soon': { code: 'FCR-N001', message: ja.resultNoticeCertificateExpiringSoon },
  'certificate-grace-qualification-only': { code: 'FCR-N002', message: ja.resultNoticeCertificateGrace },
} as const satisfies Partial<Record<Notice, { code: string; message: string }>>;
export type CertificateNotice = keyof typeof certificateNoticeCodes;

export type DocumentStatus = Exclude<ConfirmationStatus, 'certificate-refused'> | 'unknown';

/** Our status from 資格有効性; `multiple` has no automatic answer: staff resolve it (no-record). */
export function statusFromQualificationValidity(code: string): DocumentStatus {
  switch (code) {
    case qualificationValidityCodes.valid:
      return 'qualified';
    case qualificationValidityCodes.invalid:
    case qualificationValidityCodes.invalidNewQualificationExists:
      return 'invalid';
    case qualificationValidityCodes.noRecord:
    case qualificationValidityCodes.multiple:
      return 'no-record';
    default:
      return 'unknown';
  }
}

/** The code we write for a status: an invalid qualification lost to a new insurance is 3. */
export function qualificationValidityFromStatus(status: Exclude<DocumentStatus, 'unknown'>, reason?: LostQualification['reasonOfLoss']): string {
  if (status === 'invalid' && reason === 'new-insurance') return qualificationValidityCodes.invalidNewQualificationExists;
  return { qualified: qualificationValidityCodes.valid, invalid: qualificationValidityCodes.invalid, 'no-record': qualificationValidityCodes.noRecord }[status];
}

const personalFamily = { insured: '1', dependent: '2' } as const;
const sex = { male: '1', female: '2', unset: '3' } as const;
const preschoolCode = '1';
const reasonOfLoss = { death: '01', 'public-assistance': '02', 'new-insurance': '03', other: '99' } as const;
const consFlag = { no: '0', yes: '1' } as const;
const insuredCardClassifications = ['01', '02', '03', '04', '05', '06', '07'] as const;
const limitCategories = new Set<string>(['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B09', 'B10']);

function invert<K extends string, V extends string>(table: Record<K, V>): Record<V, K> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k])) as Record<V, K>;
}

// ---------------------------------------------------------------------------------------------
// Dates, times, ratios, insurer numbers

const JST_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

/** `2025-03-15` → `20250315`. */
export function toXmlDate(iso: string): string {
  return iso.replaceAll('-', '');
}
/** `20250315` → `2025-03-15`. */
export function fromXmlDate(x: string): string {
  if (!/^[0-9]{8}$/.test(x)) throw new XmlDocumentError('shape', 'date is not yyyyMMdd');
  return `${x.slice(0, 4)}-${x.slice(4, 6)}-${x.slice(6, 8)}`;
}
/** A moment → `yyyyMMddHHmmss` in Japan time (Japan has no daylight saving time). */
export function toJapanStamp(d: Date): string {
  const iso = new Date(d.getTime() + JST_MS).toISOString();
  return iso.slice(0, 19).replace(/[-T:]/g, '');
}
function fromJapanStamp(stamp: string): Date {
  if (!/^[0-9]{14}$/.test(stamp)) throw new XmlDocumentError('shape', 'ProcessExecutionTime is not yyyyMMddHHmmss');
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}.000Z`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new XmlDocumentError('shape', 'ProcessExecutionTime is not a time');
  return new Date(t - JST_MS);
}
/** 30 → `030`. */
function toXmlRatio(percent: number): string {
  return String(percent).padStart(3, '0');
}
/** 6-digit 国保 numbers are left-padded with spaces to the document's 8 characters. */
export function toXmlInsurerNumber(n: string): string {
  return n.padStart(8, ' ');
}
const optDate = (v: string | undefined) => (v === undefined ? undefined : toXmlDate(v));

// ---------------------------------------------------------------------------------------------
// Reading helpers (tolerant)

export interface XmlWarning {
  element: string;
  /** The code as found (codes only: never a name, number or other personal value). */
  code: string;
  note: string;
}

class Reader {
  readonly warnings: XmlWarning[] = [];
  warn(element: string, code: string, note: string): void {
    this.warnings.push({ element, code: code.slice(0, 16), note });
  }
  str(el: XmlElement, name: string): string | undefined {
    const v = el[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new XmlDocumentError('shape', `<${name}> is not a text element`);
    return v === '' ? undefined : v;
  }
  req(el: XmlElement, name: string): string {
    const v = this.str(el, name);
    if (v === undefined) throw new XmlDocumentError('shape', `<${name}> missing`);
    return v;
  }
  child(el: XmlElement, name: string): XmlElement | undefined {
    const v = el[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v === 'string' || Array.isArray(v)) throw new XmlDocumentError('shape', `<${name}> is not a group element`);
    return v;
  }
  items(el: XmlElement, list: string, item: string): XmlElement[] {
    const l = this.child(el, list);
    const v = l?.[item];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new XmlDocumentError('shape', `<${item}> is not a list item`);
    return v;
  }
  /** An optional date: a malformed one is dropped with a warning. */
  date(el: XmlElement, name: string): string | undefined {
    const v = this.str(el, name);
    if (v === undefined) return undefined;
    if (!/^[0-9]{8}$/.test(v)) {
      this.warn(name, 'malformed', 'not yyyyMMdd; left out'); // the value is a person's date: not repeated
      return undefined;
    }
    return fromXmlDate(v);
  }
  code<K extends string>(el: XmlElement, name: string, table: Record<string, K>): K | undefined {
    const v = this.str(el, name);
    if (v === undefined) return undefined;
    const k = table[v];
    if (k === undefined) this.warn(name, v, 'unknown code; left out');
    return k;
  }
  ratio(el: XmlElement, name: string): number | undefined {
    const v = this.str(el, name);
    if (v === undefined) return undefined;
    if (!/^[0-9]{3}$/.test(v)) {
      this.warn(name, v, 'not a 3-digit percent; left out');
      return undefined;
    }
    return Number(v);
  }
}

// ---------------------------------------------------------------------------------------------
// ResultOfQualificationConfirmation ↔ Qualification

/**
 * A qualification as a document carries it: what our protocol requires may be absent in a
 * document from elsewhere (optional there), and InsuredCardClassification may be a code we do
 * not know (kept, with a warning). Every {@link Qualification} is one.
 */
export type DocumentQualification = Omit<
  Qualification,
  'insuredCardClassification' | 'nameKana' | 'qualificationStart' | 'burdenPercent' | 'personalFamily' | 'sex' | 'cardNumber' | 'insurerNumber'
> &
  Partial<Pick<Qualification, 'nameKana' | 'qualificationStart' | 'burdenPercent' | 'personalFamily' | 'sex' | 'cardNumber' | 'insurerNumber'>> & {
    insuredCardClassification: string;
  };

export interface QualificationXmlOptions {
  limitInfoConsented: boolean;
  reasonOfLoss?: LostQualification['reasonOfLoss'];
  /** When the consents of this session were given (…ConsTime); default: no times written. */
  consentedAt?: Date;
  /** Viewing consents, written as the …Info{ConsFlg,ConsTime,AvailableTime} elements. */
  consents?: Omit<ConsentSet, 'referralLetterIds'>;
}

/** Our qualification → one `ResultOfQualificationConfirmation`, in the schema's element order. */
export function qualificationToXml(q: DocumentQualification, opts: QualificationXmlOptions = { limitInfoConsented: true }): XmlElement {
  const stamp = opts.consentedAt ? toJapanStamp(opts.consentedAt) : undefined;
  // Public samples: the viewing right lasts 24 h from the consent (…AvailableTime).
  const available = opts.consentedAt ? toJapanStamp(new Date(opts.consentedAt.getTime() + DAY_MS)) : undefined;
  const el: XmlElement = {
    InsuredCardClassification: q.insuredCardClassification,
    InsurerNumber: q.insurerNumber === undefined ? undefined : toXmlInsurerNumber(q.insurerNumber),
    InsuredCardSymbol: q.cardSymbol,
    InsuredIdentificationNumber: q.cardNumber,
    InsuredBranchNumber: q.branchNumber,
    PersonalFamilyClassification: q.personalFamily === undefined ? undefined : personalFamily[q.personalFamily],
    Name: q.name,
    NameKana: q.nameKana === undefined ? undefined : toHalfWidthKana(q.nameKana),
    Sex1: q.sex === undefined ? undefined : sex[q.sex],
    Birthdate: toXmlDate(q.birthDate),
    Address: q.address,
    PostNumber: q.postNumber,
    QualificationDate: optDate(q.qualificationStart),
    DisqualificationDate: optDate(q.qualificationEnd),
    InsuredCertificateIssuanceDate: optDate(q.cardIssuedOn),
    InsuredCardValidDate: optDate(q.cardValidFrom),
    InsuredCardExpirationDate: optDate(q.cardValidUntil),
    InsuredPartialContributionRatio: q.burdenPercent === undefined ? undefined : toXmlRatio(q.burdenPercent),
    PreschoolClassification: q.preschool ? preschoolCode : undefined,
    ReasonOfLoss: opts.reasonOfLoss === undefined ? undefined : reasonOfLoss[opts.reasonOfLoss],
    InsurerName: q.insurerName,
  };
  if (q.elderlyRecipient) {
    const e = q.elderlyRecipient;
    el.ElderlyRecipientCertificateInfo = {
      ElderlyRecipientCertificateDate: optDate(e.issuedOn),
      ElderlyRecipientValidStartDate: toXmlDate(e.validFrom),
      ElderlyRecipientValidEndDate: optDate(e.validUntil),
      ElderlyRecipientContributionRatio: toXmlRatio(e.burdenPercent),
    };
  }
  el.LimitApplicationCertificateRelatedConsFlg = opts.limitInfoConsented ? consFlag.yes : consFlag.no;
  if (opts.limitInfoConsented) el.LimitApplicationCertificateRelatedConsTime = stamp;
  if (q.limitCategory && opts.limitInfoConsented) {
    const l = q.limitCategory;
    el.LimitApplicationCertificateRelatedInfo = {
      LimitApplicationCertificateClassification: l.certificateClass,
      LimitApplicationCertificateClassificationFlag: l.category,
      LimitApplicationCertificateDate: optDate(l.issuedOn),
      LimitApplicationCertificateValidStartDate: toXmlDate(l.validFrom),
      LimitApplicationCertificateValidEndDate: optDate(l.validUntil),
      LimitApplicationCertificateLongTermDate: optDate(l.longTermCareSince),
    };
  }
  if (q.specifiedDiseases.length > 0) {
    el.SpecificDiseasesCertificateRelatedConsFlg = consFlag.yes;
    el.SpecificDiseasesCertificateRelatedConsTime = stamp;
    el.SpecificDiseasesCertificateList = {
      SpecificDiseasesCertificateInfo: q.specifiedDiseases.map((d) => ({
        SpecificDiseasesDiseaseCategory: d.category,
        SpecificDiseasesCertificateDate: optDate(d.issuedOn),
        SpecificDiseasesValidStartDate: toXmlDate(d.validFrom),
        SpecificDiseasesValidEndDate: optDate(d.validUntil),
        SpecificDiseasesSelfPay: String(d.selfPayLimitYen),
      })),
    };
  }
  if (opts.consents) {
    const flags = consentsToXmlFlags(opts.consents);
    for (const group of ['SpecificHealthCheckups', 'Pharmacists', 'Diagnosis', 'Operation'] as const) {
      const yes = flags[`${group}InfoConsFlg`] === consFlag.yes;
      el[`${group}InfoConsFlg`] = flags[`${group}InfoConsFlg`];
      if (yes) {
        el[`${group}InfoConsTime`] = stamp;
        el[`${group}InfoAvailableTime`] = available;
      }
    }
  }
  el.ReferenceNumber = q.facilityPatientId;
  return prune(el);
}

/** Deletes undefined properties, deeply (absent XML elements are absent, not empty). */
function prune<T>(value: T): T {
  if (Array.isArray(value)) value.forEach(prune);
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === undefined) delete o[k];
      else prune(o[k]);
    }
  }
  return value;
}

function readQualification(r: Reader, el: XmlElement): { qualification: DocumentQualification; reasonOfLoss?: LostQualification['reasonOfLoss'] } {
  const classification = r.req(el, 'InsuredCardClassification');
  if (!(insuredCardClassifications as readonly string[]).includes(classification)) r.warn('InsuredCardClassification', classification, 'unknown code; kept');
  const insurerNumber = r.str(el, 'InsurerNumber')?.trim();
  const limitInfo = r.child(el, 'LimitApplicationCertificateRelatedInfo');
  const elderly = r.child(el, 'ElderlyRecipientCertificateInfo');
  const burden = r.ratio(el, 'InsuredPartialContributionRatio');
  const q: DocumentQualification = {
    insuredCardClassification: classification,
    insurerNumber: insurerNumber === '' ? undefined : insurerNumber,
    insurerName: r.req(el, 'InsurerName'),
    cardSymbol: r.str(el, 'InsuredCardSymbol'),
    cardNumber: r.str(el, 'InsuredIdentificationNumber'),
    branchNumber: r.str(el, 'InsuredBranchNumber'),
    personalFamily: r.code(el, 'PersonalFamilyClassification', invert(personalFamily)),
    name: r.req(el, 'Name'),
    nameKana: r.str(el, 'NameKana'),
    birthDate: fromXmlDate(r.req(el, 'Birthdate')),
    sex: r.code(el, 'Sex1', invert(sex)),
    address: r.str(el, 'Address'),
    postNumber: r.str(el, 'PostNumber'),
    qualificationStart: r.date(el, 'QualificationDate'),
    qualificationEnd: r.date(el, 'DisqualificationDate'),
    cardIssuedOn: r.date(el, 'InsuredCertificateIssuanceDate'),
    cardValidFrom: r.date(el, 'InsuredCardValidDate'),
    cardValidUntil: r.date(el, 'InsuredCardExpirationDate'),
    burdenPercent: burden === undefined ? undefined : ([0, 10, 20, 30] as const).find((p) => p === burden),
    preschool: r.str(el, 'PreschoolClassification') === preschoolCode,
    specifiedDiseases: r.items(el, 'SpecificDiseasesCertificateList', 'SpecificDiseasesCertificateInfo').flatMap((d) => {
      const category = r.code(d, 'SpecificDiseasesDiseaseCategory', { '1': '1', '2': '2', '3': '3' } as const);
      const validFrom = r.date(d, 'SpecificDiseasesValidStartDate');
      const selfPay = Number(r.str(d, 'SpecificDiseasesSelfPay') ?? 'x');
      if (category === undefined || validFrom === undefined || !Number.isInteger(selfPay) || selfPay < 0) return [];
      return [prune({ category, issuedOn: r.date(d, 'SpecificDiseasesCertificateDate'), validFrom, validUntil: r.date(d, 'SpecificDiseasesValidEndDate'), selfPayLimitYen: selfPay })];
    }),
    publicSubsidies: [],
    facilityPatientId: r.str(el, 'ReferenceNumber'),
  };
  if (burden !== undefined && q.burdenPercent === undefined) r.warn('InsuredPartialContributionRatio', String(burden), 'not 0/10/20/30 %; left out');
  if (limitInfo) {
    const certificateClass = r.code(limitInfo, 'LimitApplicationCertificateClassification', { '01': '01', '02': '02', '03': '03' } as const);
    const category = r.str(limitInfo, 'LimitApplicationCertificateClassificationFlag');
    const validFrom = r.date(limitInfo, 'LimitApplicationCertificateValidStartDate');
    if (category !== undefined && !limitCategories.has(category)) r.warn('LimitApplicationCertificateClassificationFlag', category, 'unknown code; left out');
    if (certificateClass && category && limitCategories.has(category) && validFrom) {
      q.limitCategory = {
        certificateClass,
        category: category as LimitCategory['category'],
        issuedOn: r.date(limitInfo, 'LimitApplicationCertificateDate'),
        validFrom,
        validUntil: r.date(limitInfo, 'LimitApplicationCertificateValidEndDate'),
        longTermCareSince: r.date(limitInfo, 'LimitApplicationCertificateLongTermDate'),
      };
    }
  }
  if (elderly) {
    const validFrom = r.date(elderly, 'ElderlyRecipientValidStartDate');
    const ratio = r.ratio(elderly, 'ElderlyRecipientContributionRatio');
    const burdenPercent = ([10, 20, 30] as const).find((p) => p === ratio);
    if (validFrom && burdenPercent) {
      q.elderlyRecipient = { issuedOn: r.date(elderly, 'ElderlyRecipientCertificateDate'), validFrom, validUntil: r.date(elderly, 'ElderlyRecipientValidEndDate'), burdenPercent };
    } else r.warn('ElderlyRecipientCertificateInfo', String(ratio ?? ''), 'incomplete; left out');
  }
  if (el.PublicExpenseResultList !== undefined) r.warn('PublicExpenseResultList', '-', 'medical assistance is not read by this product');
  // Drop undefined optionals so the object equals what protocol.ts parses.
  prune(q);
  const loss = r.code(el, 'ReasonOfLoss', invert(reasonOfLoss));
  return loss === undefined ? { qualification: q } : { qualification: q, reasonOfLoss: loss };
}

/** One `ResultOfQualificationConfirmation` → our terms, with the warnings reading it raised. */
export function qualificationFromXml(el: XmlElement): {
  qualification: DocumentQualification;
  reasonOfLoss?: LostQualification['reasonOfLoss'];
  warnings: XmlWarning[];
} {
  const r = new Reader();
  return { ...readQualification(r, el), warnings: r.warnings };
}

// ---------------------------------------------------------------------------------------------
// Consents ↔ the viewing-consent flags of the result XML

/**
 * SPEC §6 categories → the XML's viewing-consent flags:
 * 手術・傷病名・感染症 → OperationInfoConsFlg alone; 診療・お薬 → DiagnosisInfoConsFlg +
 * PharmacistsInfoConsFlg; お薬 → PharmacistsInfoConsFlg; 健診 → SpecificHealthCheckupsInfoConsFlg.
 * Referral letters have no flag (chosen by id). DiagnosisInfo (診療情報) is what the patient
 * answers on the 診療・お薬 screen — 「過去の診療情報(感染症を除く検査結果、アレルギー等)」, seed 000 —
 * so a patient who consents to 手術・傷病名・感染症 and declines 診療・お薬 must not appear to have
 * consented to it. (Until the simulator's own writer disagreed, 手術・傷病名・感染症 also set
 * DiagnosisInfoConsFlg, over-reporting that consent; the layout known to us has no 傷病名 flag.)
 */
export function consentsToXmlFlags(c: Omit<ConsentSet, 'referralLetterIds'>): Record<string, '0' | '1'> {
  const f = (b: boolean) => (b ? consFlag.yes : consFlag.no);
  return {
    SpecificHealthCheckupsInfoConsFlg: f(c.healthCheckups),
    PharmacistsInfoConsFlg: f(c.clinicalAndMedication || c.medicationOnly),
    DiagnosisInfoConsFlg: f(c.clinicalAndMedication),
    OperationInfoConsFlg: f(c.surgeryDiagnosisInfection),
  };
}

// ---------------------------------------------------------------------------------------------
// Whole result documents

/** One confirmation as the national result document carries it. */
export interface OqsResultDocument {
  facilityCode: string;
  /** When the backend processed it. Written in Japan time (yyyyMMddHHmmss / yyyyMMdd). */
  processedAt: Date;
  status: DocumentStatus;
  /** QualificationValidity as found, when the status alone does not say it (5, or a code unknown to us). */
  qualificationValidityCode?: string;
  /** The qualification (qualified) or the lost one (invalid). */
  qualification?: DocumentQualification;
  reasonOfLoss?: LostQualification['reasonOfLoss'];
  limitInfoConsented: boolean;
  /** Viewing consents given in this session (write-only: the flags do not map back 1:1); times = processedAt. */
  consents?: Omit<ConsentSet, 'referralLetterIds'>;
  /** Certificate notices, as ProcessingResultCode / ProcessingResultMessage. */
  notices?: CertificateNotice[];
  /** A ProcessingResultCode we do not know, as found (read only). */
  processingResult?: { code: string; message?: string };
  /** What reading left out or kept unknown (read only; codes, never personal values). */
  warnings?: XmlWarning[];
}

export function isCertificateNotice(n: Notice): n is CertificateNotice {
  return n in certificateNoticeCodes;
}

/** The document as text (its declaration says `encoding`; store it with {@link resultDocumentToBytes}). */
export function resultDocumentToXml(d: OqsResultDocument, encoding: XmlEncoding = 'utf-8'): string {
  const time = toJapanStamp(d.processedAt);
  const body: XmlElement = { [xmlEnvelope.processingResultStatus]: processingResultStatusCodes.ok };
  const notice = d.notices?.[0];
  if (notice) {
    body[xmlEnvelope.processingResultCode] = certificateNoticeCodes[notice].code;
    body[xmlEnvelope.processingResultMessage] = certificateNoticeCodes[notice].message;
  }
  if (d.status === 'unknown' && d.qualificationValidityCode === undefined) throw new RangeError('status unknown needs its QualificationValidity code');
  body[xmlEnvelope.qualificationValidity] =
    d.qualificationValidityCode ?? qualificationValidityFromStatus(d.status as Exclude<DocumentStatus, 'unknown'>, d.reasonOfLoss);
  if (d.qualification) {
    body[xmlEnvelope.resultList] = {
      [xmlEnvelope.result]: [
        qualificationToXml(d.qualification, {
          limitInfoConsented: d.limitInfoConsented,
          consentedAt: d.processedAt,
          ...(d.reasonOfLoss ? { reasonOfLoss: d.reasonOfLoss } : {}),
          ...(d.consents ? { consents: d.consents } : {}),
        }),
      ],
    };
  }
  return writeXmlDocument(
    xmlRootName,
    {
      [xmlEnvelope.header]: {
        [xmlEnvelope.processExecutionTime]: time,
        [xmlEnvelope.qualificationConfirmationDate]: time.slice(0, 8),
        [xmlEnvelope.medicalInstitutionCode]: d.facilityCode,
        [xmlEnvelope.referenceClassification]: referenceClassificationCodes.card,
        [xmlEnvelope.segmentOfResult]: segmentOfResultCodes.completed,
        [xmlEnvelope.characterCodeIdentifier]: characterCodeIdentifiers[encoding],
      },
      [xmlEnvelope.body]: body,
    },
    encoding,
  );
}

/** The document as the bytes of a result file. */
export function resultDocumentToBytes(d: OqsResultDocument, encoding: XmlEncoding = 'utf-8'): Buffer {
  return encodeXmlText(resultDocumentToXml(d, encoding), encoding);
}

/**
 * A result document (text, or a file's bytes in any declared encoding) → our terms. Refuses
 * (XmlDocumentError) what is not XML, a failed or still-processing document, a document
 * without header, or several results for one person; everything else is read, with warnings.
 */
export function resultDocumentFromXml(input: string | Uint8Array): OqsResultDocument {
  const text = typeof input === 'string' ? input : decodeXmlBytes(input).text;
  const { rootName, root } = parseXmlDocument(text, repeatedElements);
  const r = new Reader();
  if (rootName !== xmlRootName) throw new XmlDocumentError('shape', `root is <${rootName}>, not <${xmlRootName}>`);
  const header = r.child(root, xmlEnvelope.header);
  const body = r.child(root, xmlEnvelope.body);
  if (!header || !body) throw new XmlDocumentError('shape', 'MessageHeader or MessageBody missing');
  const segment = r.req(header, xmlEnvelope.segmentOfResult);
  if (segment !== segmentOfResultCodes.completed) throw new XmlDocumentError('shape', `SegmentOfResult ${segment}: not a completed result`);
  const cci = r.str(header, xmlEnvelope.characterCodeIdentifier);
  if (cci !== undefined && cci !== '0' && cci !== '1') r.warn(xmlEnvelope.characterCodeIdentifier, cci, 'unknown code');
  const validity = r.req(body, xmlEnvelope.qualificationValidity);
  const status = statusFromQualificationValidity(validity);
  if (status === 'unknown') r.warn(xmlEnvelope.qualificationValidity, validity, 'unknown code; status unknown');
  const results = r.items(body, xmlEnvelope.resultList, xmlEnvelope.result);
  if (results.length > 1) throw new XmlDocumentError('shape', 'several results for one confirmation');
  const first = results[0];
  const parsed = first ? readQualification(r, first) : undefined;
  const impliedValidity = status === 'unknown' ? undefined : qualificationValidityFromStatus(status, parsed?.reasonOfLoss);
  const code = r.str(body, xmlEnvelope.processingResultCode);
  const notice = (Object.keys(certificateNoticeCodes) as CertificateNotice[]).find((n) => certificateNoticeCodes[n].code === code);
  const message = r.str(body, xmlEnvelope.processingResultMessage);
  if (code !== undefined && !notice) r.warn(xmlEnvelope.processingResultCode, code, 'code not known to us; kept');
  return {
    facilityCode: r.req(header, xmlEnvelope.medicalInstitutionCode),
    processedAt: fromJapanStamp(r.req(header, xmlEnvelope.processExecutionTime)),
    status,
    ...(validity !== impliedValidity ? { qualificationValidityCode: validity } : {}),
    ...(parsed ? { qualification: parsed.qualification } : {}),
    ...(parsed?.reasonOfLoss ? { reasonOfLoss: parsed.reasonOfLoss } : {}),
    limitInfoConsented: first ? r.str(first, 'LimitApplicationCertificateRelatedConsFlg') === consFlag.yes : false,
    ...(notice ? { notices: [notice] } : {}),
    ...(code !== undefined && !notice ? { processingResult: message === undefined ? { code } : { code, message } } : {}),
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
  };
}

/**
 * A reception record (SPEC §7) → its result document; undefined for an attempt refused before
 * any qualification was looked up (no document exists for it). What `GET /receptions/N/xml`
 * serves and what the result folder receives.
 */
export function resultDocumentFromReception(e: ReceptionEntry): OqsResultDocument | undefined {
  if (e.status !== 'qualified' && e.status !== 'invalid' && e.status !== 'no-record') return undefined;
  const q = e.qualification ?? e.lostQualification?.qualification;
  const notices = e.notices.filter(isCertificateNotice);
  return {
    facilityCode: e.facilityCode,
    processedAt: new Date(e.receivedAt),
    status: e.status,
    ...(q ? { qualification: q } : {}),
    ...(e.lostQualification ? { reasonOfLoss: e.lostQualification.reasonOfLoss } : {}),
    limitInfoConsented: e.consents?.limitInfo ?? true,
    ...(e.consents ? { consents: (({ referralLetterIds: _l, ...given }) => given)(e.consents.given) } : {}),
    ...(notices.length > 0 ? { notices } : {}),
  };
}

/**
 * What the reader itself knows when a session's confirmation is finished → its result document
 * (the same document the backend's reception record gives): the confirmation answer, and the
 * consents recorded with it or registered after it. Undefined for a refused certificate.
 */
export function resultDocumentFromConfirmation(r: ConfirmationResponse, facilityCode: string, consents?: Consents): OqsResultDocument | undefined {
  if (r.status === 'certificate-refused') return undefined;
  const given = consents ?? (r.status === 'qualified' ? r.consentsRecorded : undefined);
  return resultDocumentFromReception({
    seq: r.receptionSeq,
    receivedAt: r.receivedAt,
    facilityCode,
    deviceId: 'reader',
    identityMethod: r.identityMethod,
    status: r.status,
    ...(r.status === 'qualified' ? { qualification: r.qualification } : {}),
    ...(r.status === 'invalid' ? { lostQualification: r.lostQualification } : {}),
    ...(given ? { consents: given } : {}),
    notices: r.notices,
  });
}
