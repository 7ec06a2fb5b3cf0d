/**
 * Command APDUs (ISO/IEC 7816-4 §5.1, ISO/IEC 7816-3 §12.1): encode on the reader side, decode on
 * the card side (the emulator) and for logs. One codec for both, so the two sides cannot read the
 * same bytes differently.
 *
 * The four cases, short and extended:
 *   case 1  `CLA INS P1 P2`
 *   case 2  `… Le`                     short Le `01`–`FF`, `00` = 256
 *           `… 00 Le1 Le2`             extended Le `0001`–`FFFF`, `0000` = 65536
 *   case 3  `… Lc data`                short Lc `01`–`FF`; extended `00 Lc1 Lc2` (`0001`–`FFFF`)
 *   case 4  `… Lc data Le`             short: one-byte Le; extended: `00 Lc1 Lc2 data Le1 Le2`
 * `le` in this module is always Ne, the number of bytes expected (1–65536), never the raw field.
 */
import { MalformedCommandError } from './errors';

export interface Command {
  cla?: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Nc bytes); omitted or empty for none. */
  data?: Buffer;
  /** Ne: bytes expected back (1..65536); omitted for no Le field. 256 / 65536 encode as `00` / `0000`. */
  le?: number;
  /** Force extended length even when short would do. */
  extended?: boolean;
  /** The data is a secret (PIN): the encoded command is zeroed once sent. */
  sensitive?: boolean;
}

/** A command as the card receives it. */
export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Nc bytes, a copy), empty when absent. */
  data: Buffer;
  /** Ne (1..65536): 256 for a short Le `00`, 65536 for an extended `0000`; undefined without an Le field. */
  le: number | undefined;
  /** True when the command used extended length fields. */
  extended: boolean;
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`APDU ${name} out of range: ${v}`);
}

/**
 * Encodes a command APDU. Short form when Nc ≤ 255 and Ne ≤ 256, extended otherwise: extended Lc
 * is `00 HH LL`; extended Le is `HH LL` after an Lc, `00 HH LL` alone.
 */
export function encodeCommand(cmd: Command): Buffer {
  const cla = cmd.cla ?? 0x00;
  checkByte('CLA', cla);
  checkByte('INS', cmd.ins);
  checkByte('P1', cmd.p1);
  checkByte('P2', cmd.p2);
  const data = cmd.data ?? Buffer.alloc(0);
  if (data.length > 65535) throw new RangeError(`APDU data too long: ${data.length}`);
  if (cmd.le !== undefined && (!Number.isInteger(cmd.le) || cmd.le < 1 || cmd.le > 65536)) {
    throw new RangeError(`APDU Le out of range: ${cmd.le}`);
  }
  const extended = cmd.extended === true || data.length > 255 || (cmd.le !== undefined && cmd.le > 256);
  const parts: Buffer[] = [Buffer.from([cla, cmd.ins, cmd.p1, cmd.p2])];
  if (data.length > 0) {
    parts.push(extended ? Buffer.from([0x00, data.length >> 8, data.length & 0xff]) : Buffer.from([data.length]));
    parts.push(data);
  }
  if (cmd.le !== undefined) {
    const le = cmd.le;
    if (extended) {
      const v = le === 65536 ? 0 : le;
      parts.push(data.length > 0 ? Buffer.from([v >> 8, v & 0xff]) : Buffer.from([0x00, v >> 8, v & 0xff]));
    } else {
      parts.push(Buffer.from([le === 256 ? 0 : le]));
    }
  }
  return Buffer.concat(parts);
}

/** A short Le field to Ne: `00` means 256 (ISO/IEC 7816-4 §5.1). */
function shortNe(field: number): number {
  return field === 0 ? 256 : field;
}

/** An extended Le field to Ne: `0000` means 65536. */
function extendedNe(field: number): number {
  return field === 0 ? 65536 : field;
}

/** Decodes a command APDU in any of the four cases, short or extended. Throws MalformedCommandError. */
export function decodeCommand(apdu: Buffer): CommandApdu {
  if (apdu.length < 4) throw new MalformedCommandError(apdu.length, 'shorter than a header');
  const base = { cla: apdu[0]!, ins: apdu[1]!, p1: apdu[2]!, p2: apdu[3]! };
  const body = apdu.subarray(4);
  const none = (): Buffer => Buffer.alloc(0);
  if (body.length === 0) return { ...base, data: none(), le: undefined, extended: false };
  if (body.length === 1) return { ...base, data: none(), le: shortNe(body[0]!), extended: false };
  if (body[0] !== 0) {
    const lc = body[0]!;
    if (body.length === 1 + lc) return { ...base, data: Buffer.from(body.subarray(1)), le: undefined, extended: false };
    if (body.length === 2 + lc) return { ...base, data: Buffer.from(body.subarray(1, 1 + lc)), le: shortNe(body[1 + lc]!), extended: false };
    throw new MalformedCommandError(apdu.length, `short Lc ${lc} does not match a body of ${body.length} bytes`);
  }
  // Extended length: a 00 byte, then two-byte fields.
  if (body.length < 3) throw new MalformedCommandError(apdu.length, 'truncated extended length');
  if (body.length === 3) return { ...base, data: none(), le: extendedNe(body.readUInt16BE(1)), extended: true };
  const lc = body.readUInt16BE(1);
  if (lc === 0) throw new MalformedCommandError(apdu.length, 'extended Lc of zero');
  if (body.length === 3 + lc) return { ...base, data: Buffer.from(body.subarray(3)), le: undefined, extended: true };
  if (body.length === 5 + lc) {
    return { ...base, data: Buffer.from(body.subarray(3, 3 + lc)), le: extendedNe(body.readUInt16BE(3 + lc)), extended: true };
  }
  throw new MalformedCommandError(apdu.length, `extended Lc ${lc} does not match a body of ${body.length} bytes`);
}

/** Header of a command for logs: `00 A4 04 0C Lc=10 Le=-` (never the data: it may be a PIN). */
export function describeCommand(apdu: Buffer): string {
  const h = [...apdu.subarray(0, 4)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  try {
    const d = decodeCommand(apdu);
    return `${h} Lc=${d.data.length} Le=${d.le ?? '-'}${d.extended ? ' ext' : ''}`;
  } catch {
    return `${h} (${apdu.length} bytes)`;
  }
}
