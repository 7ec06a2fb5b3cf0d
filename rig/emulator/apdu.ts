/**
 * The card side of ISO/IEC 7816-4 command and response APDUs: parse what the reader sends,
 * encode what the card answers. No I/O (STYLE §3: framing → APDU codec → application).
 */
import type { CommandApdu, ResponseApdu } from './card-application';

/** Status words the emulated card uses (ISO/IEC 7816-4 §5.6, JICSAP 1.1 §7.3). */
export const SW = {
  OK: 0x9000,
  /** 63Cx: verification failed, x tries left (x = 0: the try that exhausted the counter). */
  VERIFY_FAILED: 0x63c0,
  WRONG_LENGTH: 0x6700,
  /** The command does not fit the structure of the file (e.g. READ BINARY of a key). */
  INCOMPATIBLE_FILE: 0x6981,
  SECURITY_NOT_SATISFIED: 0x6982,
  /** Reference data not usable: the PIN is blocked (tries exhausted) or was never set. */
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  /** No current EF. */
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6a86,
  REFERENCE_NOT_FOUND: 0x6a88,
  /** READ BINARY at or beyond the end of the file (JICSAP 7.3.1). */
  OFFSET_OUT_OF_FILE: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

export class MalformedApduError extends Error {
  constructor(
    readonly length: number,
    reason: string,
  ) {
    super(`malformed command APDU (${length} bytes): ${reason}`);
    this.name = 'MalformedApduError';
  }
}

/**
 * Parses a command APDU in any of the ISO cases, short or extended:
 * case 1 `CLA INS P1 P2`; case 2 `… Le`; case 3 `… Lc data`; case 4 `… Lc data Le`;
 * extended forms with a `00` byte then 2-byte Lc / Le.
 */
export function parseCommandApdu(raw: Buffer): CommandApdu {
  if (raw.length < 4) throw new MalformedApduError(raw.length, 'shorter than a header');
  const [cla, ins, p1, p2] = [raw[0] ?? 0, raw[1] ?? 0, raw[2] ?? 0, raw[3] ?? 0];
  const header = { cla, ins, p1, p2 };
  const body = raw.subarray(4);
  const empty = Buffer.alloc(0);
  if (body.length === 0) return { ...header, data: empty, le: undefined, extended: false };
  if (body.length === 1) return { ...header, data: empty, le: body[0] ?? 0, extended: false };
  const b0 = body[0] ?? 0;
  if (b0 !== 0) {
    // Short Lc.
    const lc = b0;
    if (body.length === 1 + lc) return { ...header, data: Buffer.from(body.subarray(1)), le: undefined, extended: false };
    if (body.length === 2 + lc) {
      return { ...header, data: Buffer.from(body.subarray(1, 1 + lc)), le: body[1 + lc] ?? 0, extended: false };
    }
    throw new MalformedApduError(raw.length, `Lc ${lc} does not match the body`);
  }
  // Extended length: 00 then two bytes.
  if (body.length === 3) return { ...header, data: empty, le: body.readUInt16BE(1), extended: true };
  if (body.length < 3) throw new MalformedApduError(raw.length, 'truncated extended length');
  const lc = body.readUInt16BE(1);
  if (lc === 0) throw new MalformedApduError(raw.length, 'extended Lc of zero');
  if (body.length === 3 + lc) return { ...header, data: Buffer.from(body.subarray(3)), le: undefined, extended: true };
  if (body.length === 5 + lc) {
    return { ...header, data: Buffer.from(body.subarray(3, 3 + lc)), le: body.readUInt16BE(3 + lc), extended: true };
  }
  throw new MalformedApduError(raw.length, `extended Lc ${lc} does not match the body`);
}

/** The largest number of bytes the command accepts back: undefined when it sent no Le. */
export function expectedLength(command: CommandApdu): number | undefined {
  if (command.le === undefined) return undefined;
  if (command.le === 0) return command.extended ? 65536 : 256;
  return command.le;
}

export function encodeResponse(response: ResponseApdu): Buffer {
  const out = Buffer.alloc(response.data.length + 2);
  response.data.copy(out, 0);
  out.writeUInt16BE(response.sw & 0xffff, response.data.length);
  return out;
}

export function status(sw: number, data: Buffer = Buffer.alloc(0)): ResponseApdu {
  return { sw, data };
}

/** `63Cx` with x tries left (0–15). */
export function triesLeftStatus(tries: number): number {
  return SW.VERIFY_FAILED | Math.max(0, Math.min(15, tries));
}
