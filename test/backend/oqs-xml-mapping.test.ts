import assert from 'node:assert/strict';
import {
  consentsToXmlFlags,
  fromXmlDate,
  qualificationFromXml,
  qualificationToXml,
  statusFromQualificationValidity,
  toXmlDate,
} from '../../src/backend/oqs-xml-mapping';
import { qualificationSchema, type Qualification } from '../../src/backend/protocol';

const sample: Qualification = qualificationSchema.parse({
  insuredCardClassification: '01',
  insurerNumber: '06139999',
  insurerName: '架空健康保険組合',
  cardSymbol: '１２３',
  cardNumber: '4567',
  branchNumber: '01',
  personalFamily: 'insured',
  name: '山田　太郎',
  nameKana: 'ﾔﾏﾀﾞ ﾀﾛｳ',
  birthDate: '1958-04-01',
  sex: 'male',
  burdenPercent: 30,
  qualificationStart: '2020-04-01',
  preschool: false,
  limitCategory: { certificateClass: '01', category: 'A03', validFrom: '2025-04-01', validUntil: '2026-07-31' },
  elderlyRecipient: { validFrom: '2023-04-01', burdenPercent: 20 },
  specifiedDiseases: [{ category: '1', validFrom: '2024-01-01', selfPayLimitYen: 10000 }],
  publicSubsidies: [],
});

describe('oqs-xml-mapping', () => {
  it('writes the national element names and codes', () => {
    const x = qualificationToXml(sample, { limitInfoConsented: true });
    assert.equal(x.InsurerNumber, '06139999');
    assert.equal(x.InsuredCardSymbol, '１２３');
    assert.equal(x.InsuredIdentificationNumber, '4567');
    assert.equal(x.InsuredBranchNumber, '01');
    assert.equal(x.PersonalFamilyClassification, '1');
    assert.equal(x.Sex1, '1');
    assert.equal(x.Birthdate, '19580401');
    assert.equal(x.InsuredPartialContributionRatio, '030');
    assert.equal(x.LimitApplicationCertificateRelatedConsFlg, '1');
    assert.deepEqual(x.LimitApplicationCertificateRelatedInfo, {
      LimitApplicationCertificateClassification: '01',
      LimitApplicationCertificateClassificationFlag: 'A03',
      LimitApplicationCertificateValidStartDate: '20250401',
      LimitApplicationCertificateValidEndDate: '20260731',
    });
  });

  it('leaves the limit info out when the old consent screen said no', () => {
    const x = qualificationToXml(sample, { limitInfoConsented: false });
    assert.equal(x.LimitApplicationCertificateRelatedConsFlg, '0');
    assert.equal(x.LimitApplicationCertificateRelatedInfo, undefined);
  });

  it('round-trips a qualification through the XML form', () => {
    const back = qualificationFromXml(qualificationToXml(sample, { limitInfoConsented: true, reasonOfLoss: 'new-insurance' }));
    assert.deepEqual(back.qualification, sample);
    assert.equal(back.reasonOfLoss, 'new-insurance');
  });

  it('keeps unknown codes out of our fields, with a warning, instead of throwing', () => {
    const x = qualificationToXml(sample);
    x.PersonalFamilyClassification = '7';
    x.InsuredCardClassification = 'A1';
    const back = qualificationFromXml(x);
    assert.equal(back.qualification.personalFamily, undefined);
    assert.equal(back.qualification.insuredCardClassification, 'A1');
    assert.deepEqual(
      back.warnings.map((w) => [w.element, w.code]),
      [
        ['InsuredCardClassification', 'A1'],
        ['PersonalFamilyClassification', '7'],
      ],
    );
    assert.equal(statusFromQualificationValidity('6'), 'unknown');
  });

  it('maps QualificationValidity codes to our statuses', () => {
    assert.equal(statusFromQualificationValidity('1'), 'qualified');
    assert.equal(statusFromQualificationValidity('2'), 'invalid');
    assert.equal(statusFromQualificationValidity('3'), 'invalid');
    assert.equal(statusFromQualificationValidity('4'), 'no-record');
  });

  it('converts dates and consent flags', () => {
    assert.equal(toXmlDate('2025-03-15'), '20250315');
    assert.equal(fromXmlDate('20250315'), '2025-03-15');
    assert.throws(() => fromXmlDate('2025-3-15'));
    assert.deepEqual(
      consentsToXmlFlags({ surgeryDiagnosisInfection: false, clinicalAndMedication: false, medicationOnly: true, healthCheckups: true }),
      { OperationInfoConsFlg: '0', DiagnosisInfoConsFlg: '0', PharmacistsInfoConsFlg: '1', SpecificHealthCheckupsInfoConsFlg: '1' },
    );
    // 手術・傷病名・感染症 yes, 診療・お薬 no: the 診療 flag stays 0 (seed 000's 診療・お薬 screen).
    assert.deepEqual(
      consentsToXmlFlags({ surgeryDiagnosisInfection: true, clinicalAndMedication: false, medicationOnly: false, healthCheckups: false }),
      { OperationInfoConsFlg: '1', DiagnosisInfoConsFlg: '0', PharmacistsInfoConsFlg: '0', SpecificHealthCheckupsInfoConsFlg: '0' },
    );
  });
});

describe('the mapping table', () => {
  it('docs/backend-protocol.md prints every rule of resultElementRules, and every rule names a known source', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { resultElementRules, ruleSources, elementsProductCannotFill } = await import('../../src/backend/oqs-xml-mapping');
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'backend-protocol.md'), 'utf8');
    for (const r of resultElementRules) {
      assert.ok(r.source in ruleSources, r.element);
      assert.ok(doc.includes(`| \`${r.element}\` | ${r.ours} |`), `docs lack ${r.element}`);
    }
    for (const e of elementsProductCannotFill) assert.ok(doc.includes(`\`${e.element}\``), `docs lack ${e.element}`);
  });
});
