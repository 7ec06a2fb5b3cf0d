/**
 * The spoof set's flash lighting (test/face/spoofs/flash-light.ts) against the inverse-square and
 * cosine laws worked out by hand: the eval's verdicts are only as good as this physics.
 */
import assert from 'node:assert/strict';
import { applyFlash, panelPosition } from './spoofs/flash-light';
import { counterCamera as cam } from './spoofs/render';
import type { RgbImage } from '../../src/face/image';

const W = 64;
const H = 48;

/** A plane through the world point at pixel (32, 24) with depth z = z0 + slope·X (tilted about the vertical axis), or NaN (background) where `hole`. */
function plane(z0: number, slope: number, hole?: (x: number, y: number) => boolean): Float32Array {
  const world = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      if (hole?.(x, y)) {
        world.fill(NaN, i, i + 3);
        continue;
      }
      const X = x - 32;
      world[i] = X;
      world[i + 1] = y - 24;
      world[i + 2] = z0 + slope * X;
    }
  }
  return world;
}

const grey = (v: number): RgbImage => ({ width: W, height: H, rgb: new Uint8Array(W * H * 3).fill(v) });
const at = (img: RgbImage, x: number, y: number, c = 0): number => img.rgb[(y * W + x) * 3 + c]!;

describe('spoof set: flash lighting', () => {
  it('a sheet facing the camera at the reference distance takes cos θ · (f / d)² of the panel', () => {
    const img = grey(100);
    applyFlash(img, plane(0, 0), { gain: [0.2, 0, 0], material: 'diffuse', backgroundDistance: 4 }, cam);
    const [px, py, pz] = panelPosition(cam);
    const d = Math.hypot(px - 0, py - 0, pz - 0);
    const expected = 100 * (1 + 0.2 * (cam.f / d) * (cam.f / d) ** 2); // cos θ = f / d for the normal (0, 0, −1)
    assert.ok(Math.abs(at(img, 32, 24) - expected) <= 0.5, `${at(img, 32, 24)} vs ${expected}`);
    assert.equal(at(img, 32, 24, 1), 100, 'no gain, no change');
  });

  it('twice as far, a quarter of the light; turned 60° away, about half', () => {
    const near = grey(100);
    const far = grey(100);
    const turned = grey(100);
    const light = { gain: [1, 1, 1] as [number, number, number], material: 'diffuse' as const, backgroundDistance: 4 };
    applyFlash(near, plane(0, 0), light, cam);
    applyFlash(far, plane(cam.f, 0), light, cam);
    applyFlash(turned, plane(0, Math.tan(Math.PI / 3)), light, cam);
    const gain = (img: RgbImage): number => at(img, 32, 24) / 100 - 1;
    assert.ok(Math.abs(gain(far) / gain(near) - 0.25) < 0.03, `far/near ${gain(far) / gain(near)}`);
    assert.ok(Math.abs(gain(turned) / gain(near) - 0.5) < 0.06, `turned/near ${gain(turned) / gain(near)}`);
  });

  it('the background takes 1 / distance², a screen only its reflectance', () => {
    const img = grey(100);
    applyFlash(img, plane(0, 0, (x) => x < 8), { gain: [0.5, 0.5, 0.5], material: 'diffuse', backgroundDistance: 5 }, cam);
    assert.equal(at(img, 2, 24), Math.round(100 * (1 + 0.5 / 25)));
    const screen = grey(100);
    applyFlash(screen, plane(0, 0), { gain: [0.5, 0.5, 0.5], material: 'emissive', reflectance: 0.02, backgroundDistance: 5 }, cam);
    // 230 (white) × 0.02 × 0.5 × ~0.94: about 2 grey levels on a picture of 100.
    assert.ok(at(screen, 32, 24) - 100 >= 1 && at(screen, 32, 24) - 100 <= 3, `${at(screen, 32, 24)}`);
  });

  it('noise is added before rounding, so a dark surface keeps its flash on average', () => {
    const img = grey(6);
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    applyFlash(img, plane(0, 0), { gain: [0.05, 0, 0], material: 'diffuse', backgroundDistance: 4 }, cam, { amplitude: 5, random });
    let sum = 0;
    for (let y = 4; y < H - 4; y++) for (let x = 4; x < W - 4; x++) sum += at(img, x, y);
    const mean = sum / ((W - 8) * (H - 8));
    // 6 × (1 + 0.05 · 0.94) = 6.28: rounding before the noise would leave 6.00.
    assert.ok(mean > 6.15 && mean < 6.45, `mean ${mean}`);
  });
});
