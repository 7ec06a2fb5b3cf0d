/**
 * The result document written twice by code that shares nothing (issue 15, house rule of
 * independent oracles): the device's encoder (`resultDocumentFromConfirmation` →
 * `resultDocumentToXml`, what lands in the reception folder) and the backend simulator's own
 * writer of the public layout (`rig/backend-simulator/result-document.ts`, served at
 * `GET /receptions/N/xml`). Read by saxes, element order and text included, they must be equal
 * for every persona the backend answers and every consent answer a patient can give; and the
 * simulator's document must equal the hand-written goldens.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultDocumentFromConfirmation, resultDocumentToXml } from '../../src/backend/oqs-xml-mapping';
import type { Consents } from '../../src/backend/protocol';
import { receptionResultDocument } from '../../rig/backend-simulator/result-document';
import type { PersonaName } from '../../rig/personas/catalogue';
import { allConsents, cardSignature, noConsents, pinRequest, serialOf, startRig, type Rig } from './sim-fixture';
import { oracleParse } from './xml-oracle';

const consents = (given: Partial<Consents['given']>, extra: Partial<Consents> = {}): Consents => ({
  mode: 'individual',
  given: { ...noConsents.given, ...given },
  limitInfo: true,
  ...extra,
});

describe('result document: device encoder against the simulator’s own writer', function () {
  this.timeout(60_000);
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => rig?.stop());

  const cardCases: { persona: PersonaName; label: string; extra?: Parameters<typeof pinRequest>[3] }[] = [
    { persona: 'valid', label: 'all consents', extra: { consents: allConsents() } },
    { persona: 'valid', label: 'none given', extra: { consents: noConsents } },
    { persona: 'valid', label: 'お薬 only, 健診', extra: { consents: consents({ medicationOnly: true, healthCheckups: true }) } },
    { persona: 'valid', label: '手術 only', extra: { consents: consents({ surgeryDiagnosisInfection: true }) } },
    { persona: 'valid', label: 'limit information declined (old screen)', extra: { consents: consents({ clinicalAndMedication: true }, { limitInfo: false }) } },
    { persona: 'valid', label: 'kind ② home-consent', extra: { confirmationKind: 'home-consent', consents: allConsents() } },
    { persona: 'valid', label: 'kind ③ qualification only', extra: { confirmationKind: 'qualification-only' } },
    { persona: 'expiring-soon', label: 'notice', extra: { consents: allConsents() } },
    { persona: 'expired-grace', label: 'grace' },
    { persona: 'qualification-invalid', label: 'lost qualification' },
    { persona: 'no-record', label: 'no record' },
    { persona: 'foreign-resident', label: 'foreign resident', extra: { consents: allConsents() } },
    { persona: 'next-generation', label: 'next-generation card', extra: { consents: allConsents() } },
    { persona: 'face-only', label: 'face-only card by PIN' },
  ];

  async function compare(seq: number, deviceXml: string): Promise<void> {
    const reception = rig.client({ ...rig.sim.clientConfig('reception') });
    const served = await reception.receptionXml(seq);
    assert.deepEqual(oracleParse(deviceXml), oracleParse(served));
  }

  for (const c of cardCases) {
    it(`${c.persona}: ${c.label}`, async () => {
      const device = rig.client();
      const input = await pinRequest(rig, device, c.persona, c.extra ?? {});
      const r = await device.confirm(input);
      const doc = resultDocumentFromConfirmation(r, rig.sim.facilityCode, input.consents);
      assert.ok(doc, `a document for ${r.status}`);
      await compare(r.receptionSeq, resultDocumentToXml(doc));
    });
  }

  for (const platform of ['android', 'iphone'] as const) {
    it(`${platform}: smartphone certificate (特定疾病 released to マイナ保険証)`, async () => {
      const device = rig.client();
      const { nonce } = await device.issueNonce();
      const p = rig.creds.persona(platform);
      const input = {
        confirmationKind: 'standard' as const,
        userAuthCertificate: p.userAuthCertificate.toString('base64'),
        proof: { method: 'smartphone' as const, platform, nonce, signature: cardSignature(p.userAuthKey, nonce), certificateSerial: serialOf(p.userAuthCertificate) },
        consents: allConsents(),
      };
      const r = await device.confirm(input);
      const doc = resultDocumentFromConfirmation(r, rig.sim.facilityCode, input.consents);
      assert.ok(doc);
      await compare(r.receptionSeq, resultDocumentToXml(doc));
    });
  }

  it('refused attempts have no document on either side', async () => {
    const device = rig.client();
    const r = await device.confirm(await pinRequest(rig, device, 'expired-past-grace'));
    assert.equal(resultDocumentFromConfirmation(r, rig.sim.facilityCode), undefined);
    const entry = rig.sim.receptions.get(r.receptionSeq);
    assert.ok(entry);
    assert.equal(receptionResultDocument(entry), undefined);
  });
});

describe('result document: the simulator’s writer against the hand-written goldens', () => {
  const golden = (name: string) => readFileSync(join(__dirname, 'golden', `${name}.xml`), 'utf8');
  it('valid (all consents but お薬 only) and no-record, at the goldens’ session time', () => {
    const base = { seq: 1, receivedAt: '2026-12-01T00:30:00.000Z', facilityCode: '1319999999', deviceId: 'fcr-test', identityMethod: 'pin' as const, notices: [] };
    const rigPersons = require('../../rig/backend-simulator/insured-persons') as typeof import('../../rig/backend-simulator/insured-persons');
    const catalogue = require('../../rig/personas/catalogue') as typeof import('../../rig/personas/catalogue');
    const person = rigPersons.insuredPersonFor(catalogue.findPersona('valid')!);
    const valid = receptionResultDocument({
      ...base,
      status: 'qualified',
      qualification: person.qualification!,
      consents: { mode: 'individual', given: { surgeryDiagnosisInfection: true, clinicalAndMedication: true, medicationOnly: false, healthCheckups: true, referralLetterIds: [] }, limitInfo: true },
    });
    assert.ok(valid);
    assert.deepEqual(oracleParse(valid), oracleParse(golden('valid')));
    const none = receptionResultDocument({ ...base, status: 'no-record' });
    assert.ok(none);
    // The golden no-record has no result element and so no limit consent either.
    assert.deepEqual(oracleParse(none), oracleParse(golden('no-record')));
  });
});
