/**
 * Terminal display width of panel text. Japanese is full-width (two cells a character), so line
 * wrapping and button sizes must count cells, not UTF-16 units. We use blessed's own width table
 * so the layout agrees cell for cell with what blessed draws (`fullUnicode: true`).
 */
const unicode = require('blessed/lib/unicode') as { strWidth(s: string): number };

export function displayWidth(text: string): number {
  return unicode.strWidth(text);
}

/** Splits text into lines no wider than `width` cells, breaking anywhere (Japanese has no spaces). */
export function wrapToWidth(text: string, width: number): string[] {
  if (width <= 0) return [text];
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (lineWidth + w > width && line !== '') {
      lines.push(line);
      line = '';
      lineWidth = 0;
    }
    line += ch;
    lineWidth += w;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Pads (or cuts) text to exactly `width` cells, centred. */
export function centre(text: string, width: number): string {
  const w = displayWidth(text);
  if (w >= width) return text;
  const left = Math.floor((width - w) / 2);
  return ' '.repeat(left) + text + ' '.repeat(width - w - left);
}
