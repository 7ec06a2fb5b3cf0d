/**
 * 公的個人認証AP (JPKI) `D3 92 F0 00 26 01 00 00 00 01` as OpenSC's `card-jpki.c` /
 * `pkcs15-jpki.c`, jpki/myna and soltia48/myna-card talk to it (issue 2 §2, SPEC §5).
 *
 * Files (SELECT `00 A4 02 0C` by file identifier):
 * - `0001` 署名用証明書 — readable only after the signature password (OpenSC marks it private)
 * - `0002` its CA certificate, `000A` 利用者証明用証明書, `000B` its CA certificate — readable
 * - `0006` token information, 160 bytes: a PKCS#11 CK_TOKEN_INFO whose label says what carries
 *   the application (`JPKIAPICCTOKEN2` card, `JPKIAPGPSETOKEN` Android, `JPKIAPIOSTOKEN` iPhone)
 * - `0008` which certificates are present (`8F 8F 00`)
 * - `0017` user-auth key, `0018` user-auth PIN (4 digits, 3 tries), `001A` signature key,
 *   `001B` signature password (6–16 upper-case alphanumerics, 5 tries)
 *
 * PIN rules (the choices where public sources do not settle it are marked *):
 * - VERIFY `00 20 00 80` (or `80|SFI`) with no data reports tries without spending one: `63Cx`,
 *   `63C0` when blocked. *It does so even after a successful VERIFY, because OpenSC's
 *   GET_INFO refuses anything but `63xx`.
 * - A wrong value answers `63Cx` with the tries now left (`63C0` on the try that exhausts it);
 *   any attempt on a blocked PIN answers `6984` (the 券面 applications use the same word).
 * - *A card with no user-auth PIN set (face-only card) answers `6984` to every VERIFY of `0018`,
 *   queries included — the same as H6's 券面事項入力補助AP — so it is told apart from a blocked
 *   PIN by the query (`6984` vs `63C0`) and no reader can spend a try on it.
 * - Tries left are non-volatile (kept across power cycles); a verified state is volatile and
 *   ends at `reset()` (power off, card reset, removal).
 * - *An iPhone token (`userAuthUnlockedByHolder`) signs with the user-auth key without a VERIFY
 *   from the reader: the holder unlocked it with the phone's biometric (SPEC §3.2). A wrong
 *   VERIFY still counts down and relocks it.
 *
 * COMPUTE DIGITAL SIGNATURE `80 2A P1 P2`: P2 `80` = the current EF (OpenSC selects `0017`
 * first), or `80|SFI` names the key; P1 is the scheme as myna-card established it: `00` PKCS#1
 * v1.5 over the data as sent (a DigestInfo — what OpenSC and the product send), `01` bare
 * SHA-256 of the data, `02` a 32-byte hash wrapped in a DigestInfo, `03` SHA-256 DigestInfo of
 * the data, `05` RSASSA-PSS SHA-256 of the data. `04` (PSS over a given hash) answers `6A86`.
 */
import { constants, createHash, privateEncrypt, sign, type KeyObject } from 'node:crypto';
import type { CardApplication, CommandApdu, ResponseApdu } from '../card-application';
import { SW, triesLeftStatus } from '../../../src/iso7816';
import { status } from '../card-application';

export const JPKI_AID = Buffer.from('D392F000260100000001', 'hex');

export const JPKI_EF = {
  SIGNATURE_CERTIFICATE: 0x0001,
  SIGNATURE_CA_CERTIFICATE: 0x0002,
  TOKEN_INFO: 0x0006,
  CERTIFICATE_AVAILABILITY: 0x0008,
  USER_AUTH_CERTIFICATE: 0x000a,
  USER_AUTH_CA_CERTIFICATE: 0x000b,
  USER_AUTH_KEY: 0x0017,
  USER_AUTH_PIN: 0x0018,
  SIGNATURE_KEY: 0x001a,
  SIGNATURE_PIN: 0x001b,
} as const;

export const USER_AUTH_PIN_MAX_TRIES = 3;
export const SIGNATURE_PIN_MAX_TRIES = 5;

/** Which device carries the application; decides the token label in EF 0006. */
export type JpkiTokenKind = 'card' | 'android' | 'iphone';

