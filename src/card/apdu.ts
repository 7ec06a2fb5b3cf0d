/**
 * ISO/IEC 7816-4 APDU layer: command encoding (short and extended length), response parsing,
 * status words with names, and the `61xx` / `6Cxx` procedures. No I/O except through a
 * `CardChannel` handed in (STYLE §3: transport → APDU codec → card application).
 *
 * Logging (STYLE §10, SPEC §5): only command headers (CLA INS P1 P2), lengths and status words, at
 * trace level; never a data field, in either direction.
 */
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { CardError, MalformedResponseError, UnexpectedStatusError } from './errors';

/** One exchange with the card: raw command bytes in, raw response bytes (data + SW1 SW2) out. */
export interface CardChannel {
  transmit(apdu: Buffer): Promise<Buffer>;
}

export interface Command {
  cla?: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Lc bytes); omitted or empty for none. */
  data?: Buffer;
  /** Expected response length in bytes (1..65536); omitted for no Le field. 256 / 65536 encode as 00 / 0000. */
  le?: number;
  /** Force extended length even when short would do. */
  extended?: boolean;
  /** The data is a secret (PIN): the encoded command is zeroed once sent. */
  sensitive?: boolean;
}

export interface Response {
  data: Buffer;
  sw: number;
}

export const SW_OK = 0x9000;

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`APDU ${name} out of range: ${v}`);
}

/**
 * Encodes a command APDU. Short form when data ≤ 255 bytes and Le ≤ 256, extended otherwise
 * (ISO 7816-4 §5.1): extended Lc is `00 HH LL`; extended Le is `HH LL` after an Lc, `00 HH LL` alone.
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

export interface DecodedCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Buffer;
  /** Expected length (256 / 65536 for 00 / 0000), undefined when absent. */
  le: number | undefined;
  extended: boolean;
}

/** Decodes a command APDU (the four ISO cases, short and extended). Used by the simulated reader and tests. */
export function decodeCommand(apdu: Buffer): DecodedCommand {
  if (apdu.length < 4) throw new MalformedResponseError(`command of ${apdu.length} bytes`);
  const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
  const body = apdu.subarray(4);
  const base = { cla, ins, p1, p2 };
  if (body.length === 0) return { ...base, data: Buffer.alloc(0), le: undefined, extended: false };
  if (body.length === 1) return { ...base, data: Buffer.alloc(0), le: body[0] === 0 ? 256 : body[0]!, extended: false };
  if (body[0] !== 0) {
    // Short: Lc data [Le]
    const lc = body[0]!;
    if (body.length === 1 + lc) return { ...base, data: Buffer.from(body.subarray(1)), le: undefined, extended: false };
    if (body.length === 2 + lc) {
      const le = body[1 + lc]!;
      return { ...base, data: Buffer.from(body.subarray(1, 1 + lc)), le: le === 0 ? 256 : le, extended: false };
    }
    throw new MalformedResponseError(`short command body of ${body.length} bytes with Lc ${lc}`);
  }
  // Extended: first body byte 00.
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { ...base, data: Buffer.alloc(0), le: le === 0 ? 65536 : le, extended: true };
  }
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new MalformedResponseError('extended command with Lc 0');
  if (body.length === 3 + lc) return { ...base, data: Buffer.from(body.subarray(3)), le: undefined, extended: true };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { ...base, data: Buffer.from(body.subarray(3, 3 + lc)), le: le === 0 ? 65536 : le, extended: true };
  }
  throw new MalformedResponseError(`extended command body of ${body.length} bytes with Lc ${lc}`);
}

/** Splits a response into data and status word. A response without its two SW bytes is malformed. */
export function parseResponse(raw: Buffer, context: { ins?: number; step?: string } = {}): Response {
  if (raw.length < 2) throw new MalformedResponseError(`response of ${raw.length} bytes`, context);
  const sw = (raw[raw.length - 2]! << 8) | raw[raw.length - 1]!;
  return { data: raw.subarray(0, raw.length - 2), sw };
}

const swNames: Record<number, string> = {
  0x9000: 'success',
  0x6281: 'part of returned data may be corrupted',
  0x6282: 'end of file reached before reading Le bytes',
  0x6283: 'selected file invalidated',
  0x6581: 'memory failure',
  0x6700: 'wrong length',
  0x6881: 'logical channel not supported',
  0x6882: 'secure messaging not supported',
  0x6981: 'command incompatible with file structure',
  0x6982: 'security status not satisfied',
  0x6983: 'authentication method blocked',
  0x6984: 'reference data not usable',
  0x6985: 'conditions of use not satisfied',
  0x6986: 'command not allowed (no current EF)',
  0x6a80: 'incorrect parameters in the data field',
  0x6a81: 'function not supported',
  0x6a82: 'file or application not found',
  0x6a86: 'incorrect parameters P1-P2',
  0x6a88: 'referenced data not found',
  0x6b00: 'wrong parameters (offset outside the EF)',
  0x6d00: 'instruction not supported',
  0x6e00: 'class not supported',
  0x6f00: 'no precise diagnosis',
};

