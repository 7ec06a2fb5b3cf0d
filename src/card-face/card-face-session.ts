/**
 * The reader's side of the 券面事項確認AP (SPEC §5.1): from a confident card-face scan to an
 * authenticated photo ready for face matching.
 *
 * 1. Protect the 照合番号B counter: query the tries first (empty VERIFY spends none); never present
 *    when 3 or fewer remain; present only a confident scan; at most twice per session.
 * 2. After VERIFY, read EF 0004 (the issuer key's card-verifiable certificate) and EF 0002.
 * 3. Verify the certificate against a configured trust anchor (the rig's test anchor only in rig
 *    mode), DF28 against the certified issuer key (three SHA-256 digests in one DigestInfo), then
 *    challenge the card's own key with fresh random bytes and verify with DF24. Only then decode
 *    the JPEG 2000 photo.
 * A failed check ends card-face authentication with a typed refusal; nothing is retried against
 * the card. No value read here, no 照合番号 and no photo is logged or written; `wipe()` zeroes the
 * buffers (call it when the card leaves or the session ends).
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { ApduLink, interpretStatus, SW, type CardChannel } from '../iso7816';
import { ApplicationNotFoundError, MalformedResponseError, UnexpectedStatusError } from '../card/errors';
import { silentLogger, type Logger } from '../log/logger';
import { CardDataFormatError, keyIdLabel, parseCvCertificate, sha256, sha256DigestInfo, verifyCvCertificate, verifyDigestInfo } from './card-crypto';
import { parseCardFaceRecord } from './card-face-record';
import { decodeGreyJp2, isJp2, Jpeg2000Error, type GreyImage } from './jpeg2000';
import { parseTlvAt } from '../iso7816';
import type { CardFaceScan } from './ocr';
import { PRESENT_CONFIDENCE } from './ocr';
import { DEFAULT_CARD_PROFILE } from './card-profile';
import { secret } from '../log/secret';

// Applications, files and key references come from the card profile (card-profile.ts: what is
// known from public readers and what is assumed about the next-generation card).
export const CARD_FACE_AID = Buffer.from(DEFAULT_CARD_PROFILE.cardFaceAid);
const EF_CODE_B = DEFAULT_CARD_PROFILE.keys.codeB;
const EF_CARD_FACE = DEFAULT_CARD_PROFILE.files.cardFace;
const EF_ISSUER_CERTIFICATE = DEFAULT_CARD_PROFILE.files.certificate;
/** Never present 照合番号B when this many tries or fewer remain (SPEC §5.1). */
export const MIN_TRIES_TO_PRESENT = 4;
/** At most this many presentations per session (SPEC §5.1). */
export const MAX_PRESENTATIONS = 2;

/** Why card-face authentication was refused: what staff are told (via the text catalogue). */
export type CardFaceRefusal =
  | 'scan-not-confident'
  | 'code-b-tries-low'
  | 'code-b-attempts-used'
  | 'code-b-wrong'
  | 'code-b-blocked'
  | 'unknown-issuer'
  | 'issuer-certificate-invalid'
  | 'data-signature-invalid'
  | 'card-key-mismatch'
  | 'malformed-data'
  | 'photo-undecodable';

/** English reasons for logs and the technician CLI; the panel's Japanese lives in the text catalogue. */
export const REFUSAL_DESCRIPTIONS: Record<CardFaceRefusal, string> = {
  'scan-not-confident': 'card face not read with confidence; place the card again, or use the PIN / staff check',
  'code-b-tries-low': '照合番号B has 3 or fewer tries left; not presented (PIN / staff check)',
  'code-b-attempts-used': '照合番号B already presented twice this session (PIN / staff check)',
  'code-b-wrong': 'the card rejected the 照合番号B read from its face (PIN / staff check)',
  'code-b-blocked': '照合番号B is blocked on this card (PIN / staff check)',
  'unknown-issuer': 'card-face data issued by a key no configured trust anchor certifies',
  'issuer-certificate-invalid': "the issuer key's certificate (EF 0004) does not verify against the trust anchor",
  'data-signature-invalid': 'card-face data (EF 0002) does not match its issuer signature: altered data or photo',
  'card-key-mismatch': "the chip's own key does not match the signed data: copied files on another chip",
  'malformed-data': 'card-face data is malformed',
  'photo-undecodable': 'the card photo could not be decoded',
};

