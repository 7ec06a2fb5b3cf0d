import assert from 'node:assert/strict';
import { equaliseHistogram, prepareFaceCrop } from '../../src/face/faceres';

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
});