/** Human name of a status word, for logs and error messages. */
export function statusWordName(sw: number): string {
  const exact = swNames[sw];
  if (exact) return exact;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) return `${sw2 === 0 ? 256 : sw2} more bytes available`;
  if (sw1 === 0x6c) return `wrong Le, exact length ${sw2 === 0 ? 256 : sw2}`;
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return `verification failed, ${sw2 & 0x0f} tries left`;
  return 'unknown status';
}

export function formatSw(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** Header of a command for logs: `00 A4 04 0C Lc=10 Le=-` (never the data). */
export function describeCommand(apdu: Buffer): string {
  const h = [...apdu.subarray(0, 4)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  try {
    const d = decodeCommand(apdu);
    return `${h} Lc=${d.data.length} Le=${d.le ?? '-'}${d.extended ? ' ext' : ''}`;
  } catch {
    return `${h} (${apdu.length} bytes)`;
  }
}

export interface LinkCounters {
  /** Command APDUs sent, including GET RESPONSE and 6Cxx re-sends. */
  apdus: number;
  bytesSent: number;
  bytesReceived: number;
}

/**
 * A channel with the T=0 style procedures applied and counters kept: `61xx` fetches the rest with
 * GET RESPONSE (concatenated), `6Cxx` re-sends with the exact Le. Each call is one logical command.
 */
export class ApduLink {
  readonly counters: LinkCounters = { apdus: 0, bytesSent: 0, bytesReceived: 0 };
  /**
   * What the card has selected, as far as this link knows (a link lives for one transaction, so
   * the card cannot have been reset under it without the transaction failing). Lets card
   * applications skip a SELECT they already did: fewer APDUs, ~43 ms each through vpcd.
   */
  selected: { application?: string; ef?: number } = {};
  private readonly log: Logger;

  constructor(
    readonly channel: CardChannel,
    log: Logger = silentLogger,
  ) {
    this.log = log.child('apdu');
  }

  private async exchange(apdu: Buffer, step: string | undefined): Promise<Response> {
    this.counters.apdus++;
    this.counters.bytesSent += apdu.length;
    const raw = await this.channel.transmit(apdu);
    this.counters.bytesReceived += raw.length;
    const ctx: { ins?: number; step?: string } = { ins: apdu[1] };
    if (step !== undefined) ctx.step = step;
    const res = parseResponse(raw, ctx);
    const sw = formatSw(res.sw);
    this.log.trace(() => `${describeCommand(apdu)} -> ${res.data.length} bytes SW ${sw}`, { event: 'apdu', sw, bytes: res.data.length });
    return res;
  }

  /** Sends one command, following `61xx` and `6Cxx`; returns the final data and status word. */
  async send(cmd: Command, step?: string): Promise<Response> {
    let apdu = encodeCommand(cmd);
    let res: Response;
    try {
      res = await this.exchange(apdu, step);
    } finally {
      if (cmd.sensitive) apdu.fill(0);
    }
    if (res.sw >> 8 === 0x6c) {
      const exact = res.sw & 0xff;
      apdu = encodeCommand({ ...cmd, le: exact === 0 ? 256 : exact, extended: false });
      res = await this.exchange(apdu, step);
    }
    if (res.sw >> 8 !== 0x61) return res;
    const chunks: Buffer[] = [res.data];
    let guard = 0;
    while (res.sw >> 8 === 0x61) {
      if (++guard > 256) throw new MalformedResponseError('endless 61xx chain', { ins: cmd.ins, sw: res.sw, ...(step ? { step } : {}) });
      const more = res.sw & 0xff;
      res = await this.exchange(encodeCommand({ cla: cmd.cla ?? 0, ins: 0xc0, p1: 0, p2: 0, le: more === 0 ? 256 : more }), step);
      chunks.push(res.data);
    }
    return { data: Buffer.concat(chunks), sw: res.sw };
  }
}

/** Throws the generic typed error for a status word that is not `9000`; callers map the expected ones first. */
export function expectOk(res: Response, context: { ins: number; step?: string }, toError?: (sw: number) => CardError | undefined): Response {
  if (res.sw === SW_OK) return res;
  const specific = toError?.(res.sw);
  if (specific) throw specific;
  throw new UnexpectedStatusError({ ...context, sw: res.sw });
}
