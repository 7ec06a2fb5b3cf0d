/**
 * The ONE place that knows the national system's confirmation-result XML (別紙 XML レイアウト仕様:
 * `MessageHeader` / `MessageBody`, `ResultList` / `ResultOfQualificationConfirmation`, …) and its
 * codes. Our JSON protocol (protocol.ts) uses its own English field names; this module converts
 * both ways so that a real confirmation terminal's XML can be plugged in later without touching
 * the flow. Element names and codes follow public code that handles that XML (read, not copied).
 *
 * The XML model here is the flat "element name → text" form those parsers use: one object per
 * `ResultOfQualificationConfirmation`, nested objects for the *Info groups, arrays for *List.
 * Fields we have with no XML element known to us (public subsidies integrated into the card,
 * facility patient-card number) are listed in `fieldsWithoutXmlElement`.
 */
import type {
  ConfirmationStatus,
  ConsentSet,
  LimitCategory,
  LostQualification,
  Qualification,
} from './protocol';
import { parseXmlDocument, writeXmlDocument } from './xml-text';

// ---------------------------------------------------------------------------------------------
// Header / body envelope names

export const xmlEnvelope = {
  header: 'MessageHeader',
  body: 'MessageBody',
  processExecutionTime: 'ProcessExecutionTime',
  qualificationConfirmationDate: 'QualificationConfirmationDate',
  medicalInstitutionCode: 'MedicalInstitutionCode',
  /** 照会区分: 1 マイナンバーカード, 2 被保険者証情報. */
  referenceClassification: 'ReferenceClassification',
  /** 処理結果区分: 1 正常終了, 2 処理中, 9 異常終了. */
  segmentOfResult: 'SegmentOfResult',
  errorCode: 'ErrorCode',
  errorMessage: 'ErrorMessage',
  /** 処理結果状況 (per person): 1 正常終了, 2 エラー. */
  processingResultStatus: 'ProcessingResultStatus',
  processingResultCode: 'ProcessingResultCode',
  processingResultMessage: 'ProcessingResultMessage',
  /** 資格有効性 (OQSCD006). */
  qualificationValidity: 'QualificationValidity',
  resultList: 'ResultList',
  result: 'ResultOfQualificationConfirmation',
} as const;

export const referenceClassificationCodes = { card: '1', insuranceCardInfo: '2' } as const;
export const segmentOfResultCodes = { completed: '1', processing: '2', failed: '9' } as const;
export const processingResultStatusCodes = { ok: '1', error: '2' } as const;

/** 資格有効性 (OQSCD006): 1 有効, 2 無効, 3 無効（新しい資格あり）, 4 該当資格なし, 5 複数該当. */
export const qualificationValidityCodes = {
  valid: '1',
  invalid: '2',
  invalidNewQualificationExists: '3',
  noRecord: '4',
  multiple: '5',
} as const;

/** Our status from 資格有効性. `multiple` has no automatic answer: staff resolve it (no-record). */
export function statusFromQualificationValidity(code: string): Exclude<ConfirmationStatus, 'certificate-refused'> {
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
      throw new RangeError(`unknown QualificationValidity code ${JSON.stringify(code)}`);
  }
}

export function qualificationValidityFromStatus(status: Exclude<ConfirmationStatus, 'certificate-refused'>): string {
  return {
    qualified: qualificationValidityCodes.valid,
    invalid: qualificationValidityCodes.invalid,
    'no-record': qualificationValidityCodes.noRecord,
  }[status];
}

// ---------------------------------------------------------------------------------------------
// Code tables

/** 本人・家族の別. */
const personalFamily = { insured: '1', dependent: '2' } as const;
/** 性別1: 1 男, 2 女, 3 未設定. */
const sex = { male: '1', female: '2', unset: '3' } as const;
/** 未就学区分: 1 未就学該当 (absent otherwise). */
const preschoolCode = '1';
/** 資格喪失事由. */
const reasonOfLoss = { death: '01', 'public-assistance': '02', 'new-insurance': '03', other: '99' } as const;
/** Consent flags (…ConsFlg): 0 未同意, 1 同意 (特定疾病: 2 同意有効期限切れ). */
const consFlag = { no: '0', yes: '1' } as const;

