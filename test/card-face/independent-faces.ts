/**
 * Card faces drawn independently of the product (issue 13): layouts written from public
 * descriptions of the card, not from `rig/emulator/card-face/render-face.ts` — no shared code,
 * positions, fonts or era table. Each sample draws its own layout at random within a few
 * millimetres, its own font (Noto Sans / Serif CJK JP from Debian's fonts-noto-cjk, IPA Gothic),
 * size (±15 %), tints and background pattern, then a camera of its own (tilt, blur, noise, uneven
 * light, a fingertip over a corner, JPEG) built on sharp alone.
 *
 * Designs (public descriptions; the next-generation chip and exact print positions are not public):
 * - `current`: 個人番号カード as issued since 2016 — 氏名, 住所, birth date in the Japanese era
 *   (`昭和60年 3月31日生`), 性別, photo upper right, the 4-digit security code under the photo,
 *   `YYYY年 M月 D日まで有効` on a tinted band lower left.
 * - `current-foreign`: the same card for a foreign resident — birth date in the Western calendar
 *   (`1985年 3月31日生`), name in Latin capitals.
 * - `next`: the next-generation card announced for 2026 — 「日本国 JAPAN」, furigana over the name
 *   and a romaji line, Western birth date, no sex on the face, a different arrangement.
 *
 * Ground truth: 照合番号B's date part is the birth date's year as printed (era year when the
 * face prints an era, the last two digits of the Western year when it prints a Western year),
 * month, day; then the expiry's Western year and the security code. The era conversion here is
 * this file's own table.
 */
import sharp, { type OverlayOptions } from 'sharp';

export type Design = 'current' | 'current-foreign' | 'next';
export const DESIGNS: readonly Design[] = ['current', 'current-foreign', 'next'];

export interface FaceSample {
  index: number;
  design: Design;
  /** ISO. */
  birthDate: string;
  /** ISO. */
  expiry: string;
  securityCode: string;
  /** The 14 digits a correct reader presents. */
  expectedCodeB: string;
  font: string;
  /** Camera frame (JPEG). */
  image: Buffer;
  /** What was done to it, for reports. */
  camera: Camera;
}

export interface Camera {
  tiltDeg: number;
  blur: number;
  noise: number;
  jpegQuality: number;
  light: number;
  fingertip: boolean;
  upsideDown: boolean;
}

