/**
 * The emulated card's side of the 券面 file formats (SPEC §5.1, issue 13): a small declarative
 * schema of every object the two 券面 applications hold, encoded with `asn1js` (BER/DER), so the
 * emulator shares NO code with the reader's parsers (`src/card-face/*`, `src/card/*`) and a format
 * mistake on either side shows up as a disagreement instead of being agreed by construction.
 *
 * Tags are written as BER identifier class + number, the way AokiApp/jsapdu
 * `packages/mynacard/src/schema.ts` documents the card (read for reference, no code taken):
 * private-class `FF10`/`FF20`/`FF30`/`FF40` templates with primitive `DFxx` members, the
 * application-class card-verifiable certificate `7F21 { 5F4E, 5F37 }`, and the RSA public key as
 * two context-class primitives `90` (exponent) and `91` (modulus) (soltia48/myna-card `data.rs`).
 * Lengths are whatever asn1js writes: definite, minimal (short form, `81 xx`, `82 xxxx`).
 */
import * as asn1js from 'asn1js';
import { createPublicKey, privateEncrypt, sign, constants, type KeyObject } from 'node:crypto';

/** asn1js's identifier classes (1 universal, 2 application, 3 context-specific, 4 private). */
const CLASS = { application: 2, context: 3, private: 4 } as const;
type TagClass = keyof typeof CLASS;

export interface TagSpec {
  cls: TagClass;
  number: number;
}

/**
 * Every object the emulator writes, by name. EF numbers and member order follow jsapdu's
 * `KENKAKU_AP_EF` / `KENHOJO_AP_EF` and schemas.
 */
export const SCHEMA = {
  /** 券面事項確認AP EF 0001 生年月日: { DF11 birth, DF12 card key, DF13 signature }. */
  ageRecord: { cls: 'private', number: 0x10 },
  ageBirth: { cls: 'private', number: 0x11 },
  ageKey: { cls: 'private', number: 0x12 },
  ageSignature: { cls: 'private', number: 0x13 },
  /** EF 0002 券面事項: { DF21 offsets, DF22 birth … DF2A security-code image }. */
  entries: { cls: 'private', number: 0x20 },
  entriesOffsets: { cls: 'private', number: 0x21 },
  /** EF 0003 AP基本情報. */
  apInfo: { cls: 'private', number: 0x30 },
  /** EF 0005 個人番号 (image): { DF41 PNG, DF42 card key, DF43 signature }. */
  myNumberImage: { cls: 'private', number: 0x40 },
  /** EF 0004 中間証明書: CV certificate { 5F4E body, 5F37 signature }. */
  cvCertificate: { cls: 'application', number: 0x21 },
  cvBody: { cls: 'application', number: 0x4e },
  cvSignature: { cls: 'application', number: 0x37 },
  /** RSA public key members. */
  rsaExponent: { cls: 'context', number: 0x10 },
  rsaModulus: { cls: 'context', number: 0x11 },
} as const satisfies Record<string, TagSpec>;

/** EF 0002's members after the offset table, in file order (jsapdu `schemaKenkakuEntries`). */
export const ENTRY_MEMBERS = ['birth', 'sex', 'cardKey', 'nameImage', 'addressImage', 'photo', 'signature', 'expiry', 'securityCodeImage'] as const;
export type EntryMember = (typeof ENTRY_MEMBERS)[number];
const ENTRY_NUMBER: Record<EntryMember, number> = {
  birth: 0x22,
  sex: 0x23,
  cardKey: 0x24,
  nameImage: 0x25,
  addressImage: 0x26,
  photo: 0x27,
  signature: 0x28,
  expiry: 0x29,
  securityCodeImage: 0x2a,
};

/** 券面事項入力補助AP EF 0002 券面4事項 members after the offset table (jsapdu `schemaKenhojoBasicFour`). */
export const BASIC_FOUR_MEMBERS = ['name', 'address', 'birth', 'sex'] as const;
export type BasicFourMember = (typeof BASIC_FOUR_MEMBERS)[number];
const BASIC_FOUR_NUMBER: Record<BasicFourMember, number> = { name: 0x22, address: 0x23, birth: 0x24, sex: 0x25 };

type Node = asn1js.Primitive | asn1js.Constructed;

const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * The identifier of a tag. The card writes every private-class tag in the two-byte form (`FF10`,
 * `DF11`, `DF21` — how soltia48/myna-card, jpki/myna and our old files name them), even below
 * tag number 31 where X.690 §8.1.2.3 would use one byte (`F0`, `D1`); asn1js does that when the
 * number is given as its "hex-only" subsequent octet.
 */
function idBlock(tag: TagSpec): { tagClass: number; tagNumber: number; isHexOnly?: boolean; valueHex?: Uint8Array } {
  const base = { tagClass: CLASS[tag.cls], tagNumber: tag.number };
  return tag.cls === 'private' && tag.number < 31 ? { ...base, isHexOnly: true, valueHex: Uint8Array.of(tag.number) } : base;
}

export function primitive(tag: TagSpec, value: Buffer): asn1js.Primitive {
  return new asn1js.Primitive({ idBlock: idBlock(tag), valueHex: view(value) });
}

export function constructed(tag: TagSpec, members: Node[]): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: idBlock(tag), value: members });
}

export function encode(node: Node): Buffer {
  const ber = node.toBER(false);
  if (ber.byteLength === 0) throw new Error(`asn1js could not encode: ${node.error || 'unknown'}`);
  return Buffer.from(ber);
}

