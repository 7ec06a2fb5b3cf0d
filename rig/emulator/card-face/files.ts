/**
 * Builds the files of a persona's 券面事項確認AP and 券面事項入力補助AP (SPEC §5.1, layouts as
 * AokiApp/jsapdu and soltia48/myna-card document them). Async because the field images (sharp)
 * and the photo (OpenJPEG) are encoded here, once per card; the applications themselves are
 * synchronous.
 *
 * Independent of the reader by construction (issue 13): BER-TLV and DER come from the rig's own
 * schema on `asn1js` (card-schema.ts), dates and 照合番号B from printed-dates.ts. The only code
 * shared with `src/` is the JPEG 2000 *encoder* wrapper (`encodeGreyJp2`, OpenJPEG's codec): a
 * codec package, not our format logic; the reader's decoder is checked against it by decoding.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Persona } from '../../personas/catalogue';
import type { CardFaceCredentials } from '../../personas/card-face-credentials';
import { encodeGreyJp2, type GreyImage } from '../../../src/card-face/jpeg2000';
import { personaFacePhoto } from '../../personas/face-images';
import { textLinePng } from './text-image';
import { SCHEMA, basicFour, cardFaceEntries, digestInfo, keyId, privateMembers, privateTemplate, rsaPublicKey, signDigestInfo, signSha256, type EntryMember } from './card-schema';
import { cardCodeB, designOf, printedBirthYymmdd } from './printed-dates';

export interface CardFaceFiles {
  ef0001: Buffer;
  ef0002: Buffer;
  ef0003: Buffer;
  ef0004: Buffer;
  /** 個人番号 image (FF40 { DF41 PNG, DF42 card key, DF43 signature }). */
  ef0005: Buffer;
  /** Key reference values: 0011 birth date (YYMMDD as printed), 0012 照合番号B, 0013 照合番号A. */
  birthCode: string;
  codeB: string;
  codeA: string;
  /** 照合番号B tries left at power-up. */
  codeBTries: number;
}

export interface CardTextFiles {
  /** EF 0001: 個人番号 (DF10, the 12 digits as its value). */
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

const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

export async function buildCardFaceFiles(persona: Persona, creds: CardFaceCredentials): Promise<CardFaceFiles> {
  const photo = await encodeGreyJp2(await personaPhoto(persona));
  const [nameImage, addressImage, securityCodeImage, myNumberImage] = await Promise.all([
    textLinePng(persona.person.nameKanji, 28, 360),
    textLinePng(persona.person.address, 20, 560),
    textLinePng(persona.securityCode, 12, 32),
    textLinePng(testMyNumber(persona).replace(/(\d{4})(?=\d)/g, '$1 '), 24, 240),
  ]);
  const cardKey = rsaPublicKey(creds.df24PublicKey);
  const birth = compactDate(persona.person.birthDate);
  const values: Record<EntryMember, Buffer> = {
    birth: Buffer.from(birth, 'ascii'),
    sex: Buffer.from(sexCode(persona), 'ascii'),
    cardKey,
    nameImage,
    addressImage,
    photo,
    signature: Buffer.alloc(256),
    expiry: Buffer.from(compactDate(persona.cardExpiry), 'ascii'),
    securityCodeImage,
  };
  // DF28: PKCS#1 v1.5 over DigestInfo(SHA-256(DF22‖DF23‖DF24) ‖ SHA-256(DF25‖DF26) ‖ SHA-256(DF27)),
  // each over the members as written, headers included (soltia48/myna-card `surface.rs`).
  const written = cardFaceEntries(values).member;
  const groups = [['birth', 'sex', 'cardKey'], ['nameImage', 'addressImage'], ['photo']] as const;
  const digests = groups.map((g) => sha256(Buffer.concat(g.map((m) => written(m)))));
  values.signature = signDigestInfo(creds.issuerKey, digestInfo(Buffer.concat(digests)));
  if (persona.cardFaceAttack === 'forged-photo') {
    // Another person's face put in after the issuer signed: same format, same size class.
    values.photo = await encodeGreyJp2(await cardPhoto(await personaFacePhoto(persona.name === 'valid' ? 'expiring-soon' : 'valid')));
  }
  const ef0002 = cardFaceEntries(values).file;

  // EF 0001, the age record: DF11 birth date, DF12 card key, DF13 signature over DF11‖DF12 as written.
  const ageMembers: Array<[number, Buffer]> = [
    [SCHEMA.ageBirth.number, Buffer.from(birth, 'ascii')],
    [SCHEMA.ageKey.number, cardKey],
  ];
  const ageSigned = privateMembers(ageMembers);
  const ef0001 = privateTemplate(SCHEMA.ageRecord.number, [...ageMembers, [SCHEMA.ageSignature.number, signSha256(creds.issuerKey, ageSigned)]]);

  // EF 0003, the application's basic data (layout id, key id, version, municipality code, opaque block).
  const ef0003 = privateTemplate(SCHEMA.apInfo.number, [
    [0x31, Buffer.from([0x06, 0x03, 0x0e, 0x01])],
    [0x32, keyId('9000024')],
    [0x33, Buffer.from([0x01])],
    [0x34, Buffer.from('13101', 'ascii')],
    [0x35, Buffer.concat([keyId('9000025'), sha256(Buffer.from(persona.name)), Buffer.alloc(224)])],
  ]);

  // EF 0005, the 個人番号 image: DF41 PNG, DF42 card key, DF43 signature over DF41‖DF42 as written
  // (jsapdu `schemaKenkakuMyNumber`).
  const numberMembers: Array<[number, Buffer]> = [
    [0x41, myNumberImage],
    [0x42, cardKey],
  ];
  const numberSigned = privateMembers(numberMembers);
  const ef0005 = privateTemplate(SCHEMA.myNumberImage.number, [...numberMembers, [0x43, signSha256(creds.issuerKey, numberSigned)]]);

  return {
    ef0001,
    ef0002,
    ef0003,
    ef0004: creds.issuerCertificate,
    ef0005,
    birthCode: printedBirthYymmdd(persona.person.birthDate, designOf(persona)),
    codeB: cardCodeB(persona),
    codeA: testMyNumber(persona),
    codeBTries: persona.codeBTriesLeft ?? 10,
  };
}

export function buildCardTextFiles(persona: Persona): CardTextFiles {
  const myNumber = testMyNumber(persona);
  return {
    // One private-class object, tag number 16, whose value is the 12 digits themselves: jpki/myna
    // (Go `UnmarshalWithParams(…, "private,tag:16")`, Rust `from_utf8(parse(EF 0001).data)`) and
    // jsapdu (`BasicTLVParser.parse(buffer).value` as text) all read it so. Primitive (DF10) is
    // the rig's choice: none of them looks at the constructed bit.
    ef0001: privateMembers([[0x10, Buffer.from(myNumber, 'ascii')]]),
    ef0002: basicFour({
      name: Buffer.from(persona.person.nameKanji, 'utf8'),
      address: Buffer.from(persona.person.address, 'utf8'),
      birth: Buffer.from(compactDate(persona.person.birthDate), 'ascii'),
      sex: Buffer.from(sexCode(persona), 'ascii'),
    }),
    codeA: myNumber,
    codeB: cardCodeB(persona),
  };
}
