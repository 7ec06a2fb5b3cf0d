/**
 * Minimal BER-TLV / DER reading: just enough to learn a file's total length from its first bytes
 * (so a certificate is read with exactly the bytes it has, in as few READ BINARY as the card
 * allows) and to walk the BER-TLV records of the card's data files. Certificates themselves are
 * parsed by `node:crypto` X509Certificate, not here.
 */
import { MalformedResponseError } from './errors';

export interface TlvHeader {
  /** Tag as a number including its class/constructed bits, e.g. 0x30, 0x5F20, 0xDF27. */
  tag: number;
  /** Bytes taken by tag + length. */
  headerLength: number;
  /** Length of the value. */
  length: number;
}

/** Bytes needed to be sure the header of any TLV under 16 MiB is complete (2-byte tag + 84 xx xx xx xx). */
export const MAX_HEADER_BYTES = 7;

/**
 * Reads a TLV header at `offset`. Returns undefined when `buf` ends before the header does
 * (the caller reads more), throws on an encoding the card cannot have (indefinite length,
 * lengths over 4 bytes).
 */
export function readTlvHeader(buf: Buffer, offset = 0): TlvHeader | undefined {
  let p = offset;
  if (p >= buf.length) return undefined;
  let tag = buf[p++]!;
  if ((tag & 0x1f) === 0x1f) {
    // Multi-byte tag: continue while bit 8 is set.
    let guard = 0;
    for (;;) {
      if (p >= buf.length) return undefined;
      const b = buf[p++]!;
      tag = tag * 256 + b;
      if ((b & 0x80) === 0) break;
      if (++guard > 2) throw new MalformedResponseError('TLV tag longer than 4 bytes');
    }
  }
  if (p >= buf.length) return undefined;
  const first = buf[p++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new MalformedResponseError('indefinite TLV length');
  } else {
    const n = first & 0x7f;
    if (n > 4) throw new MalformedResponseError(`TLV length of ${n} bytes`);
    if (p + n > buf.length) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  return { tag, headerLength: p - offset, length };
}

/**
 * Total encoded size (header + value) of the DER object starting a file, from its first bytes.
 * Throws MalformedResponseError when the bytes are not a DER SEQUENCE (a certificate file).
 */
export function derTotalLength(head: Buffer): number {
  if (head.length === 0) throw new MalformedResponseError('empty file');
  if (head[0] !== 0x30) throw new MalformedResponseError(`expected a DER SEQUENCE, found tag ${head[0]!.toString(16)}`);
  const h = readTlvHeader(head);
  if (!h) throw new MalformedResponseError('DER header truncated');
  return h.headerLength + h.length;
}

export interface Tlv {
  tag: number;
  value: Buffer;
}

/** Splits a buffer into consecutive TLVs (one level). Padding bytes 00 / FF between records are skipped. */
export function parseTlvs(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let p = 0;
  while (p < buf.length) {
    if (buf[p] === 0x00 || buf[p] === 0xff) {
      p++;
      continue;
    }
    const h = readTlvHeader(buf, p);
    if (!h) throw new MalformedResponseError('TLV header truncated');
    const start = p + h.headerLength;
    const end = start + h.length;
    if (end > buf.length) throw new MalformedResponseError(`TLV ${h.tag.toString(16)} value truncated`);
    out.push({ tag: h.tag, value: buf.subarray(start, end) });
    p = end;
  }
  return out;
}
