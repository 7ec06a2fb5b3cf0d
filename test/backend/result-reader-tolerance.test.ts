/**
 * Our reader reads what the world writes (issue 15): a realistic social-insurance document
 * written the way other vendors write it (BOM, CRLF, comments, attributes, character
 * references, optional elements left out), codes we do not know kept with a warning, and no
 * input — however broken — ending in anything but a typed XmlDocumentError.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultDocumentFromXml } from '../../src/backend/oqs-xml-mapping';
import { XmlDocumentError } from '../../src/backend/xml-text';

// A 協会けんぽ-style result as another vendor's terminal might write it: no
// InsuredPartialContributionRatio, QualificationDate or NameKana (all optional in the layout),
// a space-padded InsurerNumber, a name with a character reference, attributes and comments.
const socialInsurance = [
  '\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
  '<!-- OQS result -->',
  '<XmlMsg xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
  '<MessageHeader>',
  '<ProcessExecutionTime>20261201101500</ProcessExecutionTime>',
  '<QualificationConfirmationDate>20261201</QualificationConfirmationDate>',
  '<MedicalInstitutionCode>1319999999</MedicalInstitutionCode>',
  '<ArbitraryFileIdentifier>clinic_0042</ArbitraryFileIdentifier>',
  '<ReferenceClassification>1</ReferenceClassification>',
  '<SegmentOfResult>1</SegmentOfResult>',
  '<CharacterCodeIdentifier>0</CharacterCodeIdentifier>',
  '</MessageHeader>',
  '<MessageBody>',
  '<ProcessingResultStatus>1</ProcessingResultStatus>',
  '<QualificationValidity>1</QualificationValidity>',
  '<ResultList>',
  '<ResultOfQualificationConfirmation >',
  '<InsuredCardClassification>01</InsuredCardClassification>',
  '<InsurerNumber>  01999017</InsurerNumber>',
  '<InsuredCardSymbol>１２３４</InsuredCardSymbol>',
  '<InsuredIdentificationNumber>５６７</InsuredIdentificationNumber>',
  '<InsuredBranchNumber>00</InsuredBranchNumber>',
  '<PersonalFamilyClassification>1</PersonalFamilyClassification>',
  '<InsuredName>&#x9AD9;橋　一</InsuredName>',
  '<Name>&#x9AD9;橋　一</Name>',
  '<Sex1>1</Sex1>',
  '<Birthdate>19800101</Birthdate>',
  '<InsuredCardValidDate>20240401</InsuredCardValidDate>',
  '<InsurerName>全国健康保険協会架空支部</InsurerName>',
  '<LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg>',
  '</ResultOfQualificationConfirmation>',
  '</ResultList>',
  '</MessageBody>',
  '</XmlMsg>',
].join('\r\n');

describe('result reader tolerance', () => {
  it('reads a social-insurance document without ratio, qualification date or kana; trims the insurer number', () => {
    const doc = resultDocumentFromXml(Buffer.from(socialInsurance, 'utf8'));
    assert.equal(doc.status, 'qualified');
    assert.equal(doc.warnings, undefined);
    const q = doc.qualification;
    assert.ok(q);
    assert.equal(q.insurerNumber, '01999017');
    assert.equal(q.name, '髙橋　一');
    assert.equal(q.cardSymbol, '１２３４');
    assert.equal(q.cardValidFrom, '2024-04-01');
    assert.equal(q.burdenPercent, undefined);
    assert.equal(q.qualificationStart, undefined);
    assert.equal(q.nameKana, undefined);
    assert.equal(doc.limitInfoConsented, false);
  });

  it('keeps QualificationValidity 6 and InsuredCardClassification A1 (医療扶助) as unknown, with warnings', () => {
    const text = socialInsurance
      .replace('<QualificationValidity>1<', '<QualificationValidity>6<')
      .replace('<InsuredCardClassification>01<', '<InsuredCardClassification>A1<');
    const doc = resultDocumentFromXml(text);
    assert.equal(doc.status, 'unknown');
    assert.equal(doc.qualificationValidityCode, '6');
    assert.equal(doc.qualification?.insuredCardClassification, 'A1');
    assert.deepEqual(
      doc.warnings?.map((w) => [w.element, w.code]),
      [
        ['QualificationValidity', '6'],
        ['InsuredCardClassification', 'A1'],
      ],
    );
  });

  it('keeps QualificationValidity 5 (複数該当) as no-record with its code, and an unknown ProcessingResultCode as found', () => {
    const text = socialInsurance
      .replace('<QualificationValidity>1<', '<QualificationValidity>5<')
      .replace('<ProcessingResultStatus>1</ProcessingResultStatus>', '<ProcessingResultStatus>1</ProcessingResultStatus><ProcessingResultCode>XY123</ProcessingResultCode><ProcessingResultMessage>何か</ProcessingResultMessage>');
    const doc = resultDocumentFromXml(text);
    assert.equal(doc.status, 'no-record');
    assert.equal(doc.qualificationValidityCode, '5');
    assert.deepEqual(doc.processingResult, { code: 'XY123', message: '何か' });
  });

  it('drops a malformed optional date and an unknown limit category with a warning, not a throw', () => {
    const text = socialInsurance
      .replace('<InsuredCardValidDate>20240401<', '<InsuredCardValidDate>2024-04-01<')
      .replace(
        '<LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg>',
        '<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg><LimitApplicationCertificateRelatedInfo><LimitApplicationCertificateClassification>01</LimitApplicationCertificateClassification><LimitApplicationCertificateClassificationFlag>Z99</LimitApplicationCertificateClassificationFlag><LimitApplicationCertificateValidStartDate>20260401</LimitApplicationCertificateValidStartDate></LimitApplicationCertificateRelatedInfo>',
      );
    const doc = resultDocumentFromXml(text);
    assert.equal(doc.qualification?.cardValidFrom, undefined);
    assert.equal(doc.qualification?.limitCategory, undefined);
    assert.deepEqual(doc.warnings?.map((w) => w.element), ['InsuredCardValidDate', 'LimitApplicationCertificateClassificationFlag']);
  });

  it('never crashes: every truncation and byte flip of a golden document is read or refused with XmlDocumentError', () => {
    const bytes = Buffer.from(readFileSync(join(__dirname, 'golden', 'expired-grace.xml')));
    let refused = 0;
    const attempt = (b: Buffer) => {
      try {
        resultDocumentFromXml(b);
      } catch (e) {
        assert.ok(e instanceof XmlDocumentError, `${String(e)}`);
        refused++;
      }
    };
    for (let cut = 0; cut < bytes.length; cut += 7) attempt(bytes.subarray(0, cut));
    // Deterministic pseudo-random flips (no Math.random: the test must be repeatable).
    let seed = 15;
    for (let i = 0; i < 400; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const b = Buffer.from(bytes);
      b[seed % b.length] = (seed >> 8) & 0xff;
      attempt(b);
    }
    assert.ok(refused > 100);
  });
});
