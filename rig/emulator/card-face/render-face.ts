/**
 * The printed front of a persona's card (SPEC §5.1), as the rig's "camera" sees it before
 * degradation: name and address on the left, date of birth in the Japanese era and sex to the
 * right of the name, the photo on the right with the 4-digit security code beneath it, the expiry
 * `YYYY年 M月 D日まで有効` near the lower left. Drawn with Debian's IPAGothic through sharp's SVG
 * renderer at 856×540 (ID-1, 10 px/mm). Fictional test data only.
 */
import sharp from 'sharp';
import type { Persona, Sex } from '../../personas/catalogue';
import { formatEraBirthDate, formatExpiry } from '../../../src/card-face/japanese-era';
import type { GreyImage } from '../../../src/card-face/jpeg2000';
import { personaPhoto } from './files';
import { CARD_FONT, escapeXml } from './text-image';

export const CARD_WIDTH = 856;
export const CARD_HEIGHT = 540;

/** Where each printed field sits on the 856×540 face; the reader's layout model uses the same frame. */
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
}

function wrapAddress(address: string, perLine: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < address.length; i += perLine) lines.push(address.slice(i, i + perLine));
  return lines;
}

export async function renderCardFacePrint(p: CardFacePrint): Promise<Buffer> {
  const L = FACE_LAYOUT;
  const text = (x: number, y: number, size: number, s: string, extra = ''): string =>
    `<text x="${x}" y="${y}" font-family="${CARD_FONT}" font-size="${size}" fill="#111" ${extra}>${escapeXml(s)}</text>`;
  const address = wrapAddress(p.address, 25)
    .map((line, i) => text(L.address.x, L.address.y + i * 28, L.address.size, line))
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}">
  <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f4f7fb"/><stop offset="1" stop-color="#e4ecf4"/></linearGradient></defs>
  <rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" rx="28" fill="url(#bg)"/>
  <circle cx="470" cy="330" r="120" fill="none" stroke="#d5e1ee" stroke-width="6"/>
  ${text(L.nameLabel.x, L.nameLabel.y, L.nameLabel.size, '氏名')}
  ${text(L.name.x, L.name.y, L.name.size, p.nameKanji)}
  ${text(L.birth.x, L.birth.y, L.birth.size, p.birthTextOverride ?? formatEraBirthDate(p.birthDate), 'xml:space="preserve"')}
  ${text(L.sex.x, L.sex.y, L.sex.size, p.sex === 'male' ? '男' : '女')}
  ${text(L.addressLabel.x, L.addressLabel.y, L.addressLabel.size, '住所')}
  ${address}
  <rect x="${L.expiryBox.x}" y="${L.expiryBox.y}" width="${L.expiryBox.width}" height="${L.expiryBox.height}" rx="6" fill="#f3e6c8"/>
  ${text(L.expiry.x, L.expiry.y, L.expiry.size, formatExpiry(p.cardExpiry), 'xml:space="preserve"')}
  ${text(L.securityCode.x, L.securityCode.y, L.securityCode.size, p.securityCode)}
  ${text(L.title.x, L.title.y, L.title.size, '個人番号カード')}
  ${text(560, 506, 18, '日本国 JAPAN')}
</svg>`;
  const photoPng = await sharp(Buffer.from(p.photo.grey), { raw: { width: p.photo.width, height: p.photo.height, channels: 1 } })
    .resize(L.photo.width, L.photo.height, { fit: 'cover' })
    .png()
    .toBuffer();
  return sharp(Buffer.from(svg))
    .composite([{ input: photoPng, left: L.photo.x, top: L.photo.y }])
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
  });
}
