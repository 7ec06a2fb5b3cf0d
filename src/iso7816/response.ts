/**
 * Response APDUs (ISO/IEC 7816-4 §5.1): data field, then SW1 SW2. Parsed by the reader, encoded by
 * the card emulator.
 */
import { MalformedResponseError } from './errors';

export interface ResponseApdu {
  data: Buffer;
  /** Status word, e.g. 0x9000, 0x63C2, 0x6983. */
  sw: number;
}

/** Splits a response into data and status word. A response without its two SW bytes is malformed. */
export function parseResponse(raw: Buffer, context: { ins?: number; step?: string } = {}): ResponseApdu {
  if (raw.length < 2) throw new MalformedResponseError(`response of ${raw.length} bytes`, context);
  return { data: raw.subarray(0, raw.length - 2), sw: raw.readUInt16BE(raw.length - 2) };
}

export function encodeResponse(response: ResponseApdu): Buffer {
  const out = Buffer.alloc(response.data.length + 2);
  response.data.copy(out, 0);
  out.writeUInt16BE(response.sw & 0xffff, response.data.length);
  return out;
}
