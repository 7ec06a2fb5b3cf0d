/**
 * EF 0002 of the 券面事項確認AP (SPEC §5.1; layout as soltia48/myna-card documents it):
 *
 *   FF20 { DF21 offset table (u16 from the file start to each following object),
 *          DF22 birth date YYYYMMDD, DF23 sex, DF24 card public key,
 *          DF25 name image, DF26 address image, DF27 photo (greyscale JPEG 2000),
 *          DF28 issuer signature, DF29 expiry YYYYMMDD, DF2A security-code image }
 *
 * DF28 is PKCS#1 v1.5 over a DigestInfo holding SHA-256(DF22‖DF23‖DF24) ‖ SHA-256(DF25‖DF26) ‖
 * SHA-256(DF27), each over the objects as written (headers included). DF29 and DF2A come after the
 * signature and are not covered by it. The reader's side only: the rig's emulator writes the file
 * with its own schema (`rig/emulator/card-face/card-schema.ts`, issue 13).
 */
import type { KeyObject } from 'node:crypto';
import { parseTemplate, TlvFormatError, type TlvObject } from '../iso7816';
import { CardDataFormatError, parseRsaPublicKey, sha256, sha256DigestInfo } from './card-crypto';

export const TAG_CARD_FACE = 0xff20;
export const TAG_OFFSETS = 0xdf21;
export const CARD_FACE_TAGS = [0xdf22, 0xdf23, 0xdf24, 0xdf25, 0xdf26, 0xdf27, 0xdf28, 0xdf29, 0xdf2a] as const;

/** The DigestInfo DF28 signs, from the three groups of objects as written. */
export function cardFaceDigestInfo(group1: Buffer, group2: Buffer, group3: Buffer): Buffer {
  return sha256DigestInfo(Buffer.concat([sha256(group1), sha256(group2), sha256(group3)]));
}

/** The signed groups for DF28 given the objects DF22–DF27 as written. */
export function signedGroups(objects: Map<number, TlvObject>): [Buffer, Buffer, Buffer] {
  const raw = (t: number): Buffer => {
    const o = objects.get(t);
    if (!o) throw new CardDataFormatError(`EF 0002: no field ${t.toString(16).toUpperCase()}`, t.toString(16));
    return o.raw;
  };
  return [Buffer.concat([raw(0xdf22), raw(0xdf23), raw(0xdf24)]), Buffer.concat([raw(0xdf25), raw(0xdf26)]), raw(0xdf27)];
}

export interface ParsedCardFaceRecord {
  birthDate: string;
  sex: string;
  cardPublicKey: KeyObject;
  photo: Buffer;
  signature: Buffer;
  expiry: string;
  /** DigestInfo the issuer signature must recover to. */
  expectedDigestInfo: Buffer;
}

/** Parses EF 0002 strictly: outer tag, offset table checked against where objects really start. */
export function parseCardFaceRecord(file: Buffer): ParsedCardFaceRecord {
  let children: TlvObject[];
  try {
    children = parseTemplate(file, TAG_CARD_FACE).children;
  } catch (err) {
    if (err instanceof TlvFormatError) throw new CardDataFormatError(`EF 0002: ${err.message}`, 'EF0002');
    throw err;
  }
  const table = children.find((c) => c.tag === TAG_OFFSETS);
  const objects = new Map<number, TlvObject>();
  const fields = children.filter((c) => c.tag !== TAG_OFFSETS);
  for (const c of fields) objects.set(c.tag, c);
  if (table) {
    if (table.value.length !== 2 * fields.length) throw new CardDataFormatError('EF 0002: offset table does not match the objects', 'DF21');
    fields.forEach((c, i) => {
      if (table.value.readUInt16BE(2 * i) !== c.offset) throw new CardDataFormatError(`EF 0002: offset table entry ${i} is wrong`, 'DF21');
    });
  }
  const text = (t: number, re: RegExp): string => {
    const v = objects.get(t)?.value.toString('latin1');
    if (v === undefined || !re.test(v)) throw new CardDataFormatError(`EF 0002: field ${t.toString(16).toUpperCase()} malformed`, t.toString(16));
    return v;
  };
  const value = (t: number): Buffer => {
    const o = objects.get(t);
    if (!o) throw new CardDataFormatError(`EF 0002: no field ${t.toString(16).toUpperCase()}`, t.toString(16));
    return o.value;
  };
  const [g1, g2, g3] = signedGroups(objects);
  return {
    birthDate: text(0xdf22, /^\d{8}$/),
    sex: text(0xdf23, /^[0-9]$/),
    cardPublicKey: parseRsaPublicKey(value(0xdf24), 'DF24'),
    photo: value(0xdf27),
    signature: value(0xdf28),
    expiry: text(0xdf29, /^\d{8}$/),
    expectedDigestInfo: cardFaceDigestInfo(g1, g2, g3),
  };
}
