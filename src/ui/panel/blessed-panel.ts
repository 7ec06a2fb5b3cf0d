/**
 * The touch panel drawn with blessed in a real terminal (the device's display runs the same
 * terminal UI full screen; the rig draws it in the terminal that ran `npm start`).
 *
 * `fullUnicode` makes blessed count full-width Japanese characters as two cells. Mouse presses
 * and HID touches are hit-tested against the pure layout (`panel-layout.ts`). Development keys:
 * digits type on a keypad screen; `a`, `b`, `c`… press the buttons in order; Ctrl-C quits.
 */
import blessed from 'blessed';
import type { PanelView } from '../panel-view';
import { PanelDriverBase } from './panel-driver';
import { centre, displayWidth } from './display-width';
import { hitTest, layoutPanel, type PanelLayout, type PanelTarget } from './panel-layout';

export interface BlessedPanelOptions {
  /** Countdown text from the catalogue, e.g. `残り 30秒`. */
  countdownLabel(seconds: number): string;
  onQuit?(): void;
  /** A line at the bottom for the technician (the rig shows how to drive it); never patient text. */
  footer?: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** The terminal type (terminfo name); default `$TERM` as blessed reads it. */
  terminal?: string;
}

export class BlessedPanel extends PanelDriverBase {
  private readonly screen: blessed.Widgets.Screen;
  private layout: PanelLayout | undefined;
  private widgets: blessed.Widgets.BoxElement[] = [];

  constructor(private readonly options: BlessedPanelOptions) {
    super();
    // Draw borders with Unicode box characters, not the terminal's ACS alternate charset: the
    // device's console and tmux both render UTF-8, and ACS shows as letters on some of them.
    process.env.NCURSES_NO_UTF8_ACS ??= '1';
    this.screen = blessed.screen({
      smartCSR: true,
      fullUnicode: true,
      forceUnicode: true,
      title: 'face-card-reader',
      ...(options.input ? { input: options.input } : {}),
      ...(options.output ? { output: options.output } : {}),
      ...(options.terminal ? { terminal: options.terminal } : {}),
    } as blessed.Widgets.IScreenOptions);
    this.screen.enableMouse();
    this.screen.on('mouse', (data: { action: string; x: number; y: number }) => {
      if (data.action === 'mousedown') this.touchCell(data.x, data.y);
    });
    this.screen.key(['C-c'], () => this.options.onQuit?.());
    this.screen.on('keypress', (ch: string | undefined) => this.onKey(ch));
    this.screen.on('resize', () => {
      if (this.view) this.show(this.view);
    });
  }

  private onKey(ch: string | undefined): void {
    if (!ch || !this.view || !this.layout) return;
    if (/^[0-9]$/.test(ch) && this.view.secretEntry) {
      this.emit({ type: 'digit', digit: ch });
      return;
    }
    const index = ch.charCodeAt(0) - 'a'.charCodeAt(0);
    const named = this.view.buttons[index];
    if (ch.length === 1 && named) this.emit({ type: 'button', id: named.id });
  }

  override size(): { cols: number; rows: number } {
    return {
      cols: typeof this.screen.width === 'number' ? this.screen.width : 80,
      rows: typeof this.screen.height === 'number' ? this.screen.height : 24,
    };
  }

  touchCell(x: number, y: number): void {
    if (!this.layout) return;
    const target: PanelTarget | undefined = hitTest(this.layout, x, y);
    if (!target) return;
    if (target.kind === 'digit') this.emit({ type: 'digit', digit: target.digit });
    else this.emit({ type: 'button', id: target.id });
  }

  show(view: PanelView): void {
    this.view = view;
    const cols = typeof this.screen.width === 'number' ? this.screen.width : 80;
    const rows = typeof this.screen.height === 'number' ? this.screen.height : 24;
    const layout = layoutPanel(view, cols, rows, this.options.countdownLabel);
    this.layout = layout;
    for (const w of this.widgets) w.destroy();
    this.widgets = [];
    const add = (opts: blessed.Widgets.BoxOptions): void => {
      const box = blessed.box({ parent: this.screen, tags: false, ...opts });
      this.widgets.push(box);
    };
    // The colour flash (issue 14): every cell lit, the text drawn on the same colour.
    // blessed writes the terminal's palette red / blue (SGR 41 / 44, in 8 and 256 colours alike,
    // #ff0000 included): how strong the flash is is the display's palette (the Linux console's red
    // is 170,0,0), one reason its strength must be measured at the site (docs/face.md).
    const fill = view.fill ? { bg: view.fill } : {};
    if (view.fill) add({ top: 0, left: 0, width: cols, height: rows, style: fill });
    add({ top: 0, left: 0, width: cols, height: 1, content: centre(layout.header, cols), style: { fg: 'black', bg: 'white', bold: true } });
    add({ top: 1, left: 2, width: cols - 4, height: 1, content: layout.titleLine, style: { bold: true, ...fill } });
    add({ top: layout.bodyTop, left: 2, width: cols - 4, height: layout.body.length, content: layout.body.join('\n'), style: { ...fill } });
    let y = layout.bodyTop + layout.body.length + 1;
    if (layout.secretLine) {
      add({ top: y, left: 2, width: displayWidth(layout.secretLine) + 1, height: 1, content: layout.secretLine, style: { bold: true, ...fill } });
      y += 2;
    }
    if (layout.hint) {
      add({ top: y, left: 2, width: cols - 4, height: 1, content: layout.hint, style: { fg: 'yellow', bold: true, ...fill } });
    }
    for (const b of layout.buttons) {
      const r = b.rect;
      const bordered = r.height >= 3;
      add({
        top: r.top,
        left: r.left,
        width: r.width,
        height: r.height,
        content: centre(b.label, r.width - (bordered ? 2 : 0)),
        ...(bordered ? { border: { type: 'line' as const } } : {}),
        style: b.emphasis === 'primary' || b.emphasis === 'key' ? { fg: 'white', bg: 'blue', bold: true, border: { fg: 'white' } } : { fg: 'white', ...fill, border: { fg: 'gray', ...fill } },
      });
    }
    if (this.options.footer) {
      add({ bottom: 0, left: 0, width: cols, height: 1, content: this.options.footer.slice(0, cols), style: { fg: 'gray', ...fill } });
    }
    this.screen.render();
  }

  /**
   * blessed writes the frame to its output in `render` (its buffer flushed on the next tick); an
   * empty write queued after that calls back once the frame has been handed to the terminal, in
   * order (Writable's callbacks run in write order). The terminal's own refresh comes on top: the
   * attempt skips a frame after the acknowledgement for it (face-attempt.ts `settleFrames`).
   */
  override shown(): Promise<void> {
    const output = (this.screen.program as unknown as { output: NodeJS.WritableStream }).output;
    return new Promise((resolve) => setImmediate(() => output.write('', () => resolve())));
  }

  close(): void {
    this.screen.destroy();
  }
}
