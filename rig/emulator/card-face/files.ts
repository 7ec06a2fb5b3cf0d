/**
 * Builds the files of a persona's 券面事項確認AP and 券面事項入力補助AP (SPEC §5.1, layouts as
 * soltia48/myna-card documents them). Async because the field images (sharp) and the photo
 * (OpenJPEG) are encoded here, once per card; the applications themselves are synchronous.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Persona } from '../../personas/catalogue';
import type { CardFaceCredentials } from '../../personas/card-face-credentials';
import { encodeRsaPublicKey, signDigestInfo, sha256, sha256DigestInfo, makeKeyId } from '../../../src/card-face/card-crypto';
import { cardFaceDigestInfo, encodeCardFaceRecord } from '../../../src/card-face/card-face-record';
import { tlv } from './tlv-writer';
import { encodeGreyJp2, type GreyImage } from '../../../src/card-face/jpeg2000';
import { codeB, toEraDate } from '../../../src/card-face/japanese-era';
import { personaFacePhoto } from '../../personas/face-images';
import { textLinePng } from './text-image';

export interface CardFaceFiles {
  ef0001: Buffer;
  ef0002: Buffer;
  ef0003: Buffer;
  ef0004: Buffer;
  /** Key reference values: 0011 birth date (era YYMMDD), 0012 照合番号B, 0013 照合番号A. */
  birthCode: string;
  codeB: string;
  codeA: string;
  /** 照合番号B tries left at power-up. */
  codeBTries: number;
}

export interface CardTextFiles {
  /** EF 0001: 個人番号 (FF10). */
  ef0001: Buffer;
  /** EF 0002: 基本4情報 (FF20 / DF21 offsets / DF22 name / DF23 address / DF24 birth / DF25 sex). */
  ef0002: Buffer;
  codeA: string;
  codeB: string;
}

const compactDate = (iso: string): string => iso.replace(/-/g, '');
const sexCode = (p: Persona): string => (p.person.sex === 'male' ? '1' : '2');

/**
 * A fictional 12-digit 個人番号 for the persona (照合番号A), with the real check digit rule, starting
 * with 9 so it never matches a real number's pattern of issue.
 */