export function rng(seed: number): () => number {
  // mulberry32 (different generator from the product's eval).
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** This file's own era table (first day of each era). */
const ERA_STARTS: Array<[string, string]> = [
  ['令和', '2019-05-01'],
  ['平成', '1989-01-08'],
  ['昭和', '1926-12-25'],
  ['大正', '1912-07-30'],
];

export function eraOf(iso: string): { era: string; year: number } {
  for (const [era, start] of ERA_STARTS) {
    if (iso >= start) return { era, year: Number(iso.slice(0, 4)) - Number(start.slice(0, 4)) + 1 };
  }
  throw new RangeError(iso);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const ymd = (iso: string): [number, number, number] => iso.split('-').map(Number) as [number, number, number];

export function expectedCodeB(design: Design, birthIso: string, expiryIso: string, code: string): string {
  const [y, m, d] = ymd(birthIso);
  const yy = design === 'current' ? eraOf(birthIso).year : y % 100;
  return `${pad2(yy)}${pad2(m)}${pad2(d)}${expiryIso.slice(0, 4)}${code}`;
}

const FONTS = ['Noto Sans CJK JP', 'Noto Serif CJK JP', 'IPAGothic'];
const SURNAMES = ['青木', '石川', '上田', '大野', '加藤', '北村', '工藤', '小松', '斎藤', '杉山', '高木', '中島', '野口', '松本', '森田'];
const GIVEN = ['和也', '陽子', '誠', '恵美', '拓海', 'あおい', '修', 'みどり', '悠斗', '千尋'];
const KANA_S = ['アオキ', 'イシカワ', 'ウエダ', 'オオノ', 'カトウ', 'キタムラ', 'クドウ', 'コマツ', 'サイトウ', 'スギヤマ', 'タカギ', 'ナカジマ', 'ノグチ', 'マツモト', 'モリタ'];
const KANA_G = ['カズヤ', 'ヨウコ', 'マコト', 'エミ', 'タクミ', 'アオイ', 'オサム', 'ミドリ', 'ユウト', 'チヒロ'];
const ROMA_S = ['AOKI', 'ISHIKAWA', 'UEDA', 'ONO', 'KATO', 'KITAMURA', 'KUDO', 'KOMATSU', 'SAITO', 'SUGIYAMA', 'TAKAGI', 'NAKAJIMA', 'NOGUCHI', 'MATSUMOTO', 'MORITA'];
const ROMA_G = ['KAZUYA', 'YOKO', 'MAKOTO', 'EMI', 'TAKUMI', 'AOI', 'OSAMU', 'MIDORI', 'YUTO', 'CHIHIRO'];
const FOREIGN = ['SMITH JOHN', 'NGUYEN VAN AN', 'GARCIA MARIA', 'KIM MINJUN', 'SILVA ANA'];
const PLACES = ['埼玉県さいたま市浦和区高砂３丁目１５番１号', '京都府京都市上京区下立売通新町西入薮ノ内町', '福岡県福岡市中央区天神１－８－１', '宮城県仙台市青葉区本町３－８－１', '静岡県浜松市中区元城町１０３－２'];

const iso = (y: number, m: number, d: number): string => `${y}-${pad2(m)}-${pad2(d)}`;
const lastDay = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

function pickBirth(r: () => number, i: number): string {
  const special = ['1926-12-25', '1989-01-07', '1989-01-08', '2019-04-30', '2019-05-01', '1960-02-29', '1931-12-31', '2000-01-01', '1945-08-09'];
  if (i < special.length * 3 && i % 3 === 0) return special[i / 3] as string;
  const y = 1920 + Math.floor(r() * 104);
  const m = 1 + Math.floor(r() * 12);
  const k = r();
  const d = k < 0.3 ? lastDay(y, m) : k < 0.6 ? 1 + Math.floor(r() * 9) : 1 + Math.floor(r() * lastDay(y, m));
  return iso(y, m, d);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const sp = (n: number): string => (n < 10 ? ` ${n}` : String(n));

/** Photo stand-in: a grey portrait silhouette on a light background (the reader only needs a dark block). */
function photoSvg(x: number, y: number, w: number, h: number, r: () => number): string {
  const tone = 60 + Math.floor(r() * 70);
  const bg = 170 + Math.floor(r() * 60);
  const c = (v: number): string => `rgb(${v},${v},${v})`;
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${c(bg)}"/>
  <ellipse cx="${x + w / 2}" cy="${y + h * 0.4}" rx="${w * 0.24}" ry="${h * 0.22}" fill="${c(tone + 40)}"/>
  <path d="M${x + w * 0.1},${y + h} Q${x + w / 2},${y + h * 0.5} ${x + w * 0.9},${y + h} Z" fill="${c(tone)}"/>
  <rect x="${x + w * 0.26}" y="${y + h * 0.14}" width="${w * 0.48}" height="${h * 0.14}" rx="${w * 0.2}" fill="${c(tone - 30)}"/>`;
}

interface Drawn {
  svg: string;
  font: string;
}

/** One face at 1000×630 (ID-1 85.6×54 mm at ≈ 11.7 px/mm, a different scale from the product's). */
const W = 1000;
const H = 630;
const MM = W / 85.6;

function drawFace(design: Design, birth: string, expiry: string, code: string, r: () => number, i: number): Drawn {
  const font = FONTS[Math.floor(r() * FONTS.length)] as string;
  const jit = (mm: number): number => (r() - 0.5) * 2 * mm * MM;
  const size = (base: number): number => base * (0.85 + r() * 0.3);
  const t = (x: number, y: number, s: number, text: string, fill = '#1a1a1a'): string =>
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${font}" font-size="${s.toFixed(1)}" fill="${fill}" xml:space="preserve">${esc(text)}</text>`;
  const [by, bm, bd] = ymd(birth);
  const [ey, em, ed] = ymd(expiry);
  const expiryText = `${ey}年${sp(em)}月${sp(ed)}日まで有効`;
  const tintA = `hsl(${Math.floor(r() * 360)},${30 + Math.floor(r() * 40)}%,${88 + Math.floor(r() * 8)}%)`;
  const band = `hsl(${20 + Math.floor(r() * 200)},${35 + Math.floor(r() * 40)}%,${72 + Math.floor(r() * 14)}%)`;
  const pattern = r() < 0.5
    ? Array.from({ length: 9 }, (_, k) => `<circle cx="${W * (0.3 + r() * 0.4)}" cy="${H * (0.2 + r() * 0.6)}" r="${60 + k * 25}" fill="none" stroke="hsl(200,30%,${80 + Math.floor(r() * 8)}%)" stroke-width="2"/>`).join('')
    : Array.from({ length: 30 }, (_, k) => `<line x1="${k * 40}" y1="0" x2="${k * 40 - 300}" y2="${H}" stroke="hsl(30,30%,${84 + Math.floor(r() * 6)}%)" stroke-width="3"/>`).join('');
  const parts: string[] = [`<rect width="${W}" height="${H}" rx="${3.2 * MM}" fill="${tintA}"/>`, pattern];
  const s = Math.floor(r() * SURNAMES.length);
  const g = Math.floor(r() * GIVEN.length);
  if (design === 'current' || design === 'current-foreign') {
    const name = design === 'current' ? `${SURNAMES[s]}　${GIVEN[g]}` : (FOREIGN[i % FOREIGN.length] as string);
    const birthText = design === 'current'
      ? (() => {
          const e = eraOf(birth);
          return `${e.era}${sp(e.year)}年${sp(bm)}月${sp(bd)}日生`;
        })()
      : `${by}年${sp(bm)}月${sp(bd)}日生`;
    // Public sample: 氏名 row at the top with the birth date at its right end, 住所 below,
    // 性別 lower left, the expiry on a tinted band at the bottom left, photo on the right with the
    // security code printed beneath it.
    const px = 62 * MM + jit(2);
    const py = 6 * MM + jit(2);
    const pw = 20 * MM;
    const ph = 25 * MM;
    parts.push(t(3 * MM + jit(1.5), 7 * MM + jit(1.5), size(17), '氏名'));
    parts.push(t(9 * MM + jit(2), 8 * MM + jit(1.5), size(32), name));
    const birthY = 14 * MM + jit(2.5);
    parts.push(t(31 * MM + jit(3), birthY, size(22), birthText));
    parts.push(t(3 * MM + jit(1.5), 21 * MM + jit(1.5), size(17), '住所'));
    const addr = PLACES[i % PLACES.length] as string;
    parts.push(t(9 * MM + jit(2), 21.5 * MM + jit(1.5), size(21), addr.slice(0, 15)));
    parts.push(t(9 * MM + jit(2), 25 * MM + jit(1.5), size(21), addr.slice(15)));
    parts.push(t(3 * MM + jit(1.5), 35 * MM + jit(2), size(18), '性別'));
    parts.push(t(10 * MM + jit(1.5), 35 * MM + jit(2), size(20), r() < 0.5 ? '男' : '女'));
    const bx = 2.5 * MM + jit(1.5);
    const byy = 40 * MM + jit(2);
    const bw = 40 * MM + jit(2);
    parts.push(`<rect x="${bx}" y="${byy}" width="${bw}" height="${5.5 * MM}" rx="6" fill="${band}"/>`);
    parts.push(t(bx + 2 * MM, byy + 4.2 * MM, size(22), expiryText));
    parts.push(t(3 * MM + jit(1), 51 * MM + jit(1), size(22), '個人番号カード', '#b03030'));
    parts.push(photoSvg(px, py, pw, ph, r));
    parts.push(t(px + pw * (0.25 + r() * 0.3), py + ph + 4 * MM + jit(1.5), size(19), code));
  } else {
    // Next-generation card (announced design): 「日本国 JAPAN」 and the title across the top,
    // furigana above the name, romaji below it, Western birth date, no sex, the photo lower on the
    // right with the security code under it, the expiry at the bottom.
    const kanaName = `${KANA_S[s]}　${KANA_G[g]}`;
    const roma = `${ROMA_S[s]} ${ROMA_G[g]}`;
    parts.push(t(3 * MM + jit(1.5), 6 * MM + jit(1), size(19), '日本国 JAPAN'));
    parts.push(t(34 * MM + jit(2), 6 * MM + jit(1), size(19), '個人番号カード  INDIVIDUAL NUMBER CARD'));
    const nx = 3 * MM + jit(1.5);
    parts.push(t(nx, 12 * MM + jit(1), size(13), kanaName));
    parts.push(t(nx, 17 * MM + jit(1), size(30), `${SURNAMES[s]}　${GIVEN[g]}`));
    parts.push(t(nx, 21.5 * MM + jit(1), size(17), roma));
    parts.push(t(nx + jit(1), 28 * MM + jit(2), size(22), `${by}年${sp(bm)}月${sp(bd)}日生`));
    const addr = PLACES[i % PLACES.length] as string;
    parts.push(t(nx, 34.5 * MM + jit(1.5), size(19), addr.slice(0, 17)));
    parts.push(t(nx, 38 * MM + jit(1.5), size(19), addr.slice(17)));
    const bx = 2.5 * MM + jit(1.5);
    const byy = 44 * MM + jit(1.5);
    parts.push(`<rect x="${bx}" y="${byy}" width="${38 * MM}" height="${5.5 * MM}" rx="4" fill="${band}"/>`);
    parts.push(t(bx + 1.5 * MM, byy + 4.2 * MM, size(21), expiryText));
    const px = 60 * MM + jit(2.5);
    const py = 10 * MM + jit(2);
    const pw = 21 * MM;
    const ph = 27 * MM;
    parts.push(photoSvg(px, py, pw, ph, r));
    parts.push(t(px + pw * (0.2 + r() * 0.35), py + ph + 4.5 * MM + jit(1.5), size(20), code));
  }
  return { svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('\n')}</svg>`, font };
}

/** Photographs the face: card on a dark tray, tilted, unevenly lit, blurred, noisy, JPEG. */
async function photograph(face: Buffer, cam: Camera, r: () => number): Promise<Buffer> {
  const frameW = 1280;
  const frameH = 960;
  const cardW = Math.round(frameW * (0.72 + r() * 0.16));
  let card = sharp(face).resize(cardW);
  if (cam.upsideDown) card = card.rotate(180);
  const rotated = await card.rotate(cam.tiltDeg, { background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer();
  const meta = await sharp(rotated).metadata();
  const left = Math.max(0, Math.round((frameW - (meta.width ?? 0)) / 2 + (r() - 0.5) * 60));
  const top = Math.max(0, Math.round((frameH - (meta.height ?? 0)) / 2 + (r() - 0.5) * 40));
  const overlays: OverlayOptions[] = [{ input: rotated, left, top }];
  // Uneven light: a soft radial brightening/darkening across the frame.
  const lx = Math.round(r() * frameW);
  const ly = Math.round(r() * frameH);
  overlays.push({
    input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${frameW}" height="${frameH}"><defs><radialGradient id="g" cx="${lx}" cy="${ly}" r="${frameW * 0.8}" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="#fff" stop-opacity="${cam.light.toFixed(2)}"/><stop offset="1" stop-color="#000" stop-opacity="${(cam.light * 0.8).toFixed(2)}"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`),
    left: 0,
    top: 0,
  });
  if (cam.fingertip) {
    // A fingertip over one of the card's corners (outside the printed fields).
    const corner = Math.floor(r() * 4);
    const cw = meta.width ?? 0;
    const ch = meta.height ?? 0;
    const fx = left + (corner % 2 === 0 ? cw * 0.06 : cw * 0.94);
    const fy = top + (corner < 2 ? ch * 0.04 : ch * 0.96);
    overlays.push({
      input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${frameW}" height="${frameH}"><ellipse cx="${fx}" cy="${fy}" rx="48" ry="70" transform="rotate(${Math.floor(r() * 180)} ${fx} ${fy})" fill="#c89078"/></svg>`),
      left: 0,
      top: 0,
    });
  }
  let img = sharp({ create: { width: frameW, height: frameH, channels: 3, background: { r: 38 + Math.floor(r() * 20), g: 36, b: 34 } } }).composite(overlays);
  let buf = await img.png().toBuffer();
  img = sharp(buf);
  if (cam.blur >= 0.3) img = img.blur(cam.blur);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (cam.noise > 0) {
    for (let k = 0; k < data.length; k++) {
      // Box–Muller on the sample's own generator.
      const u = Math.max(1e-9, r());
      const n = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r()) * cam.noise;
      data[k] = Math.max(0, Math.min(255, Math.round((data[k] ?? 0) + n)));
    }
  }
  buf = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: cam.jpegQuality }).toBuffer();
  return buf;
}

