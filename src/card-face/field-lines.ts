/**
 * Which of the lines PaddleOCR's detector found can be a field, and in what order to recognise
 * them (issue 13, "scan median ≤ 250 ms"): the recogniser costs ~20 ms a line on this machine
 * and a face has ~10 lines, of which 3 are fields. A line is recognised only when its box's shape
 * lets it be one — its width in line heights, which does not depend on the font size or the
 * camera's distance — and, for the security code, when the code rule of `pickSecurityCode`
 * (ocr.ts) could take it at all. Which lines *are* the fields is still decided by what they say;
 * this only leaves unread the labels (氏名, 住所, 性別, 男), names, the card's title and long address
 * lines, which no field parser accepts.
 *
 * Measured on the detector's boxes of tuning seeds 1 (120 faces) and 13 (90), 2,089 lines, 621 of
 * them fields: birth dates 5.7–8.9 line heights wide, expiry lines 8.3–11.7, security codes
 * 1.6–2.2, every code at x ≥ 75 % and y ≥ 57 % of the face. The ranges below keep a fifth of
 * margin on each side (fonts ±15 %, a box a few pixels larger or smaller); they keep all 621
 * fields and 6.1 lines a face instead of 9.9. No line outside them parsed as a field, so the
 * "each field found exactly once" rule sees the same candidates.
 */
import type { Box } from './ocr-image';
import { meanOf } from './ocr-image';
import type { GreyFrame } from './locate';

/** Widths, in line heights, a date line (birth or expiry, any design and calendar) can have. */
export const DATE_LINE_WIDTHS = { min: 4.5, max: 14 } as const;
/** Widths, in line heights, a 4-digit security code can have. */
export const CODE_LINE_WIDTHS = { min: 1.2, max: 2.8 } as const;

/** Line heights of width a box spans. */
export function widthInHeights(b: Box): number {
  const h = b.y1 - b.y0;
  return h > 0 ? (b.x1 - b.x0) / h : 0;
}

/** Where the photo must be for a line to be the security code: right above it (pickSecurityCode). */
export function areaAboveCode(b: Box): Box {
  const h = b.y1 - b.y0;
  const cx = (b.x0 + b.x1) / 2;
  return { x0: cx - 3 * h, y0: b.y0 - 14 * h, x1: cx + 3 * h, y1: b.y0 - 2.5 * h };
}

/** The area above is dark enough to be the photo (the first test of pickSecurityCode). */
export function photoAbove(face: GreyFrame, b: Box, paper: number): boolean {
  return meanOf(face, areaAboveCode(b)) < paper - 25;
}

/** The line lies where every public layout puts the code: right 40 % of the face, lower half (pickSecurityCode's second test). */
export function whereCodeIs(face: GreyFrame, b: Box): boolean {
  return (b.x0 + b.x1) / 2 > 0.6 * face.width && b.y0 > 0.5 * face.height;
}

/**
 * The boxes worth recognising, in the order to recognise them: security-code candidates first
 * (one short line; its confirming read starts on tesseract's digits worker at once), then the
 * date candidates, those in the measured range first — so the fields' re-reads run while the
 * other candidates are still being recognised (ocr.ts starts a re-read as soon as a line parses).
 */
export function fieldCandidates(face: GreyFrame, boxes: readonly Box[]): Box[] {
  const whole = { x0: 0, y0: 0, x1: face.width - 1, y1: face.height - 1 };
  let paper: number | undefined;
  const codes: Box[] = [];
  const likely: Box[] = [];
  const possible: Box[] = [];
  for (const b of boxes) {
    const w = widthInHeights(b);
    if (w >= CODE_LINE_WIDTHS.min && w <= CODE_LINE_WIDTHS.max) {
      paper ??= meanOf(face, whole);
      if (whereCodeIs(face, b) || photoAbove(face, b, paper)) codes.push(b);
    } else if (w >= DATE_LINE_WIDTHS.min && w <= DATE_LINE_WIDTHS.max) {
      (w >= 5.5 && w <= 12 ? likely : possible).push(b);
    }
  }
  return [...codes, ...likely, ...possible];
}
