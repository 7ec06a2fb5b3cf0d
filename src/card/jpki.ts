/**
 * The JPKI application (公的個人認証 AP) of the My Number card, reader side: the user-authentication
 * certificate (利用者証明用電子証明書), its PIN (4 digits, 3 tries) and its key (SPEC §5).
 *
 * Identifiers as OpenSC's JPKI driver (`card-jpki.c`, `jpki.h`) and jpki/myna use them:
 * AID `D3 92 F0 00 26 01 00 00 00 01`; EF `000A` user-auth certificate, `000B` its CA,
 * `0017` user-auth key, `0018` user-auth PIN; SELECT EF is `00 A4 02 0C 02 <fid>`;
 * VERIFY `00 20 00 80` (no data: tries left as `63Cx`, spends none); COMPUTE DIGITAL SIGNATURE
 * `80 2A 00 80` over a PKCS#1 DigestInfo after selecting the key EF.
 *
 * Every function takes a channel or an `ApduLink`; several operations on the same channel (or
 * link) in one transaction skip the SELECTs already done (as few APDUs as the card allows).
 * Nothing read here is logged; the PIN buffer is zeroed after use.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { ApduLink, derTotalLength, interpretStatus, SW, type CardChannel, type ResponseApdu as Response } from '../iso7816';
import {
  ApplicationNotFoundError,
  FileNotFoundError,
  MalformedResponseError,
  PinBlockedError,
  PinFormatError,
  PinNotSetError,
  SecurityStatusError,
  UnexpectedStatusError,
  WrongPinError,
} from './errors';

export const JPKI_AID = Buffer.from('D392F000260100000001', 'hex');

export const JpkiFile = {
  signatureCertificate: 0x0001,
  signatureCaCertificate: 0x0002,
  userAuthCertificate: 0x000a,
  userAuthCaCertificate: 0x000b,
  userAuthKey: 0x0017,
  userAuthPin: 0x0018,
  signatureKey: 0x001a,
  signaturePin: 0x001b,
} as const;

export const USER_AUTH_PIN_MAX_TRIES = 3;

const INS_SELECT = 0xa4;
const INS_READ_BINARY = 0xb0;
const INS_VERIFY = 0x20;
const INS_SIGN = 0x2a;

/** Largest READ BINARY the client asks in one APDU (extended length; the card and vpcd allow it). */
const MAX_READ = 0xfff0;

/**
 * One link per channel object, so callers that pass the bare channel of a transaction to several
 * operations still skip the SELECTs already done. Safe because the reader drivers hand out a new
 * channel object per transaction, and a card cannot be reset inside one without it failing.
 */
const links = new WeakMap<CardChannel, ApduLink>();

function linkOf(channel: CardChannel | ApduLink): ApduLink {
  if (channel instanceof ApduLink) return channel;
  let link = links.get(channel);
  if (!link) {
    link = new ApduLink(channel);
    links.set(channel, link);
  }
  return link;
}

function fail(res: Response, ins: number, step: string): never {
  const ctx = { ins, sw: res.sw, step };
  switch (res.sw) {
    case SW.SECURITY_NOT_SATISFIED:
      throw new SecurityStatusError(ctx);
    case SW.FILE_NOT_FOUND:
      throw new FileNotFoundError(ctx);
    default:
      throw new UnexpectedStatusError(ctx);
  }
}

/** SELECT the JPKI application by AID (skipped when this link already did). */
export async function selectJpki(channel: CardChannel | ApduLink): Promise<ApduLink> {
  const link = linkOf(channel);
  if (link.selected.application === 'jpki') return link;
  const step = 'select-jpki';
  const res = await link.send({ ins: INS_SELECT, p1: 0x04, p2: 0x0c, data: JPKI_AID }, step);
  if (res.sw === SW.FILE_NOT_FOUND) throw new ApplicationNotFoundError({ ins: INS_SELECT, sw: res.sw, step });
  if (res.sw !== SW.OK) fail(res, INS_SELECT, step);
  link.selected = { application: 'jpki' };
  return link;
}

async function selectEf(link: ApduLink, fid: number, step: string): Promise<Response> {
  if (link.selected.ef === fid) return { data: Buffer.alloc(0), sw: SW.OK };
  const res = await link.send({ ins: INS_SELECT, p1: 0x02, p2: 0x0c, data: Buffer.from([fid >> 8, fid & 0xff]) }, step);
  if (res.sw === SW.OK) link.selected.ef = fid;
  else link.selected.ef = undefined;
  return res;
}

/**
 * Reads a certificate EF with exactly the bytes it holds: the first READ BINARY takes the DER
 * header (4 bytes covers any certificate up to 64 KiB), the second the rest in one extended APDU.
 */
