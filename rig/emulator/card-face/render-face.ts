/**
 * The printed front of a persona's card (SPEC §5.1), as the rig's "camera" sees it before
 * degradation, in the persona's design (README "Card designs"):
 * - `current`: name and address on the left, date of birth in the Japanese era and sex to the
 *   right of the name, the photo on the right with the 4-digit security code beneath it, the
 *   expiry `YYYY年 M月 D日まで有効` near the lower left;
 * - `current-foreign`: the same card with the name in Latin capitals and the birth date in the
 *   Western calendar (`1992年10月 3日生`);
 * - `next`: the next-generation card as announced for 2026 — 「日本国 JAPAN」 and the title across
 *   the top, furigana over the name and romaji under it, Western birth date, no sex, the photo
 *   lower on the right with the code beneath it, the expiry on a band at the bottom.
 * Drawn with Debian's IPAGothic through sharp's SVG renderer at 856×540 (ID-1, 10 px/mm); dates
 * come from the rig's own printed-dates.ts, not the reader's. Fictional test data only.
 */
import sharp from 'sharp';
import type { CardDesign, Persona, Sex } from '../../personas/catalogue';
import { designOf, printedBirthDate, printedExpiry } from './printed-dates';
import type { GreyImage } from '../../../src/card-face/jpeg2000';
import { personaPhoto } from './files';
import { CARD_FONT, escapeXml } from './text-image';

export const CARD_WIDTH = 856;
export const CARD_HEIGHT = 540;

/** Where each printed field sits on the 856×540 face of the current design. */
export const FACE_LAYOUT = {
  nameLabel: { x: 28, y: 74, size: 15 },
  name: { x: 76, y: 78, size: 32 },
  birth: { x: 352, y: 76, size: 21 },
  sex: { x: 566, y: 76, size: 21 },
  addressLabel: { x: 28, y: 136, size: 15 },
  address: { x: 76, y: 138, size: 20 },
  photo: { x: 616, y: 46, width: 200, height: 250 },
  securityCode: { x: 716, y: 330, size: 20 },
  expiryBox: { x: 22, y: 384, width: 300, height: 42 },
  expiry: { x: 32, y: 414, size: 22 },
  title: { x: 28, y: 506, size: 26 },
} as const;

/** The next-generation design's fields on the same 856×540 frame. */
export const NEXT_FACE_LAYOUT = {
  country: { x: 28, y: 50, size: 18 },
  title: { x: 300, y: 50, size: 18 },
  kana: { x: 30, y: 104, size: 15 },
  name: { x: 28, y: 142, size: 30 },
  romaji: { x: 30, y: 176, size: 18 },
  birth: { x: 28, y: 236, size: 21 },
  address: { x: 28, y: 292, size: 19 },
  photo: { x: 604, y: 104, width: 200, height: 250 },
  securityCode: { x: 682, y: 392, size: 20 },
  expiryBox: { x: 22, y: 436, width: 300, height: 42 },
  expiry: { x: 32, y: 466, size: 21 },
} as const;

export interface CardFacePrint {
  nameKanji: string;
  address: string;
  /** Gregorian ISO. */
  birthDate: string;
  sex: Sex;
  /** Gregorian ISO. */
  cardExpiry: string;
  securityCode: string;
  photo: GreyImage;
  /** Tests only: print this instead of the era date (e.g. an impossible `昭和64年 2月 1日生`). */
  birthTextOverride?: string;
  /** Printed design (default `current`). */
  design?: CardDesign;
  /** Furigana and romaji (the next-generation design prints them). */
  nameKana?: string;
  nameRomaji?: string;
}

function wrapAddress(address: string, perLine: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < address.length; i += perLine) lines.push(address.slice(i, i + perLine));
  return lines;
}

const text = (x: number, y: number, size: number, s: string, extra = ''): string =>
  `<text x="${x}" y="${y}" font-family="${CARD_FONT}" font-size="${size}" fill="#111" xml:space="preserve" ${extra}>${escapeXml(s)}</text>`;

async function photoPngOf(photo: GreyImage, box: { width: number; height: number }): Promise<Buffer> {
  return sharp(Buffer.from(photo.grey), { raw: { width: photo.width, height: photo.height, channels: 1 } })
    .resize(box.width, box.height, { fit: 'cover' })
    .png()
    .toBuffer();
}

