/**
 * The head-turn challenge's pure functions (src/face/liveness/) on landmarks projected from a
 * small 3-D face of our own and from the same face squashed flat (test/face/spoofs/landmark-face.ts).
 */
import assert from 'node:assert/strict';
import { applyHomography, fitHomography, type Matrix3 } from '../../src/face/liveness/homography';
import { defaultHeadTurnConfig, judgeHeadTurn, noseParallax, pickDirection, yawDegrees } from '../../src/face/liveness/head-turn';
import { detectBlink, eyeAspectRatio } from '../../src/face/liveness/blink';
import { detectBorder as borderOf } from '../../src/face/liveness/border';
import type { GreyImage } from '../../src/face/image';
import { burst, DIAGONAL, head, print, project, VERTICAL } from './spoofs/landmark-face';

describe('face liveness: homography', () => {
  it('recovers a known plane-to-image map from noisy-free correspondences', () => {
    const h: Matrix3 = [1.1, 0.05, 12, -0.03, 0.95, -7, 0.0004, -0.0002, 1];
    const from = Array.from({ length: 20 }, (_, i) => ({ x: 100 + ((i * 37) % 200), y: 80 + ((i * 53) % 160) }));
    const fitted = fitHomography(from, from.map((p) => applyHomography(h, p)));
    assert.ok(fitted);
    const probe = { x: 190, y: 130 };
    const a = applyHomography(h, probe);
    const b = applyHomography(fitted, probe);
    assert.ok(Math.hypot(a.x - b.x, a.y - b.y) < 1e-6);
  });

  it('refuses fewer than four or collinear points', () => {
    const line = [0, 1, 2, 3, 4].map((i) => ({ x: i, y: 2 * i }));
    assert.equal(fitHomography(line.slice(0, 3), line.slice(0, 3)), undefined);
    assert.equal(fitHomography(line, line), undefined);
  });
});

describe('face liveness: head-turn challenge', () => {
  it('reads the yaw sign in the patient’s terms: a turn to the right moves the nose to the image left', () => {
    const yaw0 = yawDegrees(project(head, VERTICAL, 0))!;
    const yawR = yawDegrees(project(head, VERTICAL, 25))!;
    assert.ok(Math.abs(yaw0) < 2);
    assert.ok(yawR < -15, `yaw ${yawR}`);
  });

  it('passes a 3-D head turned 25° in the asked direction, and says wrong-direction for the other', () => {
    const frames = burst(head, VERTICAL, 25);
    const ok = judgeHeadTurn(frames, 'right');
    assert.equal(ok.passed, true, JSON.stringify(ok));
    assert.ok(ok.parallax > defaultHeadTurnConfig.minParallax);
    assert.equal(judgeHeadTurn(frames, 'left').failure, 'wrong-direction');
    assert.equal(judgeHeadTurn(burst(head, VERTICAL, -25), 'left').passed, true);
  });

  it('refuses a turn smaller than asked, and fewer than five frames', () => {
    assert.equal(judgeHeadTurn(burst(head, VERTICAL, 8), 'right').failure, 'no-turn');
    assert.equal(judgeHeadTurn(burst(head, VERTICAL, 25).slice(0, 4), 'right').failure, 'too-few-frames');
  });

  it('a flat print turned about the vertical axis does not turn at all', () => {
    const r = judgeHeadTurn(burst(print, VERTICAL, 35), 'right');
    assert.equal(r.passed, false);
    assert.equal(r.failure, 'no-turn');
  });

  it('a flat print tilted about a diagonal fakes the yaw, and the plane test stops it', () => {
    const frames = burst(print, DIAGONAL, 55);
    const r = judgeHeadTurn(frames, 'right');
    // The premise: the shear alone looks like a turn to the yaw estimate…
    assert.ok(r.yawChangeDeg >= defaultHeadTurnConfig.minYawDeg, `yaw ${r.yawChangeDeg}`);
    // …but the nose stays on the plane of the rest of the face.
    assert.ok(Math.abs(noseParallax(frames[0]!, frames[5]!)!) < 0.03);
    assert.equal(r.passed, false);
    assert.equal(r.failure, 'flat');
  });

  it('picks both directions', () => {
    assert.equal(pickDirection(() => 0.1), 'left');
    assert.equal(pickDirection(() => 0.9), 'right');
  });
});

