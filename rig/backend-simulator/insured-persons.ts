/**
 * What the simulated eligibility backend knows about each persona (issue 3 §3). The persons and
 * their outcome (`qualification`, `revoked`, `registeredForInsurance`) come from the persona
 * catalogue; the insurance details here are ours. ALL FICTIONAL: insurer numbers start with
 * prefixes no real insurer uses together with these names, every insurer name says 架空.
 *
 * Coverage the tests and the demo rely on: a limit category (限度額適用区分), an elderly
 * recipient, a specified disease (card only), public subsidies, a linked patient-card number,
 * a dependent with a branch number, previous consents at this facility and Mynaportal settings,
 * and 0 / 3 / 12 referral letters (12 pages the panel's list).
 */
import { personas, type Persona, type PersonaName } from '../personas/catalogue';
import { recordKana } from './record-kana';
import type { LostQualification, PreviousConsent, Qualification, ReferralLetter } from '../../src/backend/protocol';

export interface SimReferralLetter extends ReferralLetter {
  /** Addressed to this facility code; `'self'` = the simulator's own facility. */
  to: 'self' | string;
}

export interface InsuredPerson {
  persona: PersonaName;
  outcome: Persona['qualification'];
  revoked: boolean;
  registeredForInsurance: boolean;
  /** For `qualified`. */
  qualification?: Qualification;
  /** For `invalid` (claim route B). */
  lost?: LostQualification;
  /** Mynaportal consent settings made in advance (事前の同意). */
  mynaportalConsent?: PreviousConsent;
  /** Consent at the last visit to the simulator's facility (seeded; later visits replace it). */
  previousVisitConsent?: PreviousConsent;
  referralLetters: SimReferralLetter[];
}

function baseQualification(p: Persona): Qualification {
  return {
    insuredCardClassification: '01',
    insurerNumber: '06999001',
    insurerName: '架空商事健康保険組合',
    cardSymbol: '架空',
    cardNumber: '1001',
    personalFamily: 'insured',
    name: p.person.nameKanji,
    // As the national record holds it: half-width kana, one half-width space (`ﾔﾏﾀﾞ ﾀﾛｳ`).
    nameKana: recordKana(p.person.nameKana),
    birthDate: p.person.birthDate,
    sex: p.person.sex,
    address: p.person.address,
    // Fictional: 999-99NN, one per persona (no real postal district is meant).
    postNumber: `999-99${String(personas.indexOf(p) + 1).padStart(2, '0')}`,
    burdenPercent: 30,
    qualificationStart: '2019-04-01',
    // Card dates receipt software needs to register the insurance (InsuredCardValidDate).
    cardIssuedOn: '2019-04-05',
    cardValidFrom: '2019-04-01',
    preschool: false,
    specifiedDiseases: [],
    publicSubsidies: [],
  };
}

/** 後期高齢者医療 (75+): 8-digit 39… insurer, no card symbol. */
function lateElderly(p: Persona, burden: 10 | 20 | 30, cardNumber: string): Qualification {
  const q = baseQualification(p);
  delete q.cardSymbol;
  return {
    ...q,
    insurerNumber: '39999012',
    insurerName: '架空県後期高齢者医療広域連合',
    cardNumber,
    burdenPercent: burden,
    qualificationStart: '2012-04-01',
    // 後期高齢者 cards run 8/1 – 7/31.
    cardIssuedOn: '2026-07-15',
    cardValidFrom: '2026-08-01',
    cardValidUntil: '2027-07-31',
  };
}