async function renderNextGeneration(p: CardFacePrint): Promise<Buffer> {
  const L = NEXT_FACE_LAYOUT;
  const address = wrapAddress(p.address, 22)
    .map((line, i) => text(L.address.x, L.address.y + i * 27, L.address.size, line))
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}">
  <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#f7f3ea"/><stop offset="1" stop-color="#e8eef6"/></linearGradient></defs>
  <rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" rx="28" fill="url(#bg)"/>
  <path d="M0,400 C220,340 520,470 856,380" fill="none" stroke="#dfe6d8" stroke-width="8"/>
  ${text(L.country.x, L.country.y, L.country.size, '日本国 JAPAN')}
  ${text(L.title.x, L.title.y, L.title.size, '個人番号カード  INDIVIDUAL NUMBER CARD')}
  ${text(L.kana.x, L.kana.y, L.kana.size, p.nameKana ?? '')}
  ${text(L.name.x, L.name.y, L.name.size, p.nameKanji)}
  ${text(L.romaji.x, L.romaji.y, L.romaji.size, p.nameRomaji ?? '')}
  ${text(L.birth.x, L.birth.y, L.birth.size, p.birthTextOverride ?? printedBirthDate(p.birthDate, 'next'))}
  ${address}
  <rect x="${L.expiryBox.x}" y="${L.expiryBox.y}" width="${L.expiryBox.width}" height="${L.expiryBox.height}" rx="6" fill="#dce8d4"/>
  ${text(L.expiry.x, L.expiry.y, L.expiry.size, printedExpiry(p.cardExpiry))}
  ${text(L.securityCode.x, L.securityCode.y, L.securityCode.size, p.securityCode)}
</svg>`;
  return sharp(Buffer.from(svg))
    .composite([{ input: await photoPngOf(p.photo, L.photo), left: L.photo.x, top: L.photo.y }])
    .png()
    .toBuffer();
}

export async function renderCardFacePrint(p: CardFacePrint): Promise<Buffer> {
  const design = p.design ?? 'current';
  if (design === 'next') return renderNextGeneration(p);
  const L = FACE_LAYOUT;
  // A foreign resident's name is printed in Latin capitals: a smaller size keeps it clear of the birth date.
  const nameSize = design === 'current-foreign' ? 24 : L.name.size;
  const address = wrapAddress(p.address, 25)
    .map((line, i) => text(L.address.x, L.address.y + i * 28, L.address.size, line))
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}">
  <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f4f7fb"/><stop offset="1" stop-color="#e4ecf4"/></linearGradient></defs>
  <rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" rx="28" fill="url(#bg)"/>
  <circle cx="470" cy="330" r="120" fill="none" stroke="#d5e1ee" stroke-width="6"/>
  ${text(L.nameLabel.x, L.nameLabel.y, L.nameLabel.size, '氏名')}
  ${text(L.name.x, L.name.y, nameSize, p.nameKanji)}
  ${text(L.birth.x, L.birth.y, L.birth.size, p.birthTextOverride ?? printedBirthDate(p.birthDate, design))}
  ${text(L.sex.x, L.sex.y, L.sex.size, p.sex === 'male' ? '男' : '女')}
  ${text(L.addressLabel.x, L.addressLabel.y, L.addressLabel.size, '住所')}
  ${address}
  <rect x="${L.expiryBox.x}" y="${L.expiryBox.y}" width="${L.expiryBox.width}" height="${L.expiryBox.height}" rx="6" fill="#f3e6c8"/>
  ${text(L.expiry.x, L.expiry.y, L.expiry.size, printedExpiry(p.cardExpiry))}
  ${text(L.securityCode.x, L.securityCode.y, L.securityCode.size, p.securityCode)}
  ${text(L.title.x, L.title.y, L.title.size, '個人番号カード')}
  ${text(560, 506, 18, '日本国 JAPAN')}
</svg>`;
  return sharp(Buffer.from(svg))
    .composite([{ input: await photoPngOf(p.photo, L.photo), left: L.photo.x, top: L.photo.y }])
    .png()
    .toBuffer();
}

/** `renderCardFace(persona)`: the persona's printed card face as a PNG (test personas only). */
export async function renderCardFace(persona: Persona): Promise<Buffer> {
  return renderCardFacePrint({
    nameKanji: persona.person.nameKanji,
    address: persona.person.address,
    birthDate: persona.person.birthDate,
    sex: persona.person.sex,
    cardExpiry: persona.cardExpiry,
    securityCode: persona.securityCode,
    photo: await personaPhoto(persona),
    design: designOf(persona),
    nameKana: persona.person.nameKana,
    ...(persona.person.nameRomaji ? { nameRomaji: persona.person.nameRomaji } : {}),
  });
}
