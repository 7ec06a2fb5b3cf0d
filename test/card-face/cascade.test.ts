/**
 * The detector cascade (issue 13, speed; docs/card-face.md "Detector cascade (session 11)"): the
 * face is read with the detector at 640 px first, and scanned again at 960 only when that scan
 * is not confident. Both directions are pinned: a cascade that always ran 960 would lose the
 * speed, one that never ran it would lose the faces 640 refuses.
 */
import assert from 'node:assert/strict';
import { CardFaceReader, PADDLE_SETTINGS, cascade, type CardFaceScan } from '../../src/card-face/ocr';
import { PaddleEngine } from '../../src/card-face/ocr-engine';
import { renderCardFace } from '../../rig/emulator/card-face/render-face';
import { degradeCardImage } from '../../rig/emulator/card-face/degrade';
import { emptyTrayImage, impossibleBirthDateImage, persona } from './reader-fixtures';


describe('the detector cascade', () => {
  const scan = (ok: boolean, side: number): CardFaceScan => ({ ok, ...(ok ? {} : { reason: 'inconsistent' as const }), confidence: ok ? 0.9 : 0, securityCode: String(side), ms: side });

  it('is 640 then 960 in the reader’s settings', () => {
    assert.deepEqual(PADDLE_SETTINGS.detectorSides, [640, 960]);
  });

  it('takes a confident first pass and runs no other', async () => {
    const ran: number[] = [];
    const r = await cascade([640, 960], (side) => (ran.push(side), Promise.resolve(scan(true, side))));
    assert.deepEqual(ran, [640]);
    assert.equal(r.ok, true);
    assert.equal(r.securityCode, '640');
    assert.deepEqual(r.detectorSides, [640]);
  });

  it('scans again at the next side only when the pass refused, and answers with that pass', async () => {
    const ran: number[] = [];
    const r = await cascade([640, 960], (side) => (ran.push(side), Promise.resolve(scan(side === 960, side))));
    assert.deepEqual(ran, [640, 960]);
    assert.equal(r.ok, true);
    assert.equal(r.securityCode, '960');
    assert.deepEqual(r.detectorSides, [640, 960]);
  });

  it('refuses with the last pass’s refusal when every pass refused', async () => {
    const r = await cascade([640, 960], (side) => Promise.resolve({ ...scan(false, side), reason: side === 640 ? ('unreadable' as const) : ('implausible-date' as const) }));
    assert.equal(r.ok, false);
    assert.equal(r.reason, 'implausible-date');
    assert.deepEqual(r.detectorSides, [640, 960]);
  });
});

describe('the reader runs the 960 pass only when the 640 pass refused', function () {
  this.timeout(120_000);
  const reader = new CardFaceReader({ now: () => new Date('2026-11-23T00:00:00Z') });
  // Every page read the reader asks of PaddleOCR, by its detector side (a spy on the engine).
  const sides: Array<number | undefined> = [];
  const readPage = PaddleEngine.prototype.readPage;
  before(async () => {
    PaddleEngine.prototype.readPage = function (this: PaddleEngine, ...args: Parameters<PaddleEngine['readPage']>) {
      sides.push(args[2]?.side);
      return readPage.apply(this, args);
    };
    await reader.start();
  });
  after(async () => {
    PaddleEngine.prototype.readPage = readPage;
    await reader.stop();
  });
  beforeEach(() => (sides.length = 0));

  it('a face the 640 pass reads confidently: one pass, no page read at 960', async () => {
    const s = await reader.scan(await degradeCardImage(await renderCardFace(persona('valid')), {}));
    assert.equal(s.ok, true, `scan refused: ${s.reason}`);
    assert.deepEqual(sides, [640]);
    assert.deepEqual(s.detectorSides, [640]);
  });

  it('a face the 640 pass refuses (a date that cannot exist): scanned again at 960, refused again', async () => {
    const s = await reader.scan(await impossibleBirthDateImage(persona('valid')));
    assert.equal(s.ok, false);
    assert.equal(s.reason, 'implausible-date');
    assert.deepEqual(sides, [640, 960]);
    assert.deepEqual(s.detectorSides, [640, 960]);
  });

  it('no card: no page read at all', async () => {
    const s = await reader.scan(await emptyTrayImage());
    assert.equal(s.reason, 'no-card');
    assert.deepEqual(sides, []);
  });
});
