/**
 * Golden result documents (issue 15): for each persona, the document our encoder writes equals
 * the one written by hand from the public layout (test/backend/golden/*.xml), element order and
 * text included, as an independent strict parser (saxes) reads both. Then our reader reads the
 * golden file back to the record it was written from (write → parse → equal), in UTF-8 and
 * Shift_JIS (bytes converted by iconv-lite directly, not by our encoder).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { resultDocumentFromXml, resultDocumentToXml, type OqsResultDocument } from '../../src/backend/oqs-xml-mapping';
import { insuredPersonFor } from '../../rig/backend-simulator/insured-persons';
import { findPersona, type PersonaName } from '../../rig/personas/catalogue';
import { oracleParse } from './xml-oracle';

const processedAt = new Date('2026-12-01T00:30:00.000Z'); // 09:30:00 JST
const golden = (name: string) => readFileSync(join(__dirname, 'golden', `${name}.xml`), 'utf8');

function documentFor(name: PersonaName, extra: Partial<OqsResultDocument> = {}): OqsResultDocument {
  const p = findPersona(name);
  if (!p) throw new Error(`no persona ${name}`);
  const person = insuredPersonFor(p);
  const q = person.qualification ?? person.lost?.qualification;
  return {
    facilityCode: '1319999999',
    processedAt,
    status: person.outcome,
    ...(q ? { qualification: q } : {}),
    ...(person.lost ? { reasonOfLoss: person.lost.reasonOfLoss } : {}),
    limitInfoConsented: true,
    ...extra,
  };
}

const cases: { persona: PersonaName; extra?: Partial<OqsResultDocument> }[] = [
  { persona: 'valid', extra: { consents: { surgeryDiagnosisInfection: true, clinicalAndMedication: true, medicationOnly: false, healthCheckups: true } } },
  {
    persona: 'expiring-soon',
    extra: { notices: ['certificate-expiring-soon'], consents: { surgeryDiagnosisInfection: false, clinicalAndMedication: false, medicationOnly: true, healthCheckups: true } },
  },
  { persona: 'expired-grace', extra: { notices: ['certificate-grace-qualification-only'] } },
  { persona: 'qualification-invalid' },
  // No result element: nothing carries the limit consent, so it reads back as not given.
  { persona: 'no-record', extra: { limitInfoConsented: false } },
  { persona: 'android' },
];

describe('golden result documents per persona', () => {
  for (const { persona, extra } of cases) {
    it(`${persona}: our document is the hand-written one; the hand-written one reads back to the record`, () => {
      const doc = documentFor(persona, extra);
      const ours = resultDocumentToXml(doc);
      assert.deepEqual(oracleParse(ours), oracleParse(golden(persona)));

      // Read back: everything but the write-only consents and the public subsidies (no element).
      const { consents: _c, ...expected } = doc;
      if (expected.qualification) expected.qualification = { ...expected.qualification, publicSubsidies: [] };
      assert.deepEqual(resultDocumentFromXml(golden(persona)), expected);

      const sjis = iconv.encode(golden(persona).replace('encoding="UTF-8"', 'encoding="Shift_JIS"').replace('<CharacterCodeIdentifier>0<', '<CharacterCodeIdentifier>1<'), 'Shift_JIS');
      assert.deepEqual(resultDocumentFromXml(sjis), expected);
    });
  }

  it('a Shift_JIS document from us says so twice (declaration, CharacterCodeIdentifier 1) and decodes with iconv-lite', () => {
    const text = resultDocumentToXml(documentFor('valid'), 'shift_jis');
    assert.match(text, /^<\?xml version="1.0" encoding="Shift_JIS"/);
    const tree = oracleParse(iconv.decode(iconv.encode(text, 'Shift_JIS'), 'Shift_JIS'));
    const header = tree.children.find((c) => c.name === 'MessageHeader');
    assert.equal(header?.children.find((c) => c.name === 'CharacterCodeIdentifier')?.text, '1');
  });
});