async function readCertificateFile(link: ApduLink, fid: number, step: string): Promise<Buffer> {
  await selectJpki(link);
  const sel = await selectEf(link, fid, step);
  if (sel.sw !== SW.OK) fail(sel, INS_SELECT, step);
  const headLen = 4;
  const head = await link.send({ ins: INS_READ_BINARY, p1: 0, p2: 0, le: headLen }, step);
  if (head.sw !== SW.OK) fail(head, INS_READ_BINARY, step);
  if (head.data.length < 2) throw new MalformedResponseError(`certificate header of ${head.data.length} bytes`, { ins: INS_READ_BINARY, step });
  let total: number;
  try {
    // 4 bytes hold any DER header up to 64 KiB (30 82 HH LL); a longer one is not a JPKI certificate.
    total = derTotalLength(head.data);
  } catch (e) {
    throw new MalformedResponseError((e as Error).message.replace(/^malformed response: /, ''), { ins: INS_READ_BINARY, step });
  }
  const chunks: Buffer[] = [head.data];
  let have = head.data.length;
  while (have < total) {
    if (have > 0x7fff) throw new MalformedResponseError('certificate beyond READ BINARY offset range', { ins: INS_READ_BINARY, step });
    const want = Math.min(total - have, MAX_READ);
    const res = await link.send({ ins: INS_READ_BINARY, p1: have >> 8, p2: have & 0xff, le: want }, step);
    if (res.sw !== SW.OK) fail(res, INS_READ_BINARY, step);
    if (res.data.length === 0) throw new MalformedResponseError(`certificate ends at ${have} of ${total} bytes`, { ins: INS_READ_BINARY, step });
    chunks.push(res.data);
    have += res.data.length;
  }
  const der = Buffer.concat(chunks);
  if (der.length !== total) throw new MalformedResponseError(`certificate of ${der.length} bytes, header says ${total}`, { ins: INS_READ_BINARY, step });
  return der;
}

export interface CertificateRead {
  /** The certificate as read (DER); the caller wipes it with `der.fill(0)` when the card leaves. */
  der: Buffer;
  certificate: X509Certificate;
}

function parseCertificate(der: Buffer, step: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw new MalformedResponseError('certificate does not parse', { ins: INS_READ_BINARY, step });
  }
}

/** Reads the user-authentication certificate (EF 000A): 4 APDUs on a fresh link (SELECT AP, SELECT EF, 2 × READ BINARY). */
export async function readUserAuthCertificate(channel: CardChannel | ApduLink): Promise<CertificateRead> {
  const step = 'read-user-auth-certificate';
  const der = await readCertificateFile(linkOf(channel), JpkiFile.userAuthCertificate, step);
  return { der, certificate: parseCertificate(der, step) };
}

/** Reads the user-authentication CA certificate (EF 000B). */
export async function readUserAuthCaCertificate(channel: CardChannel | ApduLink): Promise<CertificateRead> {
  const step = 'read-user-auth-ca-certificate';
  const der = await readCertificateFile(linkOf(channel), JpkiFile.userAuthCaCertificate, step);
  return { der, certificate: parseCertificate(der, step) };
}

async function selectPinEf(link: ApduLink, step: string): Promise<void> {
  await selectJpki(link);
  const sel = await selectEf(link, JpkiFile.userAuthPin, step);
  // A card without the user-authentication PIN (face-authentication-only card) has no PIN EF.
  if (sel.sw === SW.FILE_NOT_FOUND || sel.sw === SW.REFERENCE_NOT_FOUND) throw new PinNotSetError({ ins: INS_SELECT, sw: sel.sw, step });
  if (sel.sw !== SW.OK) fail(sel, INS_SELECT, step);
}

/**
 * Reading of the answer to VERIFY without data. `63Cx`: x tries left (`63C0` locked). `6983`:
 * locked (ISO "authentication method blocked", as OpenSC reads it). `6984` / `6A88` to the query:
 * no user-authentication PIN on this card (face-authentication-only card, 顔認証マイナンバーカード);
 * the emulator's contract (rig/emulator/apps/jpki-ap.ts) and 券面 APs answer a locked PIN's query
 * with `63C0`, so `6984` to a query is told apart from a lock.
 */
function queryStatus(sw: number, step: string): number | undefined {
  const meaning = interpretStatus(sw);
  if (meaning.kind === 'verify-failed') return meaning.triesLeft;
  if (sw === SW.AUTHENTICATION_BLOCKED) return 0;
  if (sw === SW.REFERENCE_DATA_NOT_USABLE || sw === SW.REFERENCE_NOT_FOUND) throw new PinNotSetError({ ins: INS_VERIFY, sw, step });
  return undefined;
}