describe('face liveness: blink', () => {
  /** Our test face with the eyelids closed to `open` of their height (the six eye points). */
  const eyesAt = (open: number): ReturnType<typeof project> => {
    const p = project(head, VERTICAL, 0);
    for (const from of [36, 42]) {
      const cy = (p[from]!.y + p[from + 3]!.y) / 2;
      for (const k of [1, 2, 4, 5]) p[from + k] = { x: p[from + k]!.x, y: cy + (p[from + k]!.y - cy) * open };
    }
    return p;
  };

  it('sees a blink as a dip of the eye aspect ratio between open frames', () => {
    assert.equal(detectBlink([eyesAt(1), eyesAt(1), eyesAt(0.2), eyesAt(1), eyesAt(1)]).blinked, true);
  });

  it('sees none in a still face, nor in eyes that close and stay closed', () => {
    assert.equal(detectBlink([eyesAt(1), eyesAt(1), eyesAt(1), eyesAt(1)]).blinked, false);
    assert.equal(detectBlink([eyesAt(1), eyesAt(1), eyesAt(0.2), eyesAt(0.2)]).blinked, false);
  });

  it('reads an open eye of the test face near the published 0.3', () => {
    const e = eyeAspectRatio(eyesAt(1))!;
    assert.ok(e > 0.2 && e < 0.45, `EAR ${e}`);
  });
});

describe('face liveness: print border / bezel', () => {
  const W = 320;
  const H = 240;
  const box = { x: 120, y: 70, width: 80, height: 90 };
  /** Dark room, a lighter oval "face" in the box, optionally straight light edges at the given sides. */
  function scene(sides: ('left' | 'right' | 'top' | 'bottom')[], tilt = 0): GreyImage {
    const grey = new Uint8Array(W * H).fill(50);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (((x - cx) / (box.width / 2)) ** 2 + ((y - cy) / (box.height / 2)) ** 2 < 1) grey[y * W + x] = 170;
        // the sheet's edge, 0.7 face widths out, optionally turned by `tilt` radians
        const u = (x - cx) * Math.cos(tilt) + (y - cy) * Math.sin(tilt);
        const v = -(x - cx) * Math.sin(tilt) + (y - cy) * Math.cos(tilt);
        const near = (d: number, at: number): boolean => Math.abs(d - at) < 2;
        const inSpanV = Math.abs(v) < box.height;
        const inSpanU = Math.abs(u) < box.width;
        if ((sides.includes('left') && near(u, -box.width * 0.9) && inSpanV) || (sides.includes('right') && near(u, box.width * 0.9) && inSpanV)) grey[y * W + x] = 235;
        if ((sides.includes('top') && near(v, -box.height * 0.85) && inSpanU) || (sides.includes('bottom') && near(v, box.height * 0.85) && inSpanU)) grey[y * W + x] = 235;
      }
    }
    return { width: W, height: H, grey };
  }

  it('finds a sheet edge on both sides of the face, also turned 10°', () => {
    assert.equal(detectBorder(scene(['left', 'right', 'top'])).framed, true);
    assert.equal(detectBorder(scene(['left', 'right'], (10 * Math.PI) / 180)).framed, true);
  });

  it('a face alone, or one straight edge beside it (a door frame), is not framed', () => {
    assert.equal(detectBorder(scene([])).framed, false);
    assert.equal(detectBorder(scene(['left'])).framed, false);
  });

  function detectBorder(img: GreyImage): ReturnType<typeof borderOf> {
    return borderOf(img, box);
  }
});