export class CardFaceRefusedError extends Error {
  readonly reason: CardFaceRefusal;
  readonly triesLeft: number | undefined;
  constructor(reason: CardFaceRefusal, context: { triesLeft?: number; detail?: string } = {}) {
    super(`card-face authentication refused: ${REFUSAL_DESCRIPTIONS[reason]}${context.detail ? ` (${context.detail})` : ''}`);
    this.name = 'CardFaceRefusedError';
    this.reason = reason;
    this.triesLeft = context.triesLeft;
  }
}

export interface CardFaceTrustAnchor {
  keyId: Buffer;
  publicKey: KeyObject;
  label: string;
  /** A test anchor (the rig's): accepted only when the session runs in rig mode. */
  test: boolean;
}

export interface CardFaceSessionOptions {
  trustAnchors: readonly CardFaceTrustAnchor[];
  /** Rig mode: test anchors are accepted. Never true in production. */
  rigMode: boolean;
  logger?: Logger;
  /** Confidence a scan needs before it is presented (default PRESENT_CONFIDENCE). */
  presentConfidence?: number;
  /** Challenge source (tests may pin it; default crypto.randomBytes). */
  random?: (n: number) => Buffer;
}

export interface AuthenticatedCardFace {
  /** The authenticated photo, greyscale, for face matching. */
  photo: GreyImage;
  photoFormat: 'jpeg2000';
  /** Label of the trust anchor the issuer chained to (e.g. `rig-test`). */
  issuer: string;
  /** Issuer key id label (e.g. `9131016`). */
  issuerKeyId: string;
  /** Gregorian `YYYYMMDD` and sex code as the signed record states them. */
  birthDate: string;
  sex: string;
  codeBTriesLeft: number;
  apdus: number;
  ms: number;
}

export class CardFaceSession {
  private readonly link: ApduLink;
  private readonly log: Logger;
  private presentations = 0;
  private readonly held: Buffer[] = [];

  constructor(
    channel: CardChannel | ApduLink,
    private readonly options: CardFaceSessionOptions,
  ) {
    this.link = channel instanceof ApduLink ? channel : new ApduLink(channel);
    this.log = (options.logger ?? silentLogger).child('card-face');
  }

  get apdus(): number {
    return this.link.counters.apdus;
  }

  private async selectApplication(): Promise<void> {
    if (this.link.selected.application === 'card-face') return;
    const res = await this.link.send({ ins: 0xa4, p1: 0x04, p2: 0x0c, data: CARD_FACE_AID }, 'select-card-face');
    if (res.sw === SW.FILE_NOT_FOUND) throw new ApplicationNotFoundError({ ins: 0xa4, sw: res.sw, step: 'select-card-face' });
    if (res.sw !== SW.OK) throw new UnexpectedStatusError({ ins: 0xa4, sw: res.sw, step: 'select-card-face' });
    this.link.selected = { application: 'card-face' };
  }

