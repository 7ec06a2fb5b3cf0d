/**
 * NameKana in half-width kana (issue 15): the device's table (`src/backend/half-width-kana.ts`)
 * against the simulator's, which is derived from Unicode's NFKC mappings and shares no table
 * with it. Every katakana and hiragana that JIS X 0201 can write must come out the same.
 */
import assert from 'node:assert/strict';
import { toHalfWidthKana } from '../../src/backend/half-width-kana';
import { recordKana } from '../../rig/backend-simulator/record-kana';

// Small kana with no half-width form: the device falls back to the nearest reading by design.
const NO_HALF_WIDTH = new Set(['ヰ', 'ヱ', 'ヸ', 'ヹ', 'ヮ', 'ヵ', 'ヶ', 'ゐ', 'ゑ', 'ゎ', 'ゕ', 'ゖ']);

describe('NameKana: device table against Unicode NFKC', () => {
  it('every writable katakana and hiragana maps the same', () => {
    let checked = 0;
    for (const [from, to] of [[0x30a1, 0x30fc], [0x3041, 0x3096]] as const) {
      for (let cp = from; cp <= to; cp++) {
        const ch = String.fromCodePoint(cp);
        if (NO_HALF_WIDTH.has(ch) || ch === '゠') continue;
        assert.equal(toHalfWidthKana(ch), recordKana(ch), `${ch} U+${cp.toString(16)}`);
        checked++;
      }
    }
    assert.ok(checked > 160, `checked ${checked}`);
  });

  it('a name with a full-width space, voiced and semi-voiced marks and a long vowel', () => {
    const name = 'ヴァレンティーノ　パブロ';
    assert.equal(toHalfWidthKana(name), 'ｳﾞｧﾚﾝﾃｨｰﾉ ﾊﾟﾌﾞﾛ');
    assert.equal(recordKana(name), 'ｳﾞｧﾚﾝﾃｨｰﾉ ﾊﾟﾌﾞﾛ');
  });
});