const TOKEN_LABELS: Record<JpkiTokenKind, string> = {
  card: 'JPKIAPICCTOKEN2',
  android: 'JPKIAPGPSETOKEN',
  iphone: 'JPKIAPIOSTOKEN',
};

export interface JpkiApplicationOptions {
  token: JpkiTokenKind;
  userAuthCertificate: Buffer;
  userAuthCaCertificate: Buffer;
  userAuthKey: KeyObject;
  signatureCertificate: Buffer;
  signatureCaCertificate: Buffer;
  signatureKey: KeyObject;
  /** 4-digit user-auth PIN; undefined = no PIN set (face-only card). */
  userAuthPin: string | undefined;
  /** Tries left at creation (0 = blocked). Default 3. */
  userAuthPinTries?: number;
  /** Signature password (6–16 upper-case alphanumerics). */
  signaturePin: string;
  signaturePinTries?: number;
  /**
   * The user-auth key is usable without VERIFY from the reader: an iPhone's token is unlocked
   * by the holder's biometric on the phone before it is held to the reader (SPEC §3.2), so
   * every session starts with the key unlocked. Default false.
   */
  userAuthUnlockedByHolder?: boolean;
}

interface PinState {
  fid: number;
  value: string | undefined;
  maxTries: number;
  tries: number;
  verified: boolean;
}

type FileKind = 'data' | 'pin' | 'key';

const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

function tokenInfo(kind: JpkiTokenKind): Buffer {
  // PKCS#11 CK_TOKEN_INFO with 32-bit big-endian CK_ULONGs, 160 bytes (myna-card `TokenInfo`).
  const out = Buffer.alloc(160, 0x20);
  out.write(TOKEN_LABELS[kind], 0, 'ascii');
  out.write('FCR TEST JPKI', 32, 'ascii');
  out.write('FCR EMULATOR', 64, 'ascii');
  out.write('TEST0000', 80, 'ascii');
  let off = 96;
  const word = (v: number): void => {
    out.writeUInt32BE(v >>> 0, off);
    off += 4;
  };
  word(0x0000040d); // RNG | LOGIN_REQUIRED | USER_PIN_INITIALIZED | TOKEN_INITIALIZED
  word(0); // max sessions: effectively infinite
  word(0xffffffff);
  word(0);
  word(0xffffffff);
  word(16); // max PIN length
  word(4); // min PIN length
  word(0xffffffff);
  word(0xffffffff);
  word(0xffffffff);
  word(0xffffffff);
  out.write('03', 140, 'ascii'); // hardware version slot as physical cards fill it
  out.write('01', 142, 'ascii');
  return out; // utcTime (144–159) stays blank: the card has no clock
}

export class JpkiApplication implements CardApplication {
  readonly aid = JPKI_AID;
  readonly name = 'jpki';
  private current: number | undefined;
  private readonly files = new Map<number, Buffer>();
  private readonly pins = new Map<number, PinState>();
  private readonly keys = new Map<number, { key: KeyObject; pin: number }>();
  private readonly token: JpkiTokenKind;
  private readonly unlockedByHolder: boolean;

  constructor(options: JpkiApplicationOptions) {
    this.token = options.token;
    this.unlockedByHolder = options.userAuthUnlockedByHolder ?? false;
    this.files.set(JPKI_EF.SIGNATURE_CERTIFICATE, options.signatureCertificate);
    this.files.set(JPKI_EF.SIGNATURE_CA_CERTIFICATE, options.signatureCaCertificate);
    this.files.set(JPKI_EF.TOKEN_INFO, tokenInfo(options.token));
    this.files.set(JPKI_EF.CERTIFICATE_AVAILABILITY, Buffer.from([0x8f, 0x8f, 0x00]));
    this.files.set(JPKI_EF.USER_AUTH_CERTIFICATE, options.userAuthCertificate);
    this.files.set(JPKI_EF.USER_AUTH_CA_CERTIFICATE, options.userAuthCaCertificate);
    const clampTries = (t: number | undefined, max: number): number => Math.max(0, Math.min(max, t ?? max));
    this.pins.set(JPKI_EF.USER_AUTH_PIN, {
      fid: JPKI_EF.USER_AUTH_PIN,
      value: options.userAuthPin,
      maxTries: USER_AUTH_PIN_MAX_TRIES,
      tries: clampTries(options.userAuthPinTries, USER_AUTH_PIN_MAX_TRIES),
      verified: false,
    });
    this.pins.set(JPKI_EF.SIGNATURE_PIN, {
      fid: JPKI_EF.SIGNATURE_PIN,
      value: options.signaturePin,
      maxTries: SIGNATURE_PIN_MAX_TRIES,
      tries: clampTries(options.signaturePinTries, SIGNATURE_PIN_MAX_TRIES),
      verified: false,
    });
    this.keys.set(JPKI_EF.USER_AUTH_KEY, { key: options.userAuthKey, pin: JPKI_EF.USER_AUTH_PIN });
    this.keys.set(JPKI_EF.SIGNATURE_KEY, { key: options.signatureKey, pin: JPKI_EF.SIGNATURE_PIN });
    this.reset();
  }

