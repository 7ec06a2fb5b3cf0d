/**
 * The cryptographic formats of the 券面 applications (SPEC §5.1), as public readers document them
 * (soltia48/myna-card `data.rs`, `surface.rs`):
 * - an RSA public key as `90 <exponent> 91 82 01 00 <256-byte modulus>`;
 * - PKCS#1 v1.5 signatures over a SHA-256 DigestInfo whose OCTET STRING may hold several digests
 *   (EF 0002's DF28 holds three, 96 bytes);
 * - the card-verifiable certificate of EF 0004: `7F21 { 5F4E <issuer key id 16> <subject key id 16>
 *   <public key 265>, 5F37 <signature> }`, signed PKCS#1 v1.5 / SHA-256 over the 297-byte body.
 * The reader's side only (parse and verify): the rig's emulator writes these with its own schema
 * (`rig/emulator/card-face/card-schema.ts`, issue 13), so the two cannot agree by construction.
 */
import { createHash, createPrivateKey, createPublicKey, publicDecrypt, constants, type KeyObject } from 'node:crypto';
import { encodeTlv as tlv, parseTlvAt, parseTlvList, TlvFormatError } from '../iso7816';

export const KEY_ID_LENGTH = 16;
export const CV_BODY_LENGTH = 297;

export class CardDataFormatError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'CardDataFormatError';
  }
}

/** Printable part of a key id, for staff-facing reasons and logs (it identifies an issuer, not a person). */
export function keyIdLabel(id: Buffer): string {
  const s = id.subarray(0, 7).toString('latin1');
  return /^\d{7}$/.test(s) ? s : id.toString('hex').toUpperCase();
}

function unsigned(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

export function parseRsaPublicKey(data: Buffer, field = 'public key'): KeyObject {
  let objs;
  try {
    objs = parseTlvList(data);
  } catch (err) {
    throw new CardDataFormatError(`${field}: ${(err as Error).message}`, field);
  }
  const e = objs.find((o) => o.tag === 0x90)?.value;
  const n = objs.find((o) => o.tag === 0x91)?.value;
  if (!e || !n || n.length !== 256 || e.length === 0 || e.length > 4) {
    throw new CardDataFormatError(`${field}: not an RSA-2048 key in 90/91 form`, field);
  }
  try {
    return createPublicKey({ key: { kty: 'RSA', n: unsigned(n).toString('base64url'), e: unsigned(e).toString('base64url') }, format: 'jwk' });
  } catch (err) {
    throw new CardDataFormatError(`${field}: ${(err as Error).message}`, field);
  }
}

const SHA256_ALGORITHM = Buffer.from('300d06096086480165030402010500', 'hex');

/** DigestInfo { sha256, OCTET STRING digest } with the length taken from `digest` (1 or 3 digests). */
export function sha256DigestInfo(digest: Buffer): Buffer {
  return tlv(0x30, Buffer.concat([SHA256_ALGORITHM, tlv(0x04, digest)]));
}

export function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * Checks a PKCS#1 v1.5 signature: the recovered block must equal `expectedDigestInfo` byte for
 * byte (no search inside the block, so nothing can be appended).
 */
export function verifyDigestInfo(publicKey: KeyObject, signature: Buffer, expectedDigestInfo: Buffer): boolean {
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  return recovered.length === expectedDigestInfo.length && recovered.equals(expectedDigestInfo);
}

export interface CvCertificate {
  issuerKeyId: Buffer;
  subjectKeyId: Buffer;
  publicKey: KeyObject;
  signature: Buffer;
  /** The 297 bytes the signature covers. */
  body: Buffer;
}

export function parseCvCertificate(data: Buffer): CvCertificate {
  try {
    let contents = data;
    if (data[0] === 0x7f && data[1] === 0x21) contents = parseTlvAt(data, 0).value;
    const objs = parseTlvList(contents);
    const body = objs.find((o) => o.tag === 0x5f4e)?.value;
    const signature = objs.find((o) => o.tag === 0x5f37)?.value;
    if (!body || body.length !== CV_BODY_LENGTH) throw new CardDataFormatError('EF 0004: certificate body missing or not 297 bytes', 'EF0004');
    if (!signature) throw new CardDataFormatError('EF 0004: certificate has no signature', 'EF0004');
    return {
      issuerKeyId: Buffer.from(body.subarray(0, KEY_ID_LENGTH)),
      subjectKeyId: Buffer.from(body.subarray(KEY_ID_LENGTH, 2 * KEY_ID_LENGTH)),
      publicKey: parseRsaPublicKey(body.subarray(2 * KEY_ID_LENGTH), 'EF 0004 public key'),
      signature: Buffer.from(signature),
      body: Buffer.from(body),
    };
  } catch (err) {
    if (err instanceof CardDataFormatError) throw err;
    if (err instanceof TlvFormatError) throw new CardDataFormatError(`EF 0004: ${err.message}`, 'EF0004');
    throw err;
  }
}

export function verifyCvCertificate(cert: CvCertificate, issuerPublicKey: KeyObject): boolean {
  return verifyDigestInfo(issuerPublicKey, cert.signature, sha256DigestInfo(sha256(cert.body)));
}

export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}
