/**
 * What the card-face reader's tests share (ocr.test.ts, cascade.test.ts): personas by name and
 * camera images drawn by the rig's renderer and camera, so each test says what it expects of the
 * reader, not how to draw.
 */
import sharp from 'sharp';
import { renderCardFacePrint } from '../../rig/emulator/card-face/render-face';
import { degradeCardImage } from '../../rig/emulator/card-face/degrade';
import { personaPhoto } from '../../rig/emulator/card-face/files';
import { findPersona, type Persona } from '../../rig/personas/catalogue';

export function persona(name: string): Persona {
  const p = findPersona(name);
  if (!p) throw new Error(`no persona ${name}`);
  return p;
}

/** The persona's card with a birth date that cannot exist printed on it (昭和64年 2月 1日: 平成 began on 64-01-08). */
export async function impossibleBirthDateImage(p: Persona): Promise<Buffer> {
  const png = await renderCardFacePrint({
    nameKanji: p.person.nameKanji,
    address: p.person.address,
    birthDate: p.person.birthDate,
    sex: p.person.sex,
    cardExpiry: p.cardExpiry,
    securityCode: p.securityCode,
    photo: await personaPhoto(p),
    birthTextOverride: '昭和64年 2月 1日生',
  });
  return degradeCardImage(png, {});
}

/** The tray with no card on it. */
export function emptyTrayImage(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a3430' } }).png().toBuffer();
}