  /** Tries left on `0018` / `001B` (rig status, tests). */
  triesLeft(pin: number = JPKI_EF.USER_AUTH_PIN): number | undefined {
    return this.pins.get(pin)?.tries;
  }

  /** True while the PIN's verified state holds (tests). */
  isVerified(pin: number = JPKI_EF.USER_AUTH_PIN): boolean {
    return this.pins.get(pin)?.verified ?? false;
  }

  reset(): void {
    this.current = undefined;
    for (const pin of this.pins.values()) pin.verified = false;
    const userAuth = this.pins.get(JPKI_EF.USER_AUTH_PIN);
    if (userAuth && this.unlockedByHolder) userAuth.verified = true;
  }

  handle(c: CommandApdu): ResponseApdu {
    if (c.cla === 0x00) {
      switch (c.ins) {
        case 0xa4:
          return this.select(c);
        case 0xb0:
          return this.readBinary(c);
        case 0x20:
          return this.verify(c);
        default:
          return status(SW.INS_NOT_SUPPORTED);
      }
    }
    if (c.cla === 0x80) {
      if (c.ins === 0x2a) return this.computeSignature(c);
      // Last-command indicator of the iPhone JPKI token profile; physical cards refuse the
      // exact 4-byte command with 6700 (soltia48/myna-card `ins::LAST_COMMAND_INDICATOR`).
      if (c.ins === 0xfc) return status(this.token === 'iphone' && c.p1 === 0 && c.p2 === 0 ? SW.OK : SW.WRONG_LENGTH);
      return status(SW.INS_NOT_SUPPORTED);
    }
    return status(SW.CLA_NOT_SUPPORTED);
  }

  private kindOf(fid: number): FileKind | undefined {
    if (this.files.has(fid)) return 'data';
    if (this.pins.has(fid)) return 'pin';
    if (this.keys.has(fid)) return 'key';
    return undefined;
  }

  private select(c: CommandApdu): ResponseApdu {
    // SELECT by DF name is the card core's; here only EFs of this DF, by file identifier.
    if (c.p1 !== 0x02) return status(c.p1 === 0x00 ? SW.FILE_NOT_FOUND : SW.WRONG_P1P2);
    if (c.p2 !== 0x0c && c.p2 !== 0x00) return status(SW.WRONG_P1P2);
    if (c.data.length !== 2) return status(SW.WRONG_LENGTH);
    const fid = c.data.readUInt16BE(0);
    if (this.kindOf(fid) === undefined) return status(SW.FILE_NOT_FOUND);
    this.current = fid;
    return status(SW.OK);
  }

