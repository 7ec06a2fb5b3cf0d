/**
 * The simulator's national result document (資格確認結果, `GET /receptions/N/xml`), written by the
 * rig's own hand from the public layout (別紙 3-1 XML レイアウト仕様 as transcribed in
 * docs/backend-protocol.md's mapping table, and the hand-written goldens in
 * test/backend/golden/) — not with the device's encoder (`src/backend/oqs-xml-mapping.ts`).
 * The device writes the same document for the reception computer; tests compare the two through
 * an independent parser, so a mistake in either shows as a difference instead of being agreed.
 *
 * Plain string building, on purpose unlike the device (fast-xml-parser's builder): elements in
 * the layout's order, text escaped for XML 1.0 (&, <, >, CR), Japan times from ICU `Asia/Tokyo`.
 */
import type { ReceptionEntry } from '../../src/backend/protocol';

type Node = readonly [name: string, content: string | readonly (Node | undefined)[]];

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function write(node: Node, depth: number, out: string[]): void {
  const [name, content] = node;
  const pad = '  '.repeat(depth);
  if (typeof content === 'string') {
    out.push(`${pad}<${name}>${escapeText(content)}</${name}>`);
    return;
  }
  out.push(`${pad}<${name}>`);
  for (const child of content) if (child) write(child, depth + 1, out);
  out.push(`${pad}</${name}>`);
}

const tokyoParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** `yyyyMMddHHmmss` in Japan. */
function stamp(instant: Date): string {
  const p = Object.fromEntries(tokyoParts.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.year}${p.month}${p.day}${p.hour}${p.minute}${p.second}`;
}

/** `YYYY-MM-DD` → `yyyyMMdd`. */
const ymd = (iso: string) => iso.split('-').join('');
const el = (name: string, value: string | undefined): Node | undefined => (value === undefined ? undefined : [name, value]);
const date = (name: string, iso: string | undefined): Node | undefined => (iso === undefined ? undefined : [name, ymd(iso)]);
const ratio = (percent: number) => String(percent).padStart(3, '0');

/** 付帯情報 for the certificate notices, as the goldens carry them. */
const CERTIFICATE_NOTICES: Record<string, { code: string; message: string }> = {
  'certificate-expiring-soon': { code: 'FCR-N001', message: '電子証明書の有効期限が3か月以内に到来します。市区町村の窓口で更新手続きをご案内ください。' },
  'certificate-grace-qualification-only': { code: 'FCR-N002', message: '電子証明書の有効期限が切れています（猶予期間中）。資格情報のみ提供しています。' },
};

const REASON_OF_LOSS = { death: '01', 'public-assistance': '02', 'new-insurance': '03', other: '99' } as const;

/** The document for one reception, or undefined when none exists (refused before any lookup). */
export function receptionResultDocument(e: ReceptionEntry): string | undefined {
  if (e.status !== 'qualified' && e.status !== 'invalid' && e.status !== 'no-record') return undefined;
  const at = new Date(e.receivedAt);
  const time = stamp(at);
  // 各…AvailableTime: 24 h after the consent (public sample documents).
  const available = stamp(new Date(at.getTime() + 86_400_000));
  const lost = e.status === 'invalid' ? e.lostQualification : undefined;
  const q = e.status === 'qualified' ? e.qualification : lost?.qualification;
  const validity = e.status === 'qualified' ? '1' : e.status === 'no-record' ? '4' : lost?.reasonOfLoss === 'new-insurance' ? '3' : '2';
  const notice = e.notices.map((n) => CERTIFICATE_NOTICES[n]).find((n) => n !== undefined);
  // 限度額情報 needs no consent since 2024-10-07 (SPEC §6.6); only the old screen's 提供しない stops it.
  const limitConsented = e.consents?.limitInfo ?? true;

  const flag = (prefix: string, given: boolean): Node[] =>
    given ? [[`${prefix}ConsFlg`, '1'], [`${prefix}ConsTime`, time], [`${prefix}AvailableTime`, available]] : [[`${prefix}ConsFlg`, '0']];

  let result: Node | undefined;
  if (q) {
    const g = e.consents?.given;
    const l = q.limitCategory;
    const er = q.elderlyRecipient;
    result = [
      'ResultOfQualificationConfirmation',
      [
        ['InsuredCardClassification', q.insuredCardClassification],
        // 8 characters; a 6-digit 国保 number is padded with leading spaces (sanox.org No.26).
        ['InsurerNumber', q.insurerNumber.padStart(8, ' ')],
        el('InsuredCardSymbol', q.cardSymbol),
        ['InsuredIdentificationNumber', q.cardNumber],
        el('InsuredBranchNumber', q.branchNumber),
        ['PersonalFamilyClassification', q.personalFamily === 'insured' ? '1' : '2'],
        ['Name', q.name],
        ['NameKana', q.nameKana],
        ['Sex1', { male: '1', female: '2', unset: '3' }[q.sex]],
        date('Birthdate', q.birthDate),
        el('Address', q.address),
        el('PostNumber', q.postNumber),
        date('QualificationDate', q.qualificationStart),
        date('DisqualificationDate', q.qualificationEnd),
        date('InsuredCertificateIssuanceDate', q.cardIssuedOn),
        date('InsuredCardValidDate', q.cardValidFrom),
        date('InsuredCardExpirationDate', q.cardValidUntil),
        ['InsuredPartialContributionRatio', ratio(q.burdenPercent)],
        q.preschool ? ['PreschoolClassification', '1'] : undefined,
        lost ? ['ReasonOfLoss', REASON_OF_LOSS[lost.reasonOfLoss]] : undefined,
        ['InsurerName', q.insurerName],
        er
          ? [
              'ElderlyRecipientCertificateInfo',
              [
                date('ElderlyRecipientCertificateDate', er.issuedOn),
                date('ElderlyRecipientValidStartDate', er.validFrom),
                date('ElderlyRecipientValidEndDate', er.validUntil),
                ['ElderlyRecipientContributionRatio', ratio(er.burdenPercent)],
              ],
            ]
          : undefined,
        ['LimitApplicationCertificateRelatedConsFlg', limitConsented ? '1' : '0'],
        limitConsented ? ['LimitApplicationCertificateRelatedConsTime', time] : undefined,
        l && limitConsented
          ? [
              'LimitApplicationCertificateRelatedInfo',
              [
                ['LimitApplicationCertificateClassification', l.certificateClass],
                ['LimitApplicationCertificateClassificationFlag', l.category],
                date('LimitApplicationCertificateDate', l.issuedOn),
                date('LimitApplicationCertificateValidStartDate', l.validFrom),
                date('LimitApplicationCertificateValidEndDate', l.validUntil),
                date('LimitApplicationCertificateLongTermDate', l.longTermCareSince),
              ],
            ]
          : undefined,
        ...(q.specifiedDiseases.length > 0
          ? ([
              ['SpecificDiseasesCertificateRelatedConsFlg', '1'],
              ['SpecificDiseasesCertificateRelatedConsTime', time],
              [
                'SpecificDiseasesCertificateList',
                q.specifiedDiseases.map(
                  (d): Node => [
                    'SpecificDiseasesCertificateInfo',
                    [
                      ['SpecificDiseasesDiseaseCategory', d.category],
                      date('SpecificDiseasesCertificateDate', d.issuedOn),
                      date('SpecificDiseasesValidStartDate', d.validFrom),
                      date('SpecificDiseasesValidEndDate', d.validUntil),
                      ['SpecificDiseasesSelfPay', String(d.selfPayLimitYen)],
                    ],
                  ],
                ),
              ],
            ] satisfies Node[])
          : []),
        // The four consent groups exist only when consents were recorded with this reception.
        // 健診 → SpecificHealthCheckups; お薬 (from 診療・お薬 or お薬 alone) → Pharmacists;
        // 診療 → Diagnosis; 手術・傷病名・感染症 → Operation.
        ...(g
          ? [
              ...flag('SpecificHealthCheckupsInfo', g.healthCheckups),
              ...flag('PharmacistsInfo', g.clinicalAndMedication || g.medicationOnly),
              ...flag('DiagnosisInfo', g.clinicalAndMedication),
              ...flag('OperationInfo', g.surgeryDiagnosisInfection),
            ]
          : []),
        el('ReferenceNumber', q.facilityPatientId),
      ],
    ];
  }

  const doc: Node = [
    'XmlMsg',
    [
      [
        'MessageHeader',
        [
          ['ProcessExecutionTime', time],
          ['QualificationConfirmationDate', time.slice(0, 8)],
          ['MedicalInstitutionCode', e.facilityCode],
          ['ReferenceClassification', '1'],
          ['SegmentOfResult', '1'],
          ['CharacterCodeIdentifier', '0'],
        ],
      ],
      [
        'MessageBody',
        [
          ['ProcessingResultStatus', '1'],
          notice ? ['ProcessingResultCode', notice.code] : undefined,
          notice ? ['ProcessingResultMessage', notice.message] : undefined,
          ['QualificationValidity', validity],
          result ? ['ResultList', [result]] : undefined,
        ],
      ],
    ],
  ];
  const out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>'];
  write(doc, 0, out);
  return `${out.join('\n')}\n`;
}
