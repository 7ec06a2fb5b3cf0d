/**
 * The panel as the guest's VT holds it: /dev/vcsa1's header (rows, columns) and /dev/vcsu1, one
 * UTF-32 code point per cell (vcs(4)). Read the way a person at the counter sees the screen — the
 * kernel's buffer, not the product's layout.
 *
 * A wide character takes two cells, as the panel laid it out: the character, then a blank cell.
 * The VT font has no Japanese glyphs (the display shows ■), but from the first read of vcsu on the
 * kernel keeps a unicode copy of every character written; what was drawn before that read comes
 * back as the font's replacement ■. The tier reads tty1 once before the PIN session (the panel
 * check), so the session's screens compare as written.
 */

export interface VtBox {
  top: number;
  left: number;
  bottom: number;
  right: number;
  /** The text inside the frame as the VT holds it (wide characters' blank cells dropped, spaces squeezed). */
  label: string;
}

export interface VtScreen {
  cols: number;
  rows: number;
  lines: string[][];
  boxes: VtBox[];
  /** The screen's lines with wide characters' blank cells removed, for matching. */
  text: string[];
}

/** East Asian Wide and Fullwidth blocks (UAX #11) the panel's Japanese uses. */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

function squeeze(cells: string[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    out += cells[i];
    if ((cells[i] === '■' || WIDE.test(cells[i]!)) && cells[i + 1] === ' ') i++; // a wide character's second cell
  }
  return out;
}


/** The shell command that prints the screen; its output is parsed by parseVtScreen. */
export const readVtScreenCommand = "head -c 2 /dev/vcsa1 | od -An -tu1; iconv -f UTF-32LE -t UTF-8 /dev/vcsu1; echo";

export function parseVtScreen(output: string): VtScreen {
  const nl = output.indexOf('\n', output.search(/\d/));
  const [rows, cols] = output.slice(0, nl).trim().split(/\s+/).map(Number) as [number, number];
  const cells = Array.from(output.slice(nl + 1).replace(/\n$/, ''));
  if (!(rows > 0 && cols > 0) || cells.length < rows * cols) throw new Error(`vcsu: ${cells.length} cells for ${rows}×${cols}:\n${output.slice(0, 400)}`);
  const lines = Array.from({ length: rows }, (_, r) => cells.slice(r * cols, (r + 1) * cols));
  const boxes: VtBox[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (lines[r]![c] !== '┌') continue;
      let c2 = c + 1;
      while (c2 < cols && lines[r]![c2] === '─') c2++;
      if (lines[r]![c2] !== '┐' || c2 === c + 1) continue;
      let r2 = r + 1;
      while (r2 < rows && lines[r2]![c] === '│' && lines[r2]![c2] === '│') r2++;
      if (lines[r2]?.[c] !== '└' || lines[r2]?.[c2] !== '┘') continue;
      const inner = lines.slice(r + 1, r2).map((l) => squeeze(l.slice(c + 1, c2))).join(' ');
      boxes.push({ top: r, left: c, bottom: r2, right: c2, label: inner.replace(/\s+/g, ' ').trim() });
    }
  }
  return { cols, rows, lines, boxes, text: lines.map(squeeze) };
}

/** The one framed button labelled `label`, if exactly one is. */
export function buttonLabelled(screen: VtScreen, label: string): VtBox | undefined {
  const found = screen.boxes.filter((b) => b.label === label);
  return found.length === 1 ? found[0] : undefined;
}

/** Whether some line of the screen holds `text`. */
export function shows(screen: VtScreen, text: string): boolean {
  return screen.text.some((l) => l.includes(text));
}

export function screenDump(screen: VtScreen): string {
  return screen.lines.map((l) => l.join('').trimEnd()).filter((l) => l.length > 0).join('\n');
}