function letters(count: number, prefix: string): SimReferralLetter[] {
  const issuers = ['架空中央病院', '架空内科クリニック', '架空大学病院', '架空整形外科医院'];
  const departments = ['内科', '循環器内科', '整形外科', '眼科', '消化器内科'];
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i + 1).padStart(2, '0')}`,
    issuedOn: `2026-${String(1 + (i % 9)).padStart(2, '0')}-${String(10 + i).padStart(2, '0')}`,
    issuerName: issuers[i % issuers.length] ?? '架空中央病院',
    department: departments[i % departments.length] ?? '内科',
    to: 'self',
  }));
}

const allYes = { surgeryDiagnosisInfection: true, clinicalAndMedication: true, medicationOnly: false, healthCheckups: true };

/** Per-persona details; personas not listed get a plain insured record. */
const details: Partial<Record<PersonaName, (p: Persona) => Omit<InsuredPerson, 'persona' | 'outcome' | 'revoked' | 'registeredForInsurance'>>> = {
  valid: (p) => ({
    qualification: {
      ...baseQualification(p),
      branchNumber: '00',
      limitCategory: { certificateClass: '01', category: 'A03', issuedOn: '2026-03-25', validFrom: '2026-04-01', validUntil: '2027-07-31' },
      facilityPatientId: 'P0012345',
    },
    previousVisitConsent: { source: 'previous-visit', at: '2026-09-14T01:20:00.000Z', given: allYes },
    referralLetters: [...letters(3, 'valid'), { id: 'valid-other', issuedOn: '2026-08-01', issuerName: '架空中央病院', department: '眼科', to: '9999999999' }],
  }),
  'expiring-soon': (p) => ({
    qualification: { ...baseQualification(p), insurerNumber: '139991', insurerName: '架空市国民健康保険', cardSymbol: '架空市', cardNumber: '205088', branchNumber: '01' },
    mynaportalConsent: {
      source: 'mynaportal',
      at: '2026-06-02T10:00:00.000Z',
      given: { surgeryDiagnosisInfection: false, clinicalAndMedication: false, medicationOnly: true, healthCheckups: true },
    },
    referralLetters: [],
  }),
  'expired-grace': (p) => ({
    qualification: {
      ...lateElderly(p, 10, '00771234'),
      specifiedDiseases: [
        { category: '1', issuedOn: '2024-05-01', validFrom: '2024-05-01', selfPayLimitYen: 10000 },
        { category: '3', issuedOn: '2025-02-01', validFrom: '2025-02-01', validUntil: '2027-01-31', selfPayLimitYen: 10000 },
      ],
      limitCategory: { certificateClass: '02', category: 'B05', validFrom: '2026-08-01', validUntil: '2027-07-31' },
    },
    referralLetters: letters(3, 'grace'),
  }),
  revoked: (p) => ({ qualification: baseQualification(p), referralLetters: [] }),
  'pin-one-try': (p) => ({
    qualification: { ...baseQualification(p), personalFamily: 'dependent', branchNumber: '02', cardNumber: '1002' },
    referralLetters: [],
  }),
  'pin-locked': (p) => ({ qualification: lateElderly(p, 20, '00881234'), referralLetters: [] }),
  'face-only': (p) => ({
    qualification: { ...lateElderly(p, 10, '00991234'), limitCategory: { certificateClass: '02', category: 'B06', validFrom: '2026-08-01' } },
    previousVisitConsent: { source: 'previous-visit', at: '2026-10-01T00:30:00.000Z', given: allYes },
    mynaportalConsent: {
      source: 'mynaportal',
      at: '2026-05-20T03:00:00.000Z',
      given: { surgeryDiagnosisInfection: false, clinicalAndMedication: true, medicationOnly: false, healthCheckups: false },
    },
    referralLetters: letters(12, 'face'),
  }),
  unregistered: (p) => ({
    qualification: { ...baseQualification(p), personalFamily: 'dependent', branchNumber: '03', cardNumber: '1001' },
    referralLetters: [],
  }),
  android: (p) => ({
    qualification: {
      ...baseQualification(p),
      publicSubsidies: [
        { payerNumber: '54999017', recipientNumber: '1234566', validFrom: '2026-01-01', validUntil: '2026-12-31' },
        { payerNumber: '21999013', recipientNumber: '7654321', validFrom: '2025-10-01' },
      ],
      // Specified-disease info is released for the smartphone too: it is マイナ保険証 (seed 002 p.3, issue 16 item 8).
      specifiedDiseases: [{ category: '2', validFrom: '2020-04-01', selfPayLimitYen: 10000 }],
    },
    referralLetters: letters(3, 'android'),
  }),
  iphone: (p) => ({
    qualification: { ...baseQualification(p), insurerNumber: '31999015', insurerName: '架空共済組合', cardSymbol: '架空共', cardNumber: '3003' },
    referralLetters: [],
  }),
  'qualification-invalid': (p) => ({
    lost: {
      qualification: { ...baseQualification(p), cardNumber: '4040', qualificationStart: '2015-04-01', qualificationEnd: '2026-09-30', cardValidUntil: '2026-09-30' },
      reasonOfLoss: 'new-insurance',
    },
    referralLetters: [],
  }),
  'no-record': () => ({ referralLetters: [] }),
};

export function insuredPersonFor(p: Persona): InsuredPerson {
  const make = details[p.name] ?? ((q: Persona) => ({ qualification: baseQualification(q), referralLetters: [] }));
  const d = make(p);
  const person: InsuredPerson = {
    persona: p.name,
    outcome: p.qualification,
    revoked: p.revoked,
    registeredForInsurance: p.registeredForInsurance,
    ...d,
  };
  if (person.outcome === 'qualified' && !person.qualification) person.qualification = baseQualification(p);
  if (person.outcome !== 'qualified') delete person.qualification;
  return person;
}

/** A fresh, mutable copy of every insured person (each simulator instance owns its own). */
export function insuredPersons(): Map<PersonaName, InsuredPerson> {
  return new Map(personas.map((p) => [p.name, structuredClone(insuredPersonFor(p))]));
}
