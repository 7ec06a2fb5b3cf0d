import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { fieldCandidates } from '../../src/card-face/field-lines';
import { PaddleEngine } from '../../src/card-face/ocr-engine';
import { PADDLE_SETTINGS } from '../../src/card-face/ocr';
import { ocrPage, preparedCrop, toPgm, REREADS } from '../../src/card-face/ocr-image';
import { locateCard, type GreyFrame } from '../../src/card-face/locate';
import { compact, parseField } from '../../src/card-face/printed-fields';
import { faceSample } from './independent-faces';

/** A paper-white face with a dark block (a stand-in photo) in its right half. */
function paperWithPhoto(): GreyFrame {
  const width = 1284;
  const height = 810;
  const grey = new Uint8Array(width * height).fill(220);
  for (let y = 150; y < 480; y++) for (let x = 950; x < 1220; x++) grey[y * width + x] = 40;
  return { width, height, grey };
}

describe('which detected lines are recognised (field-lines.ts)', () => {
  const face = paperWithPhoto();
  // Heights 40 px: widths in line heights 1.9 (a code or a two-glyph label), 7 (a date), 16 (an address), 1 (男).
  const codeUnderPhoto = { x0: 1045, y0: 520, x1: 1121, y1: 560 };
  const labelTopLeft = { x0: 40, y0: 60, x1: 116, y1: 100 };
  const birth = { x0: 300, y0: 60, x1: 580, y1: 100 };
  const expiry = { x0: 40, y0: 700, x1: 440, y1: 740 };
  const address = { x0: 40, y0: 300, x1: 680, y1: 340 };
  const sex = { x0: 40, y0: 400, x1: 80, y1: 440 };

  it('keeps the code under the photo first, then the date-shaped lines, likeliest first; drops labels, one glyph and long lines', () => {
    const wideDate = { x0: 40, y0: 620, x1: 560, y1: 660 }; // 13 heights: possible, not likely
    assert.deepEqual(fieldCandidates(face, [labelTopLeft, wideDate, birth, address, codeUnderPhoto, sex, expiry]), [codeUnderPhoto, birth, expiry, wideDate]);
  });

  it('keeps a code-shaped line where the code is printed even with a pale photo above', () => {
    const pale: GreyFrame = { ...face, grey: new Uint8Array(face.width * face.height).fill(220) };
    assert.deepEqual(fieldCandidates(pale, [codeUnderPhoto, labelTopLeft]), [codeUnderPhoto]);
  });
});

describe('every field line of independently drawn faces is among the candidates', function () {
  this.timeout(300_000);
  const paddle = new PaddleEngine(PADDLE_SETTINGS);
  before(() => paddle.start());
  after(() => paddle.stop());

  // At each side of the detector cascade (PADDLE_SETTINGS.detectorSides): the selection sees
  // the boxes of both passes.
  it('on 9 faces of seed 2 (three designs), at each detector side, reading all lines finds no field the selection would skip', async () => {
    for (const side of paddle.detectorSides) await noFieldSkipped(side);
  });

  async function noFieldSkipped(side: number): Promise<void> {
    let fields = 0;
    for (let i = 0; i < 9; i++) {
      const { image } = await faceSample(i, { seed: 2, samples: 9 });
      const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
      const frame: GreyFrame = { width: info.width, height: info.height, grey: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
      const face = ocrPage(frame, locateCard(frame).corners);
      const all = await paddle.readPage(face, compact, { side });
      const kept = new Set(fieldCandidates(face, all.map((l) => l.bbox)).map((b) => `${b.x0},${b.y0},${b.x1},${b.y1}`));
      for (const l of all) {
        if (!(['birth', 'expiry', 'code'] as const).some((k) => parseField(k, l.text))) continue;
        fields++;
        assert.ok(kept.has(`${l.bbox.x0},${l.bbox.y0},${l.bbox.x1},${l.bbox.y1}`), `face ${i}, side ${side}: the field line ${l.text} would not be recognised`);
      }
    }
    assert.ok(fields >= 24, `only ${fields} field lines read on 9 faces at side ${side}`);
  }
});

describe('line crops as PGM for tesseract (ocr-image.ts)', () => {
  it('encodes the prepared pixels exactly (decoded by ffmpeg, not by this code)', async () => {
    const face = paperWithPhoto();
    const crop = await preparedCrop(face, { x0: 900.4, y0: 100.7, x1: 1250.2, y1: 200.1 }, REREADS[1]);
    // ffmpeg's PGM decoder (the rig's Debian ffmpeg); libvips as sharp ships it has no PNM loader.
    const decoded = execFileSync('ffmpeg', ['-v', 'error', '-f', 'pgm_pipe', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { input: toPgm(crop) });
    const size = execFileSync('ffprobe', ['-v', 'error', '-f', 'pgm_pipe', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', 'pipe:0'], { input: toPgm(crop) }).toString().trim();
    assert.equal(size, `${crop.width},${crop.height}`);
    assert.ok(Buffer.from(crop.grey).equals(decoded));
    assert.ok(crop.grey.some((v) => v === 0) && crop.grey.some((v) => v === 255), 'the binarised crop holds ink and paper');
  });
});