const privateTag = (number: number): TagSpec => ({ cls: 'private', number });

/**
 * A template whose first member is an offset table: big-endian u16 offsets from the file's first
 * byte to each following member (jsapdu's reader slices the file itself with them).
 */
function withOffsetTable(outer: TagSpec, members: asn1js.Primitive[]): Buffer {
  const sizes = members.map((m) => encode(m).length);
  const placeholder = primitive(SCHEMA.entriesOffsets, Buffer.alloc(2 * members.length));
  const tableSize = encode(placeholder).length;
  const inner = tableSize + sizes.reduce((a, b) => a + b, 0);
  const header = encode(constructed(outer, [placeholder, ...members])).length - inner;
  const table = Buffer.alloc(2 * members.length);
  let at = header + tableSize;
  sizes.forEach((size, i) => {
    table.writeUInt16BE(at, 2 * i);
    at += size;
  });
  return encode(constructed(outer, [primitive(SCHEMA.entriesOffsets, table), ...members]));
}

/** EF 0002 of the 券面事項確認AP, and each member as written (the signed groups digest these). */
export function cardFaceEntries(values: Record<EntryMember, Buffer>): { file: Buffer; member: (m: EntryMember) => Buffer } {
  const members = ENTRY_MEMBERS.map((m) => primitive(privateTag(ENTRY_NUMBER[m]), values[m]));
  return {
    file: withOffsetTable(SCHEMA.entries, members),
    member: (m) => encode(primitive(privateTag(ENTRY_NUMBER[m]), values[m])),
  };
}

/** EF 0002 of the 券面事項入力補助AP. */
export function basicFour(values: Record<BasicFourMember, Buffer>): Buffer {
  return withOffsetTable(SCHEMA.entries, BASIC_FOUR_MEMBERS.map((m) => primitive(privateTag(BASIC_FOUR_NUMBER[m]), values[m])));
}

/** Private-class primitives `DFxx` one after another, as written inside a template. */
export function privateMembers(members: Array<[number, Buffer]>): Buffer {
  return Buffer.concat(members.map(([n, v]) => encode(primitive(privateTag(n), v))));
}

/** A template of private-class primitives, e.g. `FF10 { DF11 … }`. */
export function privateTemplate(outer: number, members: Array<[number, Buffer]>): Buffer {
  return encode(constructed(privateTag(outer), members.map(([n, v]) => primitive(privateTag(n), v))));
}

/** Unsigned big-endian bytes of a JWK base64url integer (no leading zeros). */
function jwkInteger(b64: string): Buffer {
  const b = Buffer.from(b64, 'base64url');
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** The card's RSA-2048 public key form: `90 <exponent> 91 82 01 00 <256-byte modulus>`. */
export function rsaPublicKey(key: KeyObject): Buffer {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  if (!jwk.n || !jwk.e) throw new TypeError('not an RSA key');
  const n = jwkInteger(jwk.n);
  if (n.length > 256) throw new RangeError('modulus longer than RSA-2048');
  const modulus = Buffer.concat([Buffer.alloc(256 - n.length), n]);
  return Buffer.concat([encode(primitive(SCHEMA.rsaExponent, jwkInteger(jwk.e))), encode(primitive(SCHEMA.rsaModulus, modulus))]);
}

/** id-sha256 (NIST, 2.16.840.1.101.3.4.2.1). */
const SHA256_OID = '2.16.840.1.101.3.4.2.1';

/** DER DigestInfo { { id-sha256, NULL }, OCTET STRING digest } (the digest may be several SHA-256 values). */
export function digestInfo(digest: Buffer): Buffer {
  const seq = new asn1js.Sequence({
    value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: SHA256_OID }), new asn1js.Null()] }), new asn1js.OctetString({ valueHex: view(digest) })],
  });
  return Buffer.from(seq.toBER(false));
}

/** PKCS#1 v1.5 over SHA-256 of `data` (Node's own DigestInfo: an oracle independent of ours). */
export function signSha256(key: KeyObject, data: Buffer): Buffer {
  return sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING });
}

/** PKCS#1 v1.5 over a DigestInfo already built (block type 1, as the card computes it). */
export function signDigestInfo(key: KeyObject, info: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, info);
}

/** A 16-byte key identifier: 7 ASCII digits, `08 05`, 3 ASCII digits, zeros (myna-card `ca.rs`). */
export function keyId(sevenDigits: string, threeDigits = '001'): Buffer {
  if (!/^\d{7}$/.test(sevenDigits) || !/^\d{3}$/.test(threeDigits)) throw new RangeError('key id digits');
  return Buffer.concat([Buffer.from(sevenDigits, 'ascii'), Buffer.from([0x08, 0x05]), Buffer.from(threeDigits, 'ascii'), Buffer.alloc(4)]);
}

/**
 * EF 0004: `7F21 { 5F4E <issuer key id 16> <subject key id 16> <public key 265>, 5F37 <signature> }`,
 * signed PKCS#1 v1.5 / SHA-256 over the 5F4E body by the certifying key.
 */
export function cvCertificate(o: { issuerKeyId: Buffer; subjectKeyId: Buffer; subjectPublicKey: KeyObject; issuerPrivateKey: KeyObject }): Buffer {
  const body = Buffer.concat([o.issuerKeyId, o.subjectKeyId, rsaPublicKey(o.subjectPublicKey)]);
  return encode(constructed(SCHEMA.cvCertificate, [primitive(SCHEMA.cvBody, body), primitive(SCHEMA.cvSignature, signSha256(o.issuerPrivateKey, body))]));
}