/**
 * Tries left on the user-authentication PIN, by VERIFY with no data (spends none; STYLE §13).
 * 0 means locked. `9000` (some cards, after a successful VERIFY in this session) means the
 * counter was reset to its maximum. Throws PinNotSetError on a card without the PIN.
 */
export async function readUserAuthPinTriesLeft(channel: CardChannel | ApduLink): Promise<number> {
  const step = 'read-pin-tries';
  const link = linkOf(channel);
  await selectPinEf(link, step);
  const res = await link.send({ ins: INS_VERIFY, p1: 0x00, p2: 0x80 }, step);
  if (res.sw === SW.OK) return USER_AUTH_PIN_MAX_TRIES;
  const tries = queryStatus(res.sw, step);
  if (tries === undefined) fail(res, INS_VERIFY, step);
  return tries;
}

/**
 * Presents the user-authentication PIN. Resolves on success; WrongPinError{triesLeft} on `63Cx`
 * (triesLeft 0: this attempt locked it), PinBlockedError when already locked, PinFormatError
 * (no APDU sent, no try spent) when the PIN is not 4 digits. The PIN's bytes are zeroed after.
 */
export async function verifyUserAuthPin(channel: CardChannel | ApduLink, pin: string): Promise<void> {
  const step = 'verify-pin';
  if (!/^[0-9]{4}$/.test(pin)) throw new PinFormatError({ step });
  const link = linkOf(channel);
  await selectPinEf(link, step);
  const data = Buffer.from(pin, 'ascii');
  let res: Response;
  try {
    res = await link.send({ ins: INS_VERIFY, p1: 0x00, p2: 0x80, data, sensitive: true }, step);
  } finally {
    data.fill(0);
  }
  if (res.sw === SW.OK) return;
  const ctx = { ins: INS_VERIFY, sw: res.sw, step };
  // After a value: `6983`/`6984` = blocked (on a card without the PIN too: query first to tell them apart).
  if (res.sw === SW.AUTHENTICATION_BLOCKED || res.sw === SW.REFERENCE_DATA_NOT_USABLE) throw new PinBlockedError(ctx);
  if (res.sw === SW.REFERENCE_NOT_FOUND) throw new PinNotSetError(ctx);
  const meaning = interpretStatus(res.sw);
  if (meaning.kind === 'verify-failed') throw new WrongPinError(meaning.triesLeft, ctx);
  fail(res, INS_VERIFY, step);
}

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** DER prefixes of PKCS#1 v1.5 DigestInfo (RFC 8017 §9.2 note 1). */
const digestInfoPrefix: Record<HashName, string> = {
  sha1: '3021300906052b0e03021a05000414',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/** DigestInfo over `data`, the input COMPUTE DIGITAL SIGNATURE expects. */
export function digestInfo(hash: HashName, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(digestInfoPrefix[hash], 'hex'), createHash(hash).update(data).digest()]);
}

export type SignInput = { digestInfo: Buffer } | { data: Buffer; hash: HashName };

/**
 * Signs with the user-authentication key (EF 0017): PKCS#1 v1.5 over a DigestInfo, computed by
 * the card. Needs a successful VERIFY earlier in the same card session (SecurityStatusError
 * otherwise). Two APDUs (SELECT key EF, COMPUTE DIGITAL SIGNATURE) after the application is selected.
 */
export async function signWithUserAuthKey(channel: CardChannel | ApduLink, input: SignInput): Promise<Buffer> {
  const step = 'sign';
  const link = linkOf(channel);
  const info = 'digestInfo' in input ? input.digestInfo : digestInfo(input.hash, input.data);
  await selectJpki(link);
  const sel = await selectEf(link, JpkiFile.userAuthKey, step);
  if (sel.sw !== SW.OK) fail(sel, INS_SELECT, step);
  const res = await link.send({ cla: 0x80, ins: INS_SIGN, p1: 0x00, p2: 0x80, data: info, le: 256 }, step);
  if (res.sw !== SW.OK) fail(res, INS_SIGN, step);
  if (res.data.length === 0) throw new MalformedResponseError('empty signature', { ins: INS_SIGN, step });
  return res.data;
}

/** The PIN state of a card, as the reader's flow needs it (SPEC §5, persona `face-only`). */
export type PinState = { set: true; triesLeft: number } | { set: false };

/** Tries left, or `{set: false}` for a card without the user-authentication PIN. */
export async function readUserAuthPinState(channel: CardChannel | ApduLink): Promise<PinState> {
  try {
    return { set: true, triesLeft: await readUserAuthPinTriesLeft(channel) };
  } catch (e) {
    if (e instanceof PinNotSetError) return { set: false };
    throw e;
  }
}
