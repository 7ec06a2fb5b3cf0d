import assert from 'node:assert/strict';
import { CardFaceReader } from '../../src/card-face/ocr';
import { faceSample, expectedCodeB, eraOf, type FaceSample } from './independent-faces';

/**
 * A small fixed subset of the independent evaluation (issue 13): faces of all three designs drawn
 * by `independent-faces.ts` (its own layouts, fonts and camera; nothing shared with the product's
 * renderer), at moderate camera severity. The full set is `npm run eval:card-face`.
 */
describe('card-face OCR on faces the product did not draw', function () {
  this.timeout(240_000);
  const reader = new CardFaceReader();
  before(() => reader.start());
  after(() => reader.stop());

  it('the ground truth follows the public rule (soltia48/myna-card: 1980-02-17, 2035, 2285 → 55021720352285)', () => {
    assert.equal(expectedCodeB('current', '1980-02-17', '2035-02-17', '2285'), '55021720352285');
    assert.deepEqual(eraOf('1989-01-07'), { era: '昭和', year: 64 });
    assert.deepEqual(eraOf('2019-05-01'), { era: '令和', year: 1 });
    // Western-printed faces: the printed year's last two digits (an assumption, see card-profile.ts).
    assert.equal(expectedCodeB('next', '1980-02-17', '2035-02-17', '2285'), '80021720352285');
  });

  const SUBSET = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const options = { seed: 1000, samples: SUBSET.length, severity: 0.5 };
  const scans: Array<{ sample: FaceSample; ok: boolean; got: string }> = [];
  for (const i of SUBSET) {
    it(`sample ${i} (${['current', 'current-foreign', 'next'][i % 3]}) is read exactly or refused, never read wrong`, async () => {
      const sample = await faceSample(i, options);
      const scan = await reader.scan(sample.image);
      const got = `${scan.birth ?? ''}${scan.expiryYear ?? ''}${scan.securityCode ?? ''}`;
      scans.push({ sample, ok: scan.ok, got });
      // Never present a wrong code (each would cost one of the card's 10 tries).
      if (scan.ok) assert.equal(got, sample.expectedCodeB, 'confidently wrong');
      else assert.ok(scan.reason !== 'no-card', 'the card was not even found');
    });
  }

  it('reads at least 7 of the 9 exactly, every design at least twice', () => {
    // Measured 7/9 when this was written (samples 1 and 5 refused: inconsistent, unreadable).
    const exact = scans.filter((s) => s.ok && s.got === s.sample.expectedCodeB);
    assert.ok(exact.length >= 7, `${exact.length}/9 read exactly`);
    for (const d of ['current', 'current-foreign', 'next']) assert.ok(exact.filter((s) => s.sample.design === d).length >= 2, d);
  });
});
