/**
 * The national result document: the document mapping both ways, and the simulator serving each
 * reception as that document to the reception computer.
 */
import assert from 'node:assert/strict';
import { resultDocumentFromXml, resultDocumentToXml, type OqsResultDocument } from '../../src/backend/oqs-xml-mapping';
import { BackendProtocolError, BackendRequestError } from '../../src/backend/errors';
import { allConsents, pinRequest, startRig } from './sim-fixture';

describe('result document', function () {
  it('round-trips a lost qualification with its reason, in Japan time', () => {
    const doc: OqsResultDocument = {
      facilityCode: '1319999999',
      processedAt: new Date('2026-11-22T15:30:05.000Z'), // 2026-11-23 00:30:05 JST
      status: 'invalid',
      qualification: {
        insuredCardClassification: '01',
        insurerNumber: '06999001',
        insurerName: '架空商事健康保険組合',
        cardNumber: '4040',
        personalFamily: 'insured',
        name: '山本　直樹',
        nameKana: 'ﾔﾏﾓﾄ ﾅｵｷ',
        birthDate: '1988-10-10',
        sex: 'male',
        burdenPercent: 30,
        qualificationStart: '2015-04-01',
        qualificationEnd: '2026-09-30',
        preschool: false,
        specifiedDiseases: [
          { category: '1', validFrom: '2024-01-01', selfPayLimitYen: 10000 },
          { category: '2', validFrom: '2024-02-01', selfPayLimitYen: 20000 },
        ],
        publicSubsidies: [],
      },
      reasonOfLoss: 'new-insurance',
      limitInfoConsented: true,
    };
    const xml = resultDocumentToXml(doc);
    assert.match(xml, /<QualificationConfirmationDate>20261123<\/QualificationConfirmationDate>/);
    assert.match(xml, /<ProcessExecutionTime>20261123003005<\/ProcessExecutionTime>/);
    // 無効（新しい資格あり）: lost to a new insurance (QualificationValidity 3).
    assert.match(xml, /<QualificationValidity>3<\/QualificationValidity>/);
    assert.match(xml, /<ReasonOfLoss>03<\/ReasonOfLoss>/);
    assert.deepEqual(resultDocumentFromXml(xml), doc);
  });

  it('refuses a document that is not a completed result', () => {
    const xml = resultDocumentToXml({ facilityCode: '1319999999', processedAt: new Date(), status: 'no-record', limitInfoConsented: false });
    assert.equal(resultDocumentFromXml(xml).status, 'no-record');
    assert.throws(() => resultDocumentFromXml(xml.replace('<SegmentOfResult>1<', '<SegmentOfResult>9<')), /SegmentOfResult 9/);
  });

  it('the simulator serves each reception as the result document; its qualification matches the JSON', async () => {
    const rig = await startRig();
    try {
      const device = rig.client();
      const reception = rig.client({ ...rig.sim.clientConfig('reception') });
      const r = await device.confirm(await pinRequest(rig, device, 'valid', { consents: allConsents() }));
      if (r.status !== 'qualified') throw new Error('expected qualified');
      const xml = await reception.receptionXml(r.receptionSeq);
      assert.match(xml, /<OperationInfoConsFlg>1<\/OperationInfoConsFlg>/);
      assert.match(xml, /<LimitApplicationCertificateRelatedConsFlg>1</);
      const doc = resultDocumentFromXml(xml);
      assert.equal(doc.status, 'qualified');
      assert.equal(doc.facilityCode, rig.sim.facilityCode);
      const { publicSubsidies: _p, ...mapped } = r.qualification;
      const { publicSubsidies: _p2, ...back } = doc.qualification ?? { publicSubsidies: [] };
      assert.deepEqual(back, mapped);
      await assert.rejects(reception.receptionXml(99_999), (e: unknown) => e instanceof BackendRequestError && e.httpStatus === 404);
      rig.sim.faults.inject({ fault: { kind: 'replace-body', text: '<?xml version="1.0"?><XmlMsg><Broken></XmlMsg>' }, path: '/receptions/' });
      await assert.rejects(reception.receptionXml(r.receptionSeq), BackendProtocolError);
    } finally {
      await rig.stop();
    }
  });
});