  private readBinary(c: CommandApdu): ResponseApdu {
    let fid: number | undefined;
    let offset: number;
    if ((c.p1 & 0x80) !== 0) {
      // Short EF identifier in P1 b5–b1, 8-bit offset in P2; the EF becomes current.
      if ((c.p1 & 0x60) !== 0) return status(SW.WRONG_P1P2);
      fid = c.p1 & 0x1f;
      if (this.kindOf(fid) === undefined) return status(SW.FILE_NOT_FOUND);
      this.current = fid;
      offset = c.p2;
    } else {
      fid = this.current;
      offset = (c.p1 << 8) | c.p2;
    }
    if (fid === undefined) return status(SW.NO_CURRENT_EF);
    const data = this.files.get(fid);
    if (!data) return status(SW.INCOMPATIBLE_FILE);
    if (fid === JPKI_EF.SIGNATURE_CERTIFICATE && !this.pins.get(JPKI_EF.SIGNATURE_PIN)?.verified) {
      return status(SW.SECURITY_NOT_SATISFIED);
    }
    const wanted = c.le;
    if (wanted === undefined || c.data.length > 0) return status(SW.WRONG_LENGTH);
    if (offset >= data.length) return status(SW.OFFSET_OUT_OF_FILE);
    // JICSAP 6.4.1 (4): the card reads up to the end of the file within Le.
    return status(SW.OK, Buffer.from(data.subarray(offset, offset + wanted)));
  }

  private pinFor(c: CommandApdu): PinState | ResponseApdu {
    if (c.p1 !== 0x00) return status(SW.WRONG_P1P2);
    if (c.p2 === 0x80) {
      if (this.current === undefined) return status(SW.NO_CURRENT_EF);
      const pin = this.pins.get(this.current);
      return pin ?? status(SW.REFERENCE_NOT_FOUND);
    }
    if ((c.p2 & 0xe0) === 0x80) {
      const pin = this.pins.get(c.p2 & 0x1f);
      if (!pin) return status(SW.REFERENCE_NOT_FOUND);
      this.current = pin.fid;
      return pin;
    }
    return status(SW.WRONG_P1P2);
  }

  private verify(c: CommandApdu): ResponseApdu {
    const pin = this.pinFor(c);
    if (!('fid' in pin)) return pin;
    if (pin.value === undefined) return status(SW.REFERENCE_DATA_NOT_USABLE);
    if (c.data.length === 0) return status(triesLeftStatus(pin.tries));
    if (pin.tries === 0) return status(SW.REFERENCE_DATA_NOT_USABLE);
    const presented = c.data.toString('latin1');
    if (presented === pin.value) {
      pin.tries = pin.maxTries;
      pin.verified = true;
      return status(SW.OK);
    }
    pin.tries -= 1;
    pin.verified = false;
    return status(triesLeftStatus(pin.tries));
  }

  private computeSignature(c: CommandApdu): ResponseApdu {
    let fid: number | undefined;
    if (c.p2 === 0x80) fid = this.current;
    else if ((c.p2 & 0xe0) === 0x80) fid = c.p2 & 0x1f;
    else return status(SW.WRONG_P1P2);
    if (fid === undefined) return status(SW.NO_CURRENT_EF);
    const entry = this.keys.get(fid);
    if (!entry) return status(this.kindOf(fid) === undefined ? SW.REFERENCE_NOT_FOUND : SW.INCOMPATIBLE_FILE);
    if (!this.pins.get(entry.pin)?.verified) return status(SW.SECURITY_NOT_SATISFIED);
    const data = c.data;
    const pkcs1 = (block: Buffer): Buffer => privateEncrypt({ key: entry.key, padding: constants.RSA_PKCS1_PADDING }, block);
    switch (c.p1) {
      case 0x00:
        if (data.length < 1 || data.length > 245) return status(SW.WRONG_LENGTH);
        return status(SW.OK, pkcs1(data));
      case 0x01:
        if (data.length < 1) return status(SW.WRONG_LENGTH);
        return status(SW.OK, pkcs1(createHash('sha256').update(data).digest()));
      case 0x02:
        if (data.length !== 32) return status(SW.WRONG_LENGTH);
        return status(SW.OK, pkcs1(Buffer.concat([SHA256_DIGEST_INFO_PREFIX, data])));
      case 0x03:
        if (data.length < 1) return status(SW.WRONG_LENGTH);
        return status(SW.OK, pkcs1(Buffer.concat([SHA256_DIGEST_INFO_PREFIX, createHash('sha256').update(data).digest()])));
      case 0x05:
        if (data.length < 1) return status(SW.WRONG_LENGTH);
        return status(
          SW.OK,
          sign('sha256', data, { key: entry.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
        );
      default:
        return status(SW.WRONG_P1P2);
    }
  }
}