function invert<K extends string, V extends string>(table: Record<K, V>): Record<V, K> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k])) as Record<V, K>;
}
function decode<K extends string>(table: Record<string, K>, code: string | undefined, element: string): K {
  const v = code === undefined ? undefined : table[code];
  if (v === undefined) throw new RangeError(`unknown ${element} code ${JSON.stringify(code)}`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Dates and ratios

/** `2025-03-15` → `20250315`. */
export function toXmlDate(iso: string): string {
  return iso.replaceAll('-', '');
}
/** `20250315` → `2025-03-15`. */
export function fromXmlDate(x: string): string {
  if (!/^[0-9]{8}$/.test(x)) throw new RangeError('XML date is not yyyyMMdd');
  return `${x.slice(0, 4)}-${x.slice(4, 6)}-${x.slice(6, 8)}`;
}
/** 30 → `030` (the XML writes 一部負担金割合 as a 3-digit percent). */
function toXmlRatio(percent: number): string {
  return String(percent).padStart(3, '0');
}
function fromXmlRatio(x: string): number {
  if (!/^[0-9]{3}$/.test(x)) throw new RangeError('XML ratio is not 3 digits');
  return Number(x);
}
const optDate = (v: string | undefined) => (v === undefined ? undefined : toXmlDate(v));
const optFromDate = (v: string | undefined) => (v === undefined ? undefined : fromXmlDate(v));

// ---------------------------------------------------------------------------------------------
// ResultOfQualificationConfirmation ↔ Qualification

export type XmlValue = string | XmlElement | XmlElement[];
export interface XmlElement {
  [element: string]: XmlValue | undefined;
}

/** Our field → XML element, for the flat fields (documentation and the round-trip test). */
export const qualificationElementNames = {
  insuredCardClassification: 'InsuredCardClassification',
  insurerNumber: 'InsurerNumber',
  insurerName: 'InsurerName',
  cardSymbol: 'InsuredCardSymbol',
  cardNumber: 'InsuredIdentificationNumber',
  branchNumber: 'InsuredBranchNumber',
  personalFamily: 'PersonalFamilyClassification',
  name: 'Name',
  nameKana: 'NameKana',
  birthDate: 'Birthdate',
  sex: 'Sex1',
  burdenPercent: 'InsuredPartialContributionRatio',
  qualificationStart: 'QualificationDate',
  qualificationEnd: 'DisqualificationDate',
  cardValidFrom: 'InsuredCardValidDate',
  cardValidUntil: 'InsuredCardExpirationDate',
  preschool: 'PreschoolClassification',
  limitCategory: 'LimitApplicationCertificateRelatedInfo',
  elderlyRecipient: 'ElderlyRecipientCertificateInfo',
  specifiedDiseases: 'SpecificDiseasesCertificateList',
  reasonOfLoss: 'ReasonOfLoss',
} as const;

/** Our fields with no XML element known to us; a real-terminal adapter must source them elsewhere. */
export const fieldsWithoutXmlElement = ['publicSubsidies', 'facilityPatientId'] as const;

function limitToXml(l: LimitCategory): XmlElement {
  return {
    LimitApplicationCertificateClassification: l.certificateClass,
    LimitApplicationCertificateClassificationFlag: l.category,
    LimitApplicationCertificateDate: optDate(l.issuedOn),
    LimitApplicationCertificateValidStartDate: toXmlDate(l.validFrom),
    LimitApplicationCertificateValidEndDate: optDate(l.validUntil),
    LimitApplicationCertificateLongTermDate: optDate(l.longTermCareSince),
  };
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

/**
 * The items of a *List element, whichever shape it came in: our writer's array of
 * `{Item: {...}}` wrappers, or a parsed document's `{Item: {...} | [{...}, ...]}`.
 */
function listItems(list: XmlValue | undefined, item: string): XmlElement[] {
  if (list === undefined) return [];
  if (typeof list === 'string') throw new RangeError(`list of ${item} is text`);
  const wrappers = Array.isArray(list) ? list : [list];
  return wrappers.flatMap((w) => {
    const inner = w[item];
    if (inner === undefined) return [w];
    if (typeof inner === 'string') throw new RangeError(`${item} is text`);
    return Array.isArray(inner) ? inner : [inner];
  });
}

function str(el: XmlElement, name: string): string | undefined {
  const v = el[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new RangeError(`${name} is not a text element`);
  return v;
}
function req(el: XmlElement, name: string): string {
  const v = str(el, name);
  if (v === undefined || v === '') throw new RangeError(`${name} missing`);
  return v;
}
function child(el: XmlElement, name: string): XmlElement | undefined {
  const v = el[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string' || Array.isArray(v)) throw new RangeError(`${name} is not a group element`);
  return v;
}

/**
 * Our qualification → one `ResultOfQualificationConfirmation`. `limitInfoConsented` fills
 * LimitApplicationCertificateRelatedConsFlg (the info itself is sent only when it is '1').
 */
export function qualificationToXml(
  q: Qualification,
  opts: { limitInfoConsented: boolean; reasonOfLoss?: LostQualification['reasonOfLoss'] } = {
    limitInfoConsented: true,
  },
): XmlElement {
  const el: XmlElement = {
    InsuredCardClassification: q.insuredCardClassification,
    InsurerNumber: q.insurerNumber,
    InsurerName: q.insurerName,
    InsuredCardSymbol: q.cardSymbol,
    InsuredIdentificationNumber: q.cardNumber,
    InsuredBranchNumber: q.branchNumber,
    PersonalFamilyClassification: personalFamily[q.personalFamily],
    Name: q.name,
    NameKana: q.nameKana,
    Sex1: sex[q.sex],
    Birthdate: toXmlDate(q.birthDate),
    QualificationDate: toXmlDate(q.qualificationStart),
    DisqualificationDate: optDate(q.qualificationEnd),
    InsuredCardValidDate: optDate(q.cardValidFrom),
    InsuredCardExpirationDate: optDate(q.cardValidUntil),
    InsuredPartialContributionRatio: toXmlRatio(q.burdenPercent),
    PreschoolClassification: q.preschool ? preschoolCode : undefined,
    ReasonOfLoss: opts.reasonOfLoss === undefined ? undefined : reasonOfLoss[opts.reasonOfLoss],
    LimitApplicationCertificateRelatedConsFlg: opts.limitInfoConsented ? consFlag.yes : consFlag.no,
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
  if (q.limitCategory && opts.limitInfoConsented) el.LimitApplicationCertificateRelatedInfo = limitToXml(q.limitCategory);
  if (q.specifiedDiseases.length > 0) {
    el.SpecificDiseasesCertificateRelatedConsFlg = consFlag.yes;
    el.SpecificDiseasesCertificateList = q.specifiedDiseases.map((d) => ({
      SpecificDiseasesCertificateInfo: {
        SpecificDiseasesDiseaseCategory: d.category,
        SpecificDiseasesCertificateDate: optDate(d.issuedOn),
        SpecificDiseasesValidStartDate: toXmlDate(d.validFrom),
        SpecificDiseasesValidEndDate: optDate(d.validUntil),
        SpecificDiseasesSelfPay: String(d.selfPayLimitYen),
      },
    }));
  }
  return prune(el);
}

/** One `ResultOfQualificationConfirmation` → our qualification (throws RangeError on bad codes). */
export function qualificationFromXml(el: XmlElement): { qualification: Qualification; reasonOfLoss?: LostQualification['reasonOfLoss'] } {
  const limitInfo = child(el, 'LimitApplicationCertificateRelatedInfo');
  const elderly = child(el, 'ElderlyRecipientCertificateInfo');
  const diseases = listItems(el.SpecificDiseasesCertificateList, 'SpecificDiseasesCertificateInfo');
  const ratio = fromXmlRatio(req(el, 'InsuredPartialContributionRatio'));
  const q: Qualification = {
    insuredCardClassification: decode(
      { '01': '01', '02': '02', '03': '03', '04': '04', '05': '05', '06': '06', '07': '07' } as const,
      str(el, 'InsuredCardClassification'),
      'InsuredCardClassification',
    ),
    insurerNumber: req(el, 'InsurerNumber'),
    insurerName: req(el, 'InsurerName'),
    cardSymbol: str(el, 'InsuredCardSymbol'),
    cardNumber: req(el, 'InsuredIdentificationNumber'),
    branchNumber: str(el, 'InsuredBranchNumber'),
    personalFamily: decode(invert(personalFamily), str(el, 'PersonalFamilyClassification'), 'PersonalFamilyClassification'),
    name: req(el, 'Name'),
    nameKana: req(el, 'NameKana'),
    birthDate: fromXmlDate(req(el, 'Birthdate')),
    sex: decode(invert(sex), str(el, 'Sex1'), 'Sex1'),
    burdenPercent: ratio as Qualification['burdenPercent'],
    qualificationStart: fromXmlDate(req(el, 'QualificationDate')),
    qualificationEnd: optFromDate(str(el, 'DisqualificationDate')),
    cardValidFrom: optFromDate(str(el, 'InsuredCardValidDate')),
    cardValidUntil: optFromDate(str(el, 'InsuredCardExpirationDate')),
    preschool: str(el, 'PreschoolClassification') === preschoolCode,
    specifiedDiseases: diseases.map((d) => {
      return {
        category: decode({ '1': '1', '2': '2', '3': '3' } as const, str(d, 'SpecificDiseasesDiseaseCategory'), 'SpecificDiseasesDiseaseCategory'),
        issuedOn: optFromDate(str(d, 'SpecificDiseasesCertificateDate')),
        validFrom: fromXmlDate(req(d, 'SpecificDiseasesValidStartDate')),
        validUntil: optFromDate(str(d, 'SpecificDiseasesValidEndDate')),
        selfPayLimitYen: Number(req(d, 'SpecificDiseasesSelfPay')),
      };
    }),
    publicSubsidies: [],
  };
  if (limitInfo) {
    q.limitCategory = {
      certificateClass: decode({ '01': '01', '02': '02', '03': '03' } as const, str(limitInfo, 'LimitApplicationCertificateClassification'), 'LimitApplicationCertificateClassification'),
      category: req(limitInfo, 'LimitApplicationCertificateClassificationFlag') as LimitCategory['category'],
      issuedOn: optFromDate(str(limitInfo, 'LimitApplicationCertificateDate')),
      validFrom: fromXmlDate(req(limitInfo, 'LimitApplicationCertificateValidStartDate')),
      validUntil: optFromDate(str(limitInfo, 'LimitApplicationCertificateValidEndDate')),
      longTermCareSince: optFromDate(str(limitInfo, 'LimitApplicationCertificateLongTermDate')),
    };
  }
  if (elderly) {
    q.elderlyRecipient = {
      issuedOn: optFromDate(str(elderly, 'ElderlyRecipientCertificateDate')),
      validFrom: fromXmlDate(req(elderly, 'ElderlyRecipientValidStartDate')),
      validUntil: optFromDate(str(elderly, 'ElderlyRecipientValidEndDate')),
      burdenPercent: fromXmlRatio(req(elderly, 'ElderlyRecipientContributionRatio')) as 10 | 20 | 30,
    };
  }
  // Drop undefined optionals so the object equals what protocol.ts parses.
  prune(q);
  const reasonCode = str(el, 'ReasonOfLoss');
  return reasonCode === undefined
    ? { qualification: q }
    : { qualification: q, reasonOfLoss: decode(invert(reasonOfLoss), reasonCode, 'ReasonOfLoss') };
}

// ---------------------------------------------------------------------------------------------
// Consents ↔ the viewing-consent flags of the result XML

/**
 * SPEC §6 categories → the XML's viewing-consent flags:
 * 手術・傷病名・感染症 → OperationInfoConsFlg (and DiagnosisInfoConsFlg: diagnoses travel with it);
 * 診療・お薬 → DiagnosisInfoConsFlg + PharmacistsInfoConsFlg; お薬 → PharmacistsInfoConsFlg;
 * 健診 → SpecificHealthCheckupsInfoConsFlg. Referral letters have no flag (chosen by id).
 */
export function consentsToXmlFlags(c: Omit<ConsentSet, 'referralLetterIds'>): Record<string, '0' | '1'> {
  const f = (b: boolean) => (b ? consFlag.yes : consFlag.no);
  return {
    OperationInfoConsFlg: f(c.surgeryDiagnosisInfection),
    DiagnosisInfoConsFlg: f(c.surgeryDiagnosisInfection || c.clinicalAndMedication),
    PharmacistsInfoConsFlg: f(c.clinicalAndMedication || c.medicationOnly),
    SpecificHealthCheckupsInfoConsFlg: f(c.healthCheckups),
  };
}

// ---------------------------------------------------------------------------------------------
// Whole result documents (XmlMsg / MessageHeader / MessageBody / ResultList)

/** One confirmation as the national result document carries it. */
export interface OqsResultDocument {
  facilityCode: string;
  /** When the backend processed it. Written in Japan time (yyyyMMddHHmmss / yyyyMMdd). */
  processedAt: Date;
  status: Exclude<ConfirmationStatus, 'certificate-refused'>;
  /** The qualification (qualified) or the lost one (invalid). */
  qualification?: Qualification;
  reasonOfLoss?: LostQualification['reasonOfLoss'];
  limitInfoConsented: boolean;
  /** Viewing consents, written as the …ConsFlg elements (write-only: the flags do not map back 1:1). */
  consents?: Omit<ConsentSet, 'referralLetterIds'>;
}

export const xmlRootName = 'XmlMsg';
const JST_MS = 9 * 3_600_000;

function japanStamp(d: Date): { date: string; time: string } {
  const iso = new Date(d.getTime() + JST_MS).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ shifted to JST
  const date = iso.slice(0, 10).replaceAll('-', '');
  return { date, time: date + iso.slice(11, 19).replaceAll(':', '') };
}

function fromJapanStamp(stamp: string): Date {
  if (!/^[0-9]{14}$/.test(stamp)) throw new RangeError('ProcessExecutionTime is not yyyyMMddHHmmss');
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}.000Z`;
  return new Date(Date.parse(iso) - JST_MS);
}

export function resultDocumentToXml(d: OqsResultDocument): string {
  const { date, time } = japanStamp(d.processedAt);
  const result: XmlElement | undefined = d.qualification
    ? {
        ...qualificationToXml(d.qualification, {
          limitInfoConsented: d.limitInfoConsented,
          ...(d.reasonOfLoss ? { reasonOfLoss: d.reasonOfLoss } : {}),
        }),
        ...(d.consents ? consentsToXmlFlags(d.consents) : {}),
      }
    : undefined;
  const body: XmlElement = {
    [xmlEnvelope.processingResultStatus]: processingResultStatusCodes.ok,
    [xmlEnvelope.qualificationValidity]: qualificationValidityFromStatus(d.status),
  };
  if (result) body[xmlEnvelope.resultList] = { [xmlEnvelope.result]: result };
  return writeXmlDocument(xmlRootName, {
    [xmlEnvelope.header]: {
      [xmlEnvelope.processExecutionTime]: time,
      [xmlEnvelope.qualificationConfirmationDate]: date,
      [xmlEnvelope.medicalInstitutionCode]: d.facilityCode,
      [xmlEnvelope.referenceClassification]: referenceClassificationCodes.card,
      [xmlEnvelope.segmentOfResult]: segmentOfResultCodes.completed,
      CharacterCodeIdentifier: '0',
    },
    [xmlEnvelope.body]: body,
  });
}

/**
 * A result document → our terms. Throws RangeError for anything it cannot map (a failed or
 * still-processing document, unknown codes, several results for one person).
 */
export function resultDocumentFromXml(text: string): OqsResultDocument {
  const { rootName, root } = parseXmlDocument(text);
  if (rootName !== xmlRootName) throw new RangeError(`root is ${rootName}, not ${xmlRootName}`);
  const header = child(root, xmlEnvelope.header);
  const body = child(root, xmlEnvelope.body);
  if (!header || !body) throw new RangeError('MessageHeader or MessageBody missing');
  const segment = req(header, xmlEnvelope.segmentOfResult);
  if (segment !== segmentOfResultCodes.completed) throw new RangeError(`SegmentOfResult ${segment}: not a completed result`);
  const status = statusFromQualificationValidity(req(body, xmlEnvelope.qualificationValidity));
  const results = listItems(body[xmlEnvelope.resultList], xmlEnvelope.result);
  if (results.length > 1) throw new RangeError('several results for one confirmation');
  const first = results[0];
  const parsed = first ? qualificationFromXml(first) : undefined;
  return {
    facilityCode: req(header, xmlEnvelope.medicalInstitutionCode),
    processedAt: fromJapanStamp(req(header, xmlEnvelope.processExecutionTime)),
    status,
    ...(parsed ? { qualification: parsed.qualification } : {}),
    ...(parsed?.reasonOfLoss ? { reasonOfLoss: parsed.reasonOfLoss } : {}),
    limitInfoConsented: first ? str(first, 'LimitApplicationCertificateRelatedConsFlg') === consFlag.yes : false,
  };
}
