/**
 * Half-width kana as the national record holds NameKana (`ﾔﾏﾀﾞ ﾀﾛｳ`), for the simulator's
 * insured persons. Derived from Unicode's own compatibility mappings (NFKC takes every
 * half-width katakana, and each with ﾞ or ﾟ, to its full-width form; this inverts that), not
 * from the device's table in `src/backend/half-width-kana.ts`: the device's writer is checked
 * against records the rig did not make with it.
 */
const toHalf = new Map<string, string>();
for (let cp = 0xff61; cp <= 0xff9f; cp++) {
  const half = String.fromCodePoint(cp);
  for (const mark of ['', 'ﾞ', 'ﾟ']) {
    const full = (half + mark).normalize('NFKC');
    // Only pairs that compose to one full-width character (ｶﾞ → ガ, not ｱﾞ → ア゙).
    if ([...full].length === 1 && !toHalf.has(full)) toHalf.set(full, half + mark);
  }
}
toHalf.set('　', ' ');

export function recordKana(fullWidth: string): string {
  let out = '';
  for (const ch of fullWidth.normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0;
    // A hiragana reading is stored in katakana: ぁ..ゖ are 0x60 below their katakana.
    const kata = cp >= 0x3041 && cp <= 0x3096 ? String.fromCodePoint(cp + 0x60) : ch;
    const half = toHalf.get(kata);
    if (half === undefined && /[\u30a0-\u30ff]/u.test(kata)) {
      throw new Error(`record kana: ${kata} has no half-width form (JIS X 0201)`);
    }
    out += half ?? kata;
  }
  return out;
}
