import assert from 'node:assert/strict';
import { claheInPlace, equaliseHistogram, joinDescriptors, prepareFaceCrop, prepareFaceCrops } from '../../src/face/faceres';
import { bestCosine } from '../../src/face/image';

/** Standard deviation of the values of a size×size image in the columns [x0, x1). */
function columnsSpread(v: Float32Array, size: number, x0: number, x1: number): number {
  const xs: number[] = [];
  for (let y = 0; y < size; y++) for (let x = x0; x < x1; x++) xs.push(v[y * size + x] ?? 0);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
}

function columnsMean(v: Float32Array, size: number, x0: number, x1: number): number {
  let sum = 0;
  for (let y = 0; y < size; y++) for (let x = x0; x < x1; x++) sum += v[y * size + x] ?? 0;
  return sum / (size * (x1 - x0));
}

/** A textured 64×64 patch (a face stands in for it: fine detail everywhere) with its right half at 0.35 of the light. */
function halfShadowPatch(size = 64): Float32Array {
  const v = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const texture = 150 + 40 * Math.sin(x * 0.9) * Math.cos(y * 0.7);
      v[y * size + x] = x < size / 2 ? texture : texture * 0.35;
    }
  }
  return v;
}

describe('FaceRes crop preparation', () => {
  it('spreads a dim face over the whole range (histogram equalisation)', () => {
    // Four grey levels 10, 20, 30, 40, equally often: the CDF mapping puts them at 0, 85, 170, 255.
    const v = new Float32Array([10, 20, 30, 40, 10, 20, 30, 40]);
    equaliseHistogram(v);
    assert.deepEqual(Array.from(v), [0, 85, 170, 255, 0, 85, 170, 255]);
  });

  it('prepares a greyscale card photo and a colour frame of the same luma identically', () => {
    const width = 40;
    const height = 30;
    const grey = new Uint8Array(width * height);
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < grey.length; i++) {
      const v = (i * 37) % 256;
      grey[i] = v;
      rgb.set([v, v, v], i * 3); // a neutral colour has luma v whatever the weights
    }
    const box = { x: 5, y: 3, width: 24, height: 20 };
    const a = prepareFaceCrop({ width, height, grey }, box, { size: 16 });
    const b = prepareFaceCrop({ width, height, rgb }, box, { size: 16 });
    assert.equal(a.length, 16 * 16 * 3);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs((a[i] ?? 0) - (b[i] ?? 0)) < 1e-3, `value ${i}`);
    // three equal channels, spread to the full range
    assert.equal(a[0], a[1]);
    assert.equal(a[1], a[2]);
    assert.equal(Math.max(...a), 255);
    assert.equal(Math.min(...a), 0);
  });

  it('crops the square around the box centre, the larger side times the scale', () => {
    // Left half black, right half white; a box centred on the edge gives half and half.
    const width = 20;
    const height = 20;
    const grey = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 10; x < width; x++) grey[y * width + x] = 200;
    const crop = prepareFaceCrop({ width, height, grey }, { x: 6, y: 6, width: 8, height: 8 }, { size: 8, equalise: false });
    const row = Array.from({ length: 8 }, (_, x) => crop[(4 * 8 + x) * 3]);
    assert.deepEqual(row.slice(0, 3), [0, 0, 0]);
    assert.deepEqual(row.slice(5), [200, 200, 200]);
  });

  it('CLAHE narrows the step a half shadow leaves across a face; the global mapping keeps it', () => {
    // The oracle is the patch's own construction: both halves carry the same texture, so a
    // preparation free of the light would make them alike. The global mapping only reorders
    // tones over the whole crop — the shadow stays a dark half (the edge FaceRes sees as a
    // feature) — while CLAHE gives each region its own tone curve (Zuiderveld's aim).
    const size = 64;
    const global = halfShadowPatch(size);
    equaliseHistogram(global);
    const local = halfShadowPatch(size);
    claheInPlace(local, size);
    // Away from the tile the shadow's edge crosses (columns 24–40 blend both halves' maps).
    const gap = (v: Float32Array): number => columnsMean(v, size, 0, size / 4) - columnsMean(v, size, (3 * size) / 4, size);
    // Measured: global 127, CLAHE (4×4, clip 2) 72 — the clip limit keeps it from flattening
    // the step altogether (and from blowing up noise); one tile (a clipped global mapping) 110+.
    assert.ok(gap(global) > 100, `global: lit − shadowed mean ${gap(global).toFixed(1)}`);
    assert.ok(gap(local) < 0.7 * gap(global), `CLAHE: lit − shadowed mean ${gap(local).toFixed(1)} against ${gap(global).toFixed(1)}`);
    assert.ok(columnsSpread(local, size, (3 * size) / 4, size) > 0.35 * columnsSpread(local, size, 0, size / 4), 'the shadowed half keeps its texture');
    assert.ok(local.every((x) => x >= 0 && x <= 255));
  });

  it('CLAHE keeps the order of grey levels (a ramp stays a ramp) and has no seams between tiles', () => {
    const size = 32;
    const ramp = new Float32Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) ramp[y * size + x] = 40 + x * 5;
    claheInPlace(ramp, size);
    for (let y = 0; y < size; y++) {
      for (let x = 1; x < size; x++) {
        const step = (ramp[y * size + x] ?? 0) - (ramp[y * size + x - 1] ?? 0);
        assert.ok(step >= -1e-3, `row ${y}: ${x - 1} → ${x} goes down`);
        assert.ok(step < 40, `row ${y}: a jump of ${step.toFixed(1)} at ${x} (a seam)`);
      }
    }
  });

  it('prepares the global crop and, with localContrast, the CLAHE crop of the same pixels', () => {
    const width = 48;
    const height = 48;
    const grey = new Uint8Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = (i * 53) % 200;
    const img = { width, height, grey };
    const box = { x: 8, y: 8, width: 32, height: 32 };
    const one = prepareFaceCrops(img, box, { size: 16 });
    assert.equal(one.length, 1);
    assert.deepEqual(Array.from(one[0] ?? []), Array.from(prepareFaceCrop(img, box, { size: 16 })), 'the first preparation is the shipped one');
    const two = prepareFaceCrops(img, box, { size: 16, localContrast: true });
    assert.equal(two.length, 2);
    assert.deepEqual(Array.from(two[0] ?? []), Array.from(one[0] ?? []));
    const raw = prepareFaceCrop(img, box, { size: 16, equalise: false }).filter((_, i) => i % 3 === 0);
    claheInPlace(raw, 16);
    assert.deepEqual(Array.from(two[1] ?? []).filter((_, i) => i % 3 === 0), Array.from(raw), 'the second is CLAHE of the unequalised crop');
  });

  it('compares like preparations only and takes the better cosine', () => {
    const u = new Float32Array(1024).fill(0);
    const v = new Float32Array(1024).fill(0);
    u[0] = 1;
    v[1] = 1; // u ⊥ v
    assert.equal(bestCosine(joinDescriptors([u, v]), joinDescriptors([u, v]), 1024), 1);
    assert.equal(bestCosine(joinDescriptors([u, v]), joinDescriptors([v, v]), 1024), 1, 'the second preparation agrees');
    assert.equal(bestCosine(joinDescriptors([u, v]), joinDescriptors([v, u]), 1024), 0, 'never a global descriptor against a CLAHE one');
    const w = new Float32Array(1024);
    w[0] = 1;
    w[1] = 1;
    assert.ok(Math.abs(bestCosine(u, w, 1024) - Math.SQRT1_2) < 1e-6, 'one part: the plain cosine');
  });
});
