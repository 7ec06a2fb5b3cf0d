import assert from 'node:assert/strict';
import { warp, warpGrey, type Homography } from '../../src/card-face/geometry';
import { rectify } from '../../src/card-face/locate';

/** A projective map with some of everything: scale, shear, translation, perspective. */
const H: Homography = [1.1, 0.05, 100, -0.04, 1.05, 80, 0.00001, 0.00002, 1];

describe('card-face geometry: the grey resampler (issue 13, scan time)', () => {
  it('samples a linear ramp exactly: a bilinear blend of a linear image is the ramp at the mapped point', () => {
    // The source is 2·x + y grey levels (up to 255 inside the sampled area), so the right value at
    // any point is known without any resampler: round(2·sx + sy) at the mapped (sx, sy).
    const width = 120;
    const height = 40;
    const grey = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) grey[y * width + x] = Math.min(255, 2 * x + y);
    const h: Homography = [0.5, 0.02, 3.3, -0.01, 0.4, 2.7, 0.0004, 0.0002, 1];
    const out = warpGrey({ width, height, grey }, 150, 60, h, 255);
    let checked = 0;
    for (let y = 0; y < 60; y++) {
      for (let x = 0; x < 150; x++) {
        const w = h[6] * x + h[7] * y + h[8];
        const sx = (h[0] * x + h[1] * y + h[2]) / w;
        const sy = (h[3] * x + h[4] * y + h[5]) / w;
        if (sx < 0 || sy < 0 || sx > width - 1 || sy > height - 1) {
          assert.equal(out[y * 150 + x], 255, `fill at ${x},${y}`);
          continue;
        }
        if (2 * (sx + 1) + sy + 1 > 255) continue; // the clamped corner of the ramp is not linear
        assert.ok(Math.abs((out[y * 150 + x] as number) - (2 * sx + sy)) <= 0.5 + 1e-9, `pixel ${x},${y}: ${out[y * 150 + x]} for ${2 * sx + sy}`);
        checked++;
      }
    }
    assert.ok(checked > 5000, `${checked} pixels checked`);
  });

  it("gives the general resampler's pixels, at most one grey level apart by rounding", () => {
    const width = 640;
    const height = 480;
    const grey = new Uint8Array(width * height);
    let s = 7;
    for (let i = 0; i < grey.length; i++) grey[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    const fast = warpGrey({ width, height, grey }, 428, 270, H, 255);
    const general = warp({ width, height, channels: 1, data: grey }, 428, 270, H, () => 255).data;
    let differing = 0;
    for (let i = 0; i < fast.length; i++) {
      const d = Math.abs((fast[i] as number) - (general[i] as number));
      assert.ok(d <= 1, `pixel ${i}: ${fast[i]} vs ${general[i]}`);
      if (d) differing++;
    }
    assert.ok(differing < fast.length / 1000, `${differing} pixels differ`);
  });

  it('rectifies the card straight to the OCR size: a mark on the card lands at its scaled place', () => {
    // A white card (a parallelogram: x from 100 + y/10, width 428, rows 50–320) on a black tray,
    // with a black 6×6 mark at the card's (214, 135) — its centre, in 856×540 face units at half size.
    const width = 700;
    const height = 400;
    const grey = new Uint8Array(width * height);
    for (let y = 50; y <= 320; y++) for (let x = 0; x <= 427; x++) grey[y * width + Math.round(100 + (y - 50) / 10) + x] = 255;
    const markX = Math.round(100 + 135 / 10) + 214;
    for (let y = 185 - 3; y < 185 + 3; y++) for (let x = markX - 3; x < markX + 3; x++) grey[y * width + x] = 0;
    const corners = [
      { x: 100, y: 50 },
      { x: 527, y: 50 },
      { x: 554, y: 320 },
      { x: 127, y: 320 },
    ];
    const face = rectify({ width, height, grey }, corners, false, 1.5);
    assert.equal(face.width, 1284);
    assert.equal(face.height, 810);
    // The face's centre is the mark: dark; a point a tenth of the width away is the card: white.
    assert.ok((face.grey[405 * 1284 + 642] as number) < 60, `centre ${face.grey[405 * 1284 + 642]}`);
    assert.ok((face.grey[405 * 1284 + 770] as number) > 200, `card ${face.grey[405 * 1284 + 770]}`);
  });
});
