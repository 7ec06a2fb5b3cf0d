/**
 * Pure layout of a `PanelView` on a grid of terminal cells: where the facility name, the text,
 * the secret-entry dots, the keypad and the buttons go. The blessed driver draws exactly this, and
 * touch input (mouse or the HID digitizer) is hit-tested against the same rectangles, so what a
 * finger presses is what the patient sees. Pure so it can be tested without a terminal.
 *
 * SPEC §3: facility name on top of every screen, large buttons, visible countdown, PIN as dots.
 */
import type { PanelView } from '../panel-view';
import { displayWidth, wrapToWidth } from './display-width';

export interface CellRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What a touch on a region means: a named button of the view, or a keypad digit. */
export type PanelTarget = { kind: 'button'; id: string } | { kind: 'digit'; digit: string };

export interface LaidOutButton {
  target: PanelTarget;
  label: string;
  rect: CellRect;
  emphasis: 'primary' | 'secondary' | 'small' | 'key';
}

/** Keys of a PIN pad: a fixed-size grid, three to a row, big enough for a fingertip. */
const KEY_WIDTH = 9;
const KEY_HEIGHT = 3;
const KEYS_PER_ROW = 3;

function gridKeys(
  items: { target: PanelTarget; label: string; emphasis: LaidOutButton['emphasis'] }[],
  top: number,
): { buttons: LaidOutButton[]; bottom: number } {
  const buttons = items.map((item, i) => ({
    ...item,
    rect: { left: 1 + (i % KEYS_PER_ROW) * (KEY_WIDTH + 2), top: top + Math.floor(i / KEYS_PER_ROW) * KEY_HEIGHT, width: KEY_WIDTH, height: KEY_HEIGHT },
  }));
  return { buttons, bottom: items.length > 0 ? top + Math.ceil(items.length / KEYS_PER_ROW) * KEY_HEIGHT : top };
}

export interface PanelLayout {
  cols: number;
  rows: number;
  header: string;
  /** Title line, with the countdown right-aligned when a timeout runs. */
  titleLine: string;
  body: string[];
  bodyTop: number;
  /** The dots line of a PIN / passcode entry, e.g. `● ● ○ ○`. */
  secretLine?: string;
  hint?: string;
  buttons: LaidOutButton[];
}

/** Dots only, never digits (SPEC §3 step 5): filled for typed, hollow for the rest. */
export function secretDots(typed: number, length: number): string {
  const dots: string[] = [];
  for (let i = 0; i < length; i++) dots.push(i < typed ? '●' : '○');
  return dots.join(' ');
}

function buttonWidth(label: string, emphasis: LaidOutButton['emphasis']): number {
  if (emphasis === 'key') return KEY_WIDTH;
  const pad = emphasis === 'small' ? 2 : 6;
  return displayWidth(label) + pad + 2;
}

/**
 * Places buttons in rows, left to right, wrapping when a row is full. Primary and secondary
 * buttons are three cells high (bordered, large targets for elderly patients); small ones one.
 */
function flowButtons(
  items: { target: PanelTarget; label: string; emphasis: LaidOutButton['emphasis'] }[],
  top: number,
  cols: number,
  gap = 2,
  left = 1,
): { buttons: LaidOutButton[]; bottom: number } {
  const buttons: LaidOutButton[] = [];
  let x = left;
  let y = top;
  let rowHeight = 0;
  for (const item of items) {
    const height = item.emphasis === 'small' ? 1 : 3;
    const width = Math.min(buttonWidth(item.label, item.emphasis), cols - 2);
    if (x + width > cols - 1 && x > left) {
      x = left;
      y += rowHeight + 1;
      rowHeight = 0;
    }
    buttons.push({ ...item, rect: { left: x, top: y, width, height } });
    x += width + gap;
    rowHeight = Math.max(rowHeight, height);
  }
  return { buttons, bottom: items.length > 0 ? y + rowHeight : top };
}

export function layoutPanel(view: PanelView, cols: number, rows: number, countdownLabel: (s: number) => string): PanelLayout {
  const inner = Math.max(10, cols - 4);
  const title = view.title ?? '';
  const countdown = view.countdownSeconds !== undefined ? countdownLabel(view.countdownSeconds) : '';
  const page = view.page ? ` ${view.page.index}/${view.page.count}` : '';
  const titleText = title + page;
  const space = Math.max(1, inner - displayWidth(titleText) - displayWidth(countdown));
  const titleLine = titleText + ' '.repeat(space) + countdown;

  const body = view.lines.flatMap((l) => wrapToWidth(l, inner));
  const bodyTop = 3;
  let next = bodyTop + body.length + 1;

  let secretLine: string | undefined;
  if (view.secretEntry) {
    secretLine = secretDots(view.secretEntry.typed, view.secretEntry.length);
    next += 2;
  }
  const hint = view.hint;
  if (hint !== undefined) next += 2;

  // The keypad of a PIN screen comes from the engine as buttons of kind `key`: drawn as a grid,
  // then the other buttons below it; one code path draws and hit-tests every button.
  const all = view.buttons.map((b) => ({ target: { kind: 'button' as const, id: b.id }, label: b.label, emphasis: b.kind ?? 'primary' }));
  const keys = gridKeys(all.filter((b) => b.emphasis === 'key'), next);
  const others = all.filter((b) => b.emphasis !== 'key');
  // Beside the pad when the panel is wide enough (a 24-row panel has no room below it), else below.
  const padWidth = KEYS_PER_ROW * (KEY_WIDTH + 2);
  const widest = Math.max(0, ...others.map((b) => buttonWidth(b.label, b.emphasis)));
  const beside = keys.buttons.length > 0 && padWidth + 3 + widest <= cols - 1;
  const named = beside
    ? flowButtons(others, next, cols, 2, padWidth + 3)
    : flowButtons(others, keys.buttons.length > 0 ? keys.bottom + 1 : next, cols);
  named.buttons.unshift(...keys.buttons);
  return {
    cols,
    rows,
    header: view.facilityName,
    titleLine,
    body,
    bodyTop,
    ...(secretLine !== undefined ? { secretLine } : {}),
    ...(hint !== undefined ? { hint } : {}),
    buttons: named.buttons,
  };
}

/** The button under a cell, if any (touch and mouse hit-testing). */
export function hitTest(layout: PanelLayout, x: number, y: number): PanelTarget | undefined {
  for (const b of layout.buttons) {
    const r = b.rect;
    if (x >= r.left && x < r.left + r.width && y >= r.top && y < r.top + r.height) return b.target;
  }
  return undefined;
}

/** The screen as plain text lines (for `fcr rig screen` and logs without a terminal). */
export function panelText(view: PanelView, countdownLabel: (s: number) => string): string {
  const out = [view.facilityName];
  const title = [view.title, view.page ? `${view.page.index}/${view.page.count}` : undefined, view.countdownSeconds !== undefined ? countdownLabel(view.countdownSeconds) : undefined]
    .filter((x) => x !== undefined && x !== '')
    .join(' ');
  if (title !== '') out.push(title);
  const layout = layoutPanel(view, 200, 60, countdownLabel);
  out.push(...view.lines);
  if (layout.secretLine) out.push(layout.secretLine);
  if (view.hint) out.push(view.hint);
  out.push(view.buttons.map((b) => `[${b.label}]`).join(' '));
  return out.join('\n');
}
