import assert from 'node:assert/strict';
import { pickSecurityCode, type PageLine } from '../../src/card-face/ocr';
import type { GreyFrame } from '../../src/card-face/locate';

/**
 * Which 4-digit line is the security code (SPEC §5.1): the product's rule on hand-drawn grey
 * frames, laid out as the public descriptions put the fields (photo on the right with the code
 * beneath it; dates and address on the left or at the top), not from any renderer of ours.
 */
const W = 1284;
const H = 810;
const PAPER = 215;

function frame(): GreyFrame {
  return { width: W, height: H, grey: new Uint8Array(W * H).fill(PAPER) };
}

function fill(f: GreyFrame, x0: number, y0: number, x1: number, y1: number, v: number): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) f.grey[y * W + x] = v;
}

/** Some dark print on the left, as the name, dates and address lines are. */
function print(f: GreyFrame): void {
  for (const y of [60, 140, 220, 300, 620]) fill(f, 40, y, 600, y + 24, 60);
}

/**
 * A stand-in photo at x 1000–1240, y 130–530 (background `bg`), with the shoulders (tone 80) in
 * its lower part from `shoulders` down (tone `tone`), and the code's line at x 1060–1160, y 560–590 under it.
 */
function face(bg: number, shoulders = 433, tone = 80): GreyFrame {
  const f = frame();
  print(f);
  fill(f, 1000, 130, 1240, 530, bg);
  if (shoulders < 530) fill(f, 1040, shoulders, 1200, 530, tone);
  return f;
}

const line = (text: string, x0: number, y0: number): PageLine => ({ text, bbox: { x0, y0, x1: x0 + 100, y1: y0 + 30 }, confidence: 0.95, engine: 'paddle' });
const code = line('4725', 1060, 560);

function mirror(f: GreyFrame): GreyFrame {
  const m = frame();
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m.grey[y * W + x] = f.grey[y * W + (W - 1 - x)] ?? PAPER;
  return m;
}

describe('the security code is the 4-digit line under the photo', () => {
  it('a dark photo: picked by its darkness', () => {
    assert.equal(pickSecurityCode(face(120), [code])?.parsed.key, '4725');
  });

  it('a pale photo (its background near the paper): picked by the dark mass of its lower part', () => {
    // Area above the code: mean ≈ 190 against a face mean ≈ 212 — the darkness test alone fails.
    assert.equal(pickSecurityCode(face(210), [code])?.parsed.key, '4725');
  });

  it('a pale photo with a second 4-digit line on the page: not picked (which one is the code?)', () => {
    assert.equal(pickSecurityCode(face(210), [code, line('2032', 60, 700)]), undefined);
  });

  it('a pale photo and its code on the left of the face: not where the code is, not picked', () => {
    assert.equal(pickSecurityCode(mirror(face(210)), [line('4725', W - 1160, 560)]), undefined);
  });

  it('a 4-digit line at the top right (where the current card prints the birth date): not picked', () => {
    const f = frame();
    print(f);
    fill(f, 1040, 0, 1200, 30, 80);
    assert.equal(pickSecurityCode(f, [line('1985', 1060, 320)]), undefined);
  });

  it('no dark mass above the line (paper, or a blank pale block): not picked', () => {
    assert.equal(pickSecurityCode(face(210, 530), [code]), undefined);
    // A uniform block a little darker than the paper (mean ≈ 200, median 215): no dark tenth.
    assert.equal(pickSecurityCode(face(200, 530), [code]), undefined);
    // Paper-light on the whole (mean ≈ 209) with a faint mark in its darkest tenth (160).
    assert.equal(pickSecurityCode(face(218, 433, 160), [code]), undefined);
  });

  it('two dark photos alike: not picked (the darkest is not clearly one)', () => {
    const f = face(120);
    fill(f, 700, 130, 940, 530, 120);
    assert.equal(pickSecurityCode(f, [code, line('1234', 770, 560)]), undefined);
  });
});
