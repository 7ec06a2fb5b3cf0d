/**
 * Full-width katakana → half-width (半角カナ), as the national result document writes NameKana
 * (`ﾔﾏﾀﾞ ﾀﾛｳ`: voiced marks as separate ﾞ ﾟ, family and given name split by one half-width
 * space, which receipt software splits on). Hiragana is first taken to katakana. Characters
 * with no half-width form (ヰ, ヱ, ヮ, ヵ, ヶ) fall back to their nearest half-width reading, as
 * JIS X 0201 has none; anything else non-kana is left as is.
 */
const BASE = 'ァアィイゥウェエォオカキクケコサシスセソタチッツテトナニヌネノハヒフヘホマミムメモャヤュユョヨラリルレロワヲンー・「」。、';
const HALF = 'ｧｱｨｲｩｳｪｴｫｵｶｷｸｹｺｻｼｽｾｿﾀﾁｯﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓｬﾔｭﾕｮﾖﾗﾘﾙﾚﾛﾜｦﾝｰ･｢｣｡､';
const table = new Map<string, string>();
for (let i = 0; i < BASE.length; i++) table.set(BASE[i] ?? '', HALF[i] ?? '');
const VOICED = 'ガギグゲゴザジズゼゾダヂヅデドバビブベボ';
const VOICED_BASE = 'カキクケコサシスセソタチツテトハヒフヘホ';
for (let i = 0; i < VOICED.length; i++) table.set(VOICED[i] ?? '', `${table.get(VOICED_BASE[i] ?? '') ?? ''}ﾞ`);
for (const [p, b] of [['パ', 'ハ'], ['ピ', 'ヒ'], ['プ', 'フ'], ['ペ', 'ヘ'], ['ポ', 'ホ']] as const) table.set(p, `${table.get(b) ?? ''}ﾟ`);
for (const [k, h] of [['ヴ', 'ｳﾞ'], ['ヷ', 'ﾜﾞ'], ['ヺ', 'ｦﾞ'], ['ヰ', 'ｲ'], ['ヱ', 'ｴ'], ['ヮ', 'ﾜ'], ['ヵ', 'ｶ'], ['ヶ', 'ｹ'], ['゛', 'ﾞ'], ['゜', 'ﾟ'], ['　', ' ']] as const) {
  table.set(k, h);
}

export function toHalfWidthKana(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0;
    // Hiragana ぁ..ゖ sit 0x60 below their katakana.
    const kata = cp >= 0x3041 && cp <= 0x3096 ? String.fromCodePoint(cp + 0x60) : ch;
    out += table.get(kata) ?? kata;
  }
  return out;
}