  private async selectEf(fid: number, step: string): Promise<void> {
    if (this.link.selected.ef === fid) return;
    const res = await this.link.send({ ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fid >> 8, fid & 0xff]) }, step);
    if (res.sw !== SW.OK) {
      this.link.selected.ef = undefined;
      throw new UnexpectedStatusError({ ins: 0xa4, sw: res.sw, step });
    }
    this.link.selected.ef = fid;
  }

  /** Tries left on 照合番号B without spending one (10 on a fresh card); 0 when blocked. */
  async codeBTriesLeft(): Promise<number> {
    await this.selectApplication();
    await this.selectEf(EF_CODE_B, 'code-b-tries');
    const res = await this.link.send({ ins: 0x20, p1: 0x00, p2: 0x80 }, 'code-b-tries');
    const meaning = interpretStatus(res.sw);
    if (meaning.kind === 'verify-failed') return meaning.triesLeft;
    if (res.sw === SW.REFERENCE_DATA_NOT_USABLE || res.sw === SW.AUTHENTICATION_BLOCKED) return 0;
    if (res.sw === SW.OK) return 10;
    throw new UnexpectedStatusError({ ins: 0x20, sw: res.sw, step: 'code-b-tries' });
  }

  /**
   * Presents the scanned 照合番号B (when the rules allow) and returns the authenticated photo, or
   * throws `CardFaceRefusedError` / a `CardError` (e.g. `CardRemovedError`).
   */
  async unlockWithScan(scan: CardFaceScan): Promise<AuthenticatedCardFace> {
    const t0 = performance.now();
    const apdus0 = this.link.counters.apdus;
    if (this.presentations >= MAX_PRESENTATIONS) throw new CardFaceRefusedError('code-b-attempts-used');
    const tries = await this.codeBTriesLeft();
    if (tries === 0) throw new CardFaceRefusedError('code-b-blocked', { triesLeft: 0 });
    if (tries < MIN_TRIES_TO_PRESENT) {
      this.log.info(() => `照合番号B not presented: ${tries} tries left`);
      throw new CardFaceRefusedError('code-b-tries-low', { triesLeft: tries });
    }
    const threshold = this.options.presentConfidence ?? PRESENT_CONFIDENCE;
    if (!scan.ok || scan.confidence < threshold || !scan.birth || !scan.expiryYear || !scan.securityCode) {
      throw new CardFaceRefusedError('scan-not-confident', { triesLeft: tries });
    }
    // 照合番号B as a Secret (issue 11 item 9): revealed only for the format check and the VERIFY APDU.
    const code = secret(Buffer.from(`${scan.birth}${scan.expiryYear}${scan.securityCode}`, 'ascii'));
    if (!/^\d{14}$/.test(code.reveal().toString('ascii'))) {
      code.reveal().fill(0);
      throw new CardFaceRefusedError('scan-not-confident', { triesLeft: tries });
    }
    this.presentations++;
    let res;
    try {
      res = await this.link.send({ ins: 0x20, p1: 0x00, p2: 0x80, data: code.reveal() }, 'verify-code-b');
    } finally {
      code.reveal().fill(0);
    }
    const meaning = interpretStatus(res.sw);
    if (meaning.kind === 'verify-failed') {
      const triesLeft = meaning.triesLeft;
      this.log.warn(() => `照合番号B rejected by the card, ${triesLeft} tries left`);
      throw new CardFaceRefusedError('code-b-wrong', { triesLeft });
    }
    if (res.sw === SW.REFERENCE_DATA_NOT_USABLE || res.sw === SW.AUTHENTICATION_BLOCKED) throw new CardFaceRefusedError('code-b-blocked', { triesLeft: 0 });
    if (res.sw !== SW.OK) throw new UnexpectedStatusError({ ins: 0x20, sw: res.sw, step: 'verify-code-b' });

    const certificateFile = await this.readFile(EF_ISSUER_CERTIFICATE, 'read-issuer-certificate');
    const recordFile = await this.readFile(EF_CARD_FACE, 'read-card-face');
    const verified = await this.verify(certificateFile, recordFile);
    const out: AuthenticatedCardFace = {
      ...verified,
      photoFormat: 'jpeg2000',
      codeBTriesLeft: 10,
      apdus: this.link.counters.apdus - apdus0,
      ms: Math.round(performance.now() - t0),
    };
    this.log.info(() => `card-face data authenticated (${out.apdus} APDUs, ${out.ms} ms)`);
    return out;
  }

  /** Reads a whole TLV file: its header first, then the rest in one extended READ BINARY. */
  private async readFile(fid: number, step: string): Promise<Buffer> {
    await this.selectEf(fid, step);
    const head = await this.link.send({ ins: 0xb0, p1: 0, p2: 0, le: 8 }, step);
    if (head.sw !== SW.OK) throw new UnexpectedStatusError({ ins: 0xb0, sw: head.sw, step });
    let total: number;
    try {
      const obj = parseTlvAt(Buffer.concat([head.data, Buffer.alloc(65536)]), 0);
      total = obj.raw.length;
    } catch {
      throw new MalformedResponseError('card-face file header', { ins: 0xb0, step });
    }
    if (total > 0x7fff) throw new MalformedResponseError('card-face file too large', { ins: 0xb0, step });
    const chunks = [head.data.subarray(0, Math.min(head.data.length, total))];
    let have = chunks[0]?.length ?? 0;
    while (have < total) {
      const res = await this.link.send({ ins: 0xb0, p1: have >> 8, p2: have & 0xff, le: Math.min(total - have, 0xfff0) }, step);
      if (res.sw !== SW.OK) throw new UnexpectedStatusError({ ins: 0xb0, sw: res.sw, step });
      if (res.data.length === 0) throw new MalformedResponseError(`file ends at ${have} of ${total} bytes`, { ins: 0xb0, step });
      chunks.push(res.data);
      have += res.data.length;
    }
    const file = Buffer.concat(chunks).subarray(0, total);
    this.held.push(file);
    return file;
  }

  private async verify(certificateFile: Buffer, recordFile: Buffer): Promise<Omit<AuthenticatedCardFace, 'photoFormat' | 'codeBTriesLeft' | 'apdus' | 'ms'>> {
    let cert;
    let record;
    try {
      cert = parseCvCertificate(certificateFile);
      record = parseCardFaceRecord(recordFile);
    } catch (err) {
      if (err instanceof CardDataFormatError) throw new CardFaceRefusedError('malformed-data', { detail: err.field });
      throw err;
    }
    // 1. The issuer key chains to an anchor this reader trusts (test anchors only in rig mode).
    const anchor = this.options.trustAnchors.find((a) => a.keyId.equals(cert.issuerKeyId) && (!a.test || this.options.rigMode));
    if (!anchor) throw new CardFaceRefusedError('unknown-issuer', { detail: keyIdLabel(cert.issuerKeyId) });
    if (!verifyCvCertificate(cert, anchor.publicKey)) throw new CardFaceRefusedError('issuer-certificate-invalid');
    // 2. The card-face record is what that issuer signed (DF22–DF24, DF25–DF26, DF27).
    if (!verifyDigestInfo(cert.publicKey, record.signature, record.expectedDigestInfo)) throw new CardFaceRefusedError('data-signature-invalid');
    // 3. The chip holds the private half of DF24: a fresh challenge, signed by the card.
    const challenge = (this.options.random ?? randomBytes)(32);
    const digestInfo = sha256DigestInfo(sha256(challenge));
    const res = await this.link.send({ cla: 0x80, ins: 0x2a, p1: 0x00, p2: 0x00, data: digestInfo, le: 256 }, 'challenge-card-key');
    if (res.sw !== SW.OK) throw new CardFaceRefusedError('card-key-mismatch', { detail: `SW ${res.sw.toString(16).toUpperCase()}` });
    if (!verifyDigestInfo(record.cardPublicKey, res.data, digestInfo)) throw new CardFaceRefusedError('card-key-mismatch');
    // 4. Only now decode the photo.
    if (!isJp2(record.photo)) throw new CardFaceRefusedError('photo-undecodable', { detail: 'not JPEG 2000' });
    let photo: GreyImage;
    try {
      photo = await decodeGreyJp2(record.photo);
    } catch (err) {
      if (err instanceof Jpeg2000Error) throw new CardFaceRefusedError('photo-undecodable');
      throw err;
    }
    this.held.push(Buffer.from(photo.grey.buffer, photo.grey.byteOffset, photo.grey.byteLength));
    return { photo, issuer: anchor.label, issuerKeyId: keyIdLabel(cert.subjectKeyId), birthDate: record.birthDate, sex: record.sex };
  }

  /** Zeroes what this session read (files and the decoded photo). */
  wipe(): void {
    for (const b of this.held) b.fill(0);
    this.held.length = 0;
  }
}