export interface SetOptions {
  seed: number;
  samples: number;
  /** Camera severity 0–1 (1 = the full ranges below). */
  severity?: number;
  /** Share of cards placed upside down. */
  upsideDownShare?: number;
  now?: Date;
}

/** Generates sample `index` of a set (deterministic in seed and index). */
export async function faceSample(index: number, options: SetOptions): Promise<FaceSample> {
  const r = rng(options.seed * 100_003 + index * 7919);
  const design = DESIGNS[index % DESIGNS.length] as Design;
  const thisYear = (options.now ?? new Date()).getUTCFullYear();
  const birth = pickBirth(r, index);
  const ey = thisYear + Math.floor(r() * 10);
  const emo = 1 + Math.floor(r() * 12);
  const expiry = iso(ey, emo, r() < 0.3 ? lastDay(ey, emo) : 1 + Math.floor(r() * 28));
  const code = String(Math.floor(r() * 10000)).padStart(4, '0');
  const drawn = drawFace(design, birth, expiry, code, r, index);
  const sev = options.severity ?? 1;
  const cam: Camera = {
    tiltDeg: (r() - 0.5) * 20 * sev,
    blur: r() * 1.2 * sev,
    noise: r() * 8 * sev,
    jpegQuality: Math.round(95 - r() * 45 * sev),
    light: r() * 0.25 * sev,
    fingertip: r() < 0.25 * sev,
    upsideDown: r() < (options.upsideDownShare ?? 0),
  };
  const face = await sharp(Buffer.from(drawn.svg)).png().toBuffer();
  const image = await photograph(face, cam, r);
  return { index, design, birthDate: birth, expiry, securityCode: code, expectedCodeB: expectedCodeB(design, birth, expiry, code), font: drawn.font, image, camera: cam };
}

/** The clean face alone (no camera), for looking at a layout. */
export async function faceOnly(index: number, options: SetOptions): Promise<Buffer> {
  const r = rng(options.seed * 100_003 + index * 7919);
  const design = DESIGNS[index % DESIGNS.length] as Design;
  const thisYear = (options.now ?? new Date()).getUTCFullYear();
  const birth = pickBirth(r, index);
  const ey = thisYear + Math.floor(r() * 10);
  const emo = 1 + Math.floor(r() * 12);
  const expiry = iso(ey, emo, r() < 0.3 ? lastDay(ey, emo) : 1 + Math.floor(r() * 28));
  const code = String(Math.floor(r() * 10000)).padStart(4, '0');
  return sharp(Buffer.from(drawFace(design, birth, expiry, code, r, index).svg)).png().toBuffer();
}