export function testMyNumber(persona: Persona): string {
  const h = createHash('sha256').update(`my-number:${persona.name}`).digest();
  let body = '9';
  for (let i = 0; body.length < 11; i++) body += String((h[i] ?? 0) % 10);
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(body[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  const check = r <= 1 ? 0 : 11 - r;
  return body + String(check);
}

/** DF27 photo size: small enough that EF 0002 stays inside READ BINARY's 15-bit offsets. */
export const CARD_PHOTO_SIZE = { width: 180, height: 240 } as const;

/**
 * A face photo as the card stores it: greyscale, 180×240, lightly smoothed and quantised to 64
 * levels. The OpenJPEG build's rate control has no measurable effect (sizes barely move with
 * `setQuality`), so the size is kept down here instead: ≤ 19 KB for every persona.
 */
export async function cardPhoto(photo: GreyImage): Promise<GreyImage> {
  const { width, height } = CARD_PHOTO_SIZE;
  const data = await sharp(Buffer.from(photo.grey.buffer, photo.grey.byteOffset, photo.grey.byteLength), { raw: { width: photo.width, height: photo.height, channels: 1 } })
    .resize(width, height, { fit: 'cover' })
    .blur(0.6)
    .extractChannel(0)
    .raw()
    .toBuffer();
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = (data[i] ?? 0) & 0xfc;
  return { width, height, grey };
}

/** The persona's photo as the card stores it (from the persona face images, SPEC §5 DF27). */
export async function personaPhoto(persona: Persona): Promise<GreyImage> {
  return cardPhoto(await personaFacePhoto(persona.name));
}

export async function buildCardFaceFiles(persona: Persona, creds: CardFaceCredentials): Promise<CardFaceFiles> {
  const photo = await encodeGreyJp2(await personaPhoto(persona));
  const [nameImage, addressImage, securityCodeImage] = await Promise.all([
    textLinePng(persona.person.nameKanji, 28, 360),
    textLinePng(persona.person.address, 20, 560),
    textLinePng(persona.securityCode, 12, 32),
  ]);
  const cardPublicKey = encodeRsaPublicKey(creds.df24PublicKey);
  const birth = compactDate(persona.person.birthDate);
  const g1 = Buffer.concat([tlv(0xdf22, Buffer.from(birth, 'ascii')), tlv(0xdf23, Buffer.from(sexCode(persona), 'ascii')), tlv(0xdf24, cardPublicKey)]);
  const g2 = Buffer.concat([tlv(0xdf25, nameImage), tlv(0xdf26, addressImage)]);
  const g3 = tlv(0xdf27, photo);
  const signature = signDigestInfo(creds.issuerKey, cardFaceDigestInfo(g1, g2, g3));

  let storedPhoto = photo;
  if (persona.cardFaceAttack === 'forged-photo') {
    // Another person's face put in after the issuer signed: same format, same size class.
    storedPhoto = await encodeGreyJp2(await cardPhoto(await personaFacePhoto(persona.name === 'valid' ? 'expiring-soon' : 'valid')));
  }
  const ef0002 = encodeCardFaceRecord({
    birthDate: birth,
    sex: sexCode(persona),
    cardPublicKey,
    nameImage,
    addressImage,
    photo: storedPhoto,
    signature,
    expiry: compactDate(persona.cardExpiry),
    securityCodeImage,
  });

  // EF 0001, the age record: DF11 birth date, DF12 card key, DF13 signature over what precedes it.
  const ageBody = Buffer.concat([tlv(0xdf11, Buffer.from(birth, 'ascii')), tlv(0xdf12, cardPublicKey)]);
  const ef0001 = tlv(0xff10, Buffer.concat([ageBody, tlv(0xdf13, signDigestInfo(creds.issuerKey, sha256DigestInfo(sha256(ageBody))))]));

  // EF 0003, the application's basic data (layout id, key id, version, municipality code, opaque block).
  const ef0003 = tlv(
    0xff30,
    Buffer.concat([
      tlv(0xdf31, Buffer.from([0x06, 0x03, 0x0e, 0x01])),
      tlv(0xdf32, makeKeyId('9000024')),
      tlv(0xdf33, Buffer.from([0x01])),
      tlv(0xdf34, Buffer.from('13101', 'ascii')),
      tlv(0xdf35, Buffer.concat([makeKeyId('9000025'), sha256(Buffer.from(persona.name)).subarray(0, 32), Buffer.alloc(224)])),
    ]),
  );

  const era = toEraDate(persona.person.birthDate);
  const two = (n: number): string => String(n).padStart(2, '0');
  return {
    ef0001,
    ef0002,
    ef0003,
    ef0004: creds.issuerCertificate,
    birthCode: `${two(era.year)}${two(era.month)}${two(era.day)}`,
    codeB: codeB(persona.person.birthDate, persona.cardExpiry, persona.securityCode),
    codeA: testMyNumber(persona),
    codeBTries: persona.codeBTriesLeft ?? 10,
  };
}

export function buildCardTextFiles(persona: Persona): CardTextFiles {
  const fields = [
    tlv(0xdf22, Buffer.from(persona.person.nameKanji, 'utf8')),
    tlv(0xdf23, Buffer.from(persona.person.address, 'utf8')),
    tlv(0xdf24, Buffer.from(compactDate(persona.person.birthDate), 'ascii')),
    tlv(0xdf25, Buffer.from(sexCode(persona), 'ascii')),
  ];
  const tableObject = tlv(0xdf21, Buffer.alloc(8));
  const inner = fields.reduce((n, f) => n + f.length, tableObject.length);
  const header = tlv(0xff20, Buffer.alloc(inner)).length - inner;
  const table = Buffer.alloc(8);
  let pos = header + tableObject.length;
  fields.forEach((f, i) => {
    table.writeUInt16BE(pos, 2 * i);
    pos += f.length;
  });
  const myNumber = testMyNumber(persona);
  return {
    ef0001: tlv(0xff10, tlv(0xdf11, Buffer.from(myNumber, 'ascii'))),
    ef0002: tlv(0xff20, Buffer.concat([tlv(0xdf21, table), ...fields])),
    codeA: myNumber,
    codeB: codeB(persona.person.birthDate, persona.cardExpiry, persona.securityCode),
  };
}
