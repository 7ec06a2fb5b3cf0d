/**
 * A card channel with the ISO/IEC 7816-4 response procedures applied: `61xx` fetches the rest with
 * GET RESPONSE, `6Cxx` sends again with the exact Le (§5.3.4, and ISO/IEC 7816-3 §10.3.3 for
 * T=0). No I/O except through a `CardChannel` handed in (STYLE §3: transport → APDU codec → card
 * application).
 *
 * Logging (STYLE §10, SPEC §5): only command headers (CLA INS P1 P2), lengths and status words, at
 * trace level; never a data field, in either direction.
 */
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { describeCommand, encodeCommand, type Command } from './command';
import { CardError, MalformedResponseError, UnexpectedStatusError } from './errors';
import { parseResponse, type ResponseApdu } from './response';
import { formatSw, interpretStatus, SW } from './status-words';

/** One exchange with the card: raw command bytes in, raw response bytes (data + SW1 SW2) out. */
export interface CardChannel {
  transmit(apdu: Buffer): Promise<Buffer>;
}

export interface LinkCounters {
  /** Command APDUs sent, including GET RESPONSE and 6Cxx re-sends. */
  apdus: number;
  bytesSent: number;
  bytesReceived: number;
}

const INS_GET_RESPONSE = 0xc0;

/** Each call of `send` is one logical command; counters are kept for benches and reports. */
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

  private async exchange(apdu: Buffer, step: string | undefined): Promise<ResponseApdu> {
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
  async send(cmd: Command, step?: string): Promise<ResponseApdu> {
    let apdu = encodeCommand(cmd);
    let res: ResponseApdu;
    try {
      res = await this.exchange(apdu, step);
    } finally {
      if (cmd.sensitive) apdu.fill(0);
    }
    const first = interpretStatus(res.sw);
    if (first.kind === 'wrong-le') {
      apdu = encodeCommand({ ...cmd, le: first.exactLength, extended: false });
      res = await this.exchange(apdu, step);
    }
    let status = interpretStatus(res.sw);
    if (status.kind !== 'more-data') return res;
    const chunks: Buffer[] = [res.data];
    let guard = 0;
    while (status.kind === 'more-data') {
      if (++guard > 256) throw new MalformedResponseError('endless 61xx chain', { ins: cmd.ins, sw: res.sw, ...(step ? { step } : {}) });
      res = await this.exchange(encodeCommand({ cla: cmd.cla ?? 0, ins: INS_GET_RESPONSE, p1: 0, p2: 0, le: status.available }), step);
      chunks.push(res.data);
      status = interpretStatus(res.sw);
    }
    return { data: Buffer.concat(chunks), sw: res.sw };
  }
}

/** Throws the generic typed error for a status word that is not `9000`; callers map the expected ones first. */
export function expectOk(
  res: ResponseApdu,
  context: { ins: number; step?: string },
  toError?: (sw: number) => CardError | undefined,
): ResponseApdu {
  if (res.sw === SW.OK) return res;
  const specific = toError?.(res.sw);
  if (specific) throw specific;
  throw new UnexpectedStatusError({ ...context, sw: res.sw });
}
