/**
 * The blessed panel's colour flash (issue 14): a view with `fill` lights every cell, the words
 * stay drawn on it, and `shown()` resolves only after that frame went to the terminal. The
 * terminal here is a stream; what the device's display does with the bytes is the terminal's.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { BlessedPanel } from '../../../src/ui/panel/blessed-panel';
import type { PanelView } from '../../../src/ui/panel-view';

const face: PanelView = { screenId: 'face', facilityName: 'テスト医院', lines: ['カメラの方を向いてください。'], buttons: [{ id: 'face.cancel', label: 'キャンセル' }] };

/** The background colours blessed set in `bytes`: SGR 4x / 10x (8/16 colours) and 48;5;n (256). */
function backgrounds(bytes: string): Set<string> {
  const out = new Set<string>();
  for (const m of bytes.matchAll(/\x1b\[([0-9;]*)m/g)) {
    const parts = m[1]!.split(';');
    for (let i = 0; i < parts.length; i++) {
      const p = Number(parts[i]);
      if (p === 48 && parts[i + 1] === '5') out.add(`256:${parts[(i += 2)]}`);
      else if ((p >= 40 && p <= 47) || (p >= 100 && p <= 107)) out.add(String(p));
    }
  }
  return out;
}

describe('ui: blessed panel', () => {
  // The rig's tmux and the device's console: blessed writes the palette's red and blue (41 / 44) for both.
  for (const [terminal, redCode, blueCode] of [['xterm-256color', '41', '44'], ['linux', '41', '44']] as const) {
  it(`the flash fills the panel with its colour, keeps the words, and is acknowledged after it was written (${terminal})`, async () => {
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { columns: 80, rows: 24, isTTY: true });
    let bytes = '';
    output.on('data', (d: Buffer) => (bytes += d.toString('utf8')));
    const panel = new BlessedPanel({ countdownLabel: (s) => `残り${s}秒`, input, output, terminal });
    try {
      panel.show(face);
      await panel.shown();
      const plain = backgrounds(bytes);
      bytes = '';
      panel.show({ ...face, fill: 'red' });
      await panel.shown();
      const red = backgrounds(bytes);
      const isRed = (b: Set<string>): boolean => b.has(redCode);
      assert.ok(isRed(red), `a red background in ${[...red].join(',')}`);
      assert.ok(!isRed(plain), 'no red on the usual screen');
      assert.ok(bytes.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').includes('カメラの方を向いてください'), 'the words drawn on the colour, written before the acknowledgement');
      bytes = '';
      panel.show({ ...face, fill: 'blue' });
      await panel.shown();
      const blue = backgrounds(bytes);
      assert.ok(blue.has(blueCode), `a blue background in ${[...blue].join(',')}`);
    } finally {
      panel.close();
    }
  });
  }
});
