/**
 * The colour-flash cue (src/face/liveness/flash.ts) on frames this test draws itself: a grey
 * scene whose pixels take the panel's colour by a gain map the test chooses (a dome for a head, a
 * constant for a sheet, zero for a screen). Nothing of the eval's renderer is used.
 */
import assert from 'node:assert/strict';
import { defaultFlashConfig, flashSequence, judgeFlash, type FlashColour, type FlashFrame } from '../../src/face/liveness/flash';
import type { Box, RgbImage } from '../../src/face/image';

const W = 320;
const H = 240;
const box: Box = { x: 110, y: 70, width: 100, height: 110 };

/** Gain of a pixel under the flash: a dome over the face box (1 in the middle, `edge` at the box's sides). */
function dome(peak: number, edge: number): (x: number, y: number) => number {
  return (x, y) => {
    const u = (x - (box.x + box.width / 2)) / (box.width / 2);
    const v = (y - (box.y + box.height / 2)) / (box.height / 2);
    const r2 = u * u + v * v;
    return r2 > 1.2 ? 0 : peak * (1 - (1 - edge) * Math.min(1, r2));
  };
}

/** One frame: a skin-coloured scene (R 170, G 120, B 100) lit by `gain(x, y)` of the panel's colour, then `scale` on every channel. */
function frame(colour: FlashColour, gain: (x: number, y: number) => number, scale = 1): FlashFrame {
  const rgb = new Uint8Array(W * H * 3);
  const base = [170, 120, 100];
  const panel = colour === 'red' ? [1, 0.1, 0.03] : [0.03, 0.15, 1];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const g = gain(x, y);
      for (let c = 0; c < 3; c++) rgb[(y * W + x) * 3 + c] = Math.min(255, Math.round(base[c]! * (1 + panel[c]! * g) * scale));
    }
  }
  const image: RgbImage = { width: W, height: H, rgb };
  return { colour, image };
}

const sequence = (gain: (x: number, y: number) => number, scales: [number, number, number] = [1, 1, 1]): FlashFrame[] => [frame('red', gain, scales[0]), frame('blue', gain, scales[1]), frame('red', gain, scales[2])];

describe('face liveness: colour flash', () => {
  it('a near, curved face in front of a far room is live', () => {
    // The gain falls to ~65 % at the middle's edge (cheeks turned ~50° from the panel).
    const r = judgeFlash(sequence(dome(0.12, 0)), box);
    assert.equal(r.verdict, 'live', JSON.stringify(r));
    assert.ok(r.faceGain > 0.05 && r.faceGain < 0.13, `faceGain ${r.faceGain}`);
    assert.ok(r.surroundGain !== undefined && Math.abs(r.surroundGain) < 0.01);
  });

  it('a sheet whose paper surrounds the face changes as much as the face: flat-surround', () => {
    // A print held close: the face and the paper beside it take the same light.
    const r = judgeFlash(sequence((x, y) => (x > 0 && y > 0 ? 0.12 : 0) * (1 - 0.4 * Math.max(0, ((x - 160) / 160) ** 2))), box);
    assert.equal(r.verdict, 'flat-surround', JSON.stringify(r));
  });

  it('a print cut to the face: no surround, but no relief either: flat-relief', () => {
    const inFace = (x: number, y: number): boolean => ((x - 160) / 60) ** 2 + ((y - 125) / 65) ** 2 < 1;
    // Tilted: the gain rises linearly across the sheet, which the centre–ring comparison cancels.
    const r = judgeFlash(sequence((x, y) => (inFace(x, y) ? 0.1 * (0.8 + 0.4 * ((x - 110) / 100)) : 0)), box);
    assert.equal(r.verdict, 'flat-relief', JSON.stringify(r));
  });

  it('a print bent into a cylinder, whatever its axis, has less relief than a head: flat-relief', () => {
    // Paper bends one way at a time: the gain falls off across the ruling lines and not along them,
    // so the ring's median stays nearer the centre's than a head's does.
    for (const [ax, ay] of [[1, 0], [0, 1], [Math.SQRT1_2, Math.SQRT1_2]] as const) {
      const r = judgeFlash(
        sequence((x, y) => {
          const u = (x - (box.x + box.width / 2)) / (box.width / 2);
          const v = (y - (box.y + box.height / 2)) / (box.height / 2);
          const across = u * ax + v * ay;
          // A sheet the size of the face box (its paper beside the face would be flat-surround).
          return Math.abs(u) > 1 || Math.abs(v) > 1 ? 0 : 0.12 * Math.max(0, 1 - 0.5 * across * across);
        }),
        box,
      );
      assert.equal(r.verdict, 'flat-relief', `axis ${ax},${ay}: ${JSON.stringify(r)}`);
      assert.ok(r.relief > 0.02, `a bent sheet has some relief: ${r.relief}`);
    }
  });

  it('a screen barely reflects the panel: no-reflection', () => {
    const r = judgeFlash(sequence(dome(0.006, 0.6)), box);
    assert.equal(r.verdict, 'no-reflection', JSON.stringify(r));
  });

  it('a brightness change between the frames (exposure, flicker, motion) is not a flash', () => {
    // No panel light at all, the blue frame 10 % brighter on every channel: a gain read from one
    // channel would see ±0.1.
    const r = judgeFlash(sequence(() => 0, [1, 1.1, 1]), box);
    assert.equal(r.verdict, 'no-reflection', JSON.stringify(r));
    assert.ok(Math.abs(r.faceGain) < 0.005, `faceGain ${r.faceGain}`);
  });

  it('the frames must carry both colours and a face large enough to measure', () => {
    assert.equal(judgeFlash([frame('red', dome(0.12, 0.6)), frame('red', dome(0.12, 0.6))], box).verdict, 'insufficient');
    assert.equal(judgeFlash(sequence(dome(0.12, 0.6)), { x: 150, y: 100, width: 12, height: 12 }).verdict, 'insufficient');
    const dark: FlashFrame[] = sequence(() => 0).map((f) => ({ colour: f.colour, image: { ...f.image, rgb: new Uint8Array(f.image.rgb.length) } }));
    assert.equal(judgeFlash(dark, box).verdict, 'insufficient');
  });

  it('the sequence is red–blue–red or blue–red–blue, picked by the random source', () => {
    assert.deepEqual(flashSequence(() => 0.1), ['red', 'blue', 'red']);
    assert.deepEqual(flashSequence(() => 0.9), ['blue', 'red', 'blue']);
    assert.equal(defaultFlashConfig.grid % 2, 1);
  });
});
