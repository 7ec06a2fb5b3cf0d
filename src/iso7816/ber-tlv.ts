/**
 * BER-TLV data objects as ISO/IEC 7816-4 §5.2.2 (2005; §6.3 of 2013) profiles X.690 §8.1: the one
 * parser of the product, for the JPKI files, the 券面事項確認AP files (EF 0002 `FF20{DF21…DF2A}`,
 * the CV certificate `7F21{5F4E,5F37}`, the RSA key `90/91` inside DF24) and the DER header of a
 * certificate.
 *
 * - Tag: one to three bytes (ISO/IEC 7816-4: "tag fields of one, two and three bytes"); low five
 *   bits `11111` in the first byte mean more bytes follow, bit 8 set in a subsequent byte means
 *   another follows (X.690 §8.1.2.4); the first subsequent byte cannot be `80` (§8.1.2.4.2 c).
 * - Length: definite only. Short form `00`–`7F`; long form `81`–`84` then one to four bytes
 *   (X.690 §8.1.3.5; ISO/IEC 7816-4 allows length fields of up to five bytes). `80` (indefinite,
 *   X.690 §8.1.3.6) is not allowed in ISO 7816 data; `85`–`FE` exceed ISO 7816; `FF` is reserved
 *   (X.690 §8.1.3.5 c).
 * - Padding: "before, between or after BER-TLV data objects, `00` or `FF` bytes without any
 *   meaning may occur (e.g. due to erased or modified TLV-coded data objects)" (ISO/IEC 7816-4
 *   §5.2.2). A list parse therefore *skips* them and goes on — it does not stop at the first one,
 *   which would silently drop the objects after it and let a card hide data behind filler.
 *   The My Number card also uses private-class tags whose first byte is `FF` (the file templates
 *   `FF10`, `FF20`, `FF30`), which X.690 allows and ISO 7816-4's padding rule makes ambiguous in a
 *   list. Those templates are always a file's first object and are read alone (`parseTlvAt`,
 *   `parseTemplate`); a list of objects that may start with `FF` is parsed with `padding: 'none'`.
 *
 * Errors are TlvFormatError (a MalformedResponseError: the bytes came from a card).
 */
import { TlvFormatError } from './errors';

export interface TlvHeader {
  /** Tag as a number including its class/constructed bits, e.g. 0x30, 0x5F20, 0xDF27. */
  tag: number;
  /** Bytes taken by tag + length. */
  headerLength: number;
  /** Length of the value. */
  length: number;
}

export interface TlvObject {
  tag: number;
  /** Value bytes (a view into the parsed buffer). */
  value: Buffer;
  /** The object's own bytes, header included — what the issuer signature digests cover. */
  raw: Buffer;
  /** Offset of the object's first byte in the buffer handed to the parser. */
  offset: number;
}

/** Bytes needed to be sure any header is complete: a three-byte tag and `84 xx xx xx xx`. */
export const MAX_HEADER_BYTES = 8;

const MAX_TAG_BYTES = 3;
const MAX_LENGTH_BYTES = 4;

/**
 * Reads a TLV header at `offset`. Returns undefined when `buf` ends before the header does (the
 * caller reads more from the card), throws TlvFormatError on an encoding ISO 7816 does not allow.
 */
export function readTlvHeader(buf: Buffer, offset = 0): TlvHeader | undefined {
  let p = offset;
  if (p >= buf.length) return undefined;
  let tag = buf[p++]!;
  if ((tag & 0x1f) === 0x1f) {
    for (let n = 1; ; n++) {
      if (p >= buf.length) return undefined;
      const b = buf[p++]!;
      if (n === 1 && b === 0x80) throw new TlvFormatError('tag with a leading zero subsequent byte', p - 1);
      tag = tag * 256 + b;
      if ((b & 0x80) === 0) break;
      if (n + 1 >= MAX_TAG_BYTES) throw new TlvFormatError(`tag longer than ${MAX_TAG_BYTES} bytes`, offset);
    }
  }
  if (p >= buf.length) return undefined;
  const first = buf[p++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new TlvFormatError('indefinite length', p - 1);
  } else {
    const n = first & 0x7f;
    if (n > MAX_LENGTH_BYTES) throw new TlvFormatError(`length field of ${n + 1} bytes`, p - 1);
    if (p + n > buf.length) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  return { tag, headerLength: p - offset, length };
}

/** Parses the one object at `offset`; throws TlvFormatError when it is truncated or malformed. */
export function parseTlvAt(buf: Buffer, offset = 0): TlvObject {
  const h = readTlvHeader(buf, offset);
  if (!h) throw new TlvFormatError('truncated TLV header', offset);
  const start = offset + h.headerLength;
  const end = start + h.length;
  if (end > buf.length) throw new TlvFormatError(`value of tag ${h.tag.toString(16).toUpperCase()} runs past the end`, offset);
  return { tag: h.tag, value: buf.subarray(start, end), raw: buf.subarray(offset, end), offset };
}

export interface TlvListOptions {
  /** First byte of the list (default 0). Offsets reported stay relative to the whole buffer. */
  start?: number;
  /** End of the list (default: the buffer's end); no object may run past it. */
  end?: number;
  /**
   * `skip` (default): `00` / `FF` where a tag would start are padding (ISO/IEC 7816-4 §5.2.2).
   * `none`: every byte starts an object (X.690 as is: DER, or a list of `FFxx` templates).
   */
  padding?: 'skip' | 'none';
}

/** Parses a run of consecutive objects (one level). */
export function parseTlvList(buf: Buffer, options: TlvListOptions = {}): TlvObject[] {
  const end = options.end ?? buf.length;
  if (end > buf.length) throw new RangeError(`TLV list end ${end} beyond a buffer of ${buf.length} bytes`);
  const skip = (options.padding ?? 'skip') === 'skip';
  const view = buf.subarray(0, end);
  const out: TlvObject[] = [];
  let pos = options.start ?? 0;
  while (pos < end) {
    if (skip && (view[pos] === 0x00 || view[pos] === 0xff)) {
      pos++;
      continue;
    }
    const obj = parseTlvAt(view, pos);
    out.push(obj);
    pos += obj.raw.length;
  }
  return out;
}

/** Parses an outer template (e.g. `FF20`) and its children; offsets are from the file start. */
export function parseTemplate(file: Buffer, expectedTag: number): { outer: TlvObject; children: TlvObject[] } {
  const outer = parseTlvAt(file, 0);
  if (outer.tag !== expectedTag) {
    throw new TlvFormatError(`expected tag ${expectedTag.toString(16).toUpperCase()}, got ${outer.tag.toString(16).toUpperCase()}`, 0);
  }
  const valueStart = outer.raw.length - outer.value.length;
  return { outer, children: parseTlvList(file, { start: valueStart, end: valueStart + outer.value.length }) };
}

/**
 * Total encoded size (header + value) of the DER SEQUENCE starting a file (a certificate), from
 * its first bytes: so the certificate is read with exactly the bytes it has.
 */
export function derTotalLength(head: Buffer): number {
  if (head.length === 0) throw new TlvFormatError('empty file', 0);
  if (head[0] !== 0x30) throw new TlvFormatError(`expected a DER SEQUENCE, found tag ${head[0]!.toString(16).toUpperCase()}`, 0);
  const h = readTlvHeader(head);
  if (!h) throw new TlvFormatError('DER header truncated', 0);
  return h.headerLength + h.length;
}

/** Tag bytes for a tag number as `readTlvHeader` returns it (1–3 bytes, big-endian). */
export function encodeTag(tag: number): Buffer {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) throw new RangeError(`TLV tag ${tag} out of range`);
  if (tag > 0xffff) return Buffer.from([tag >> 16, (tag >> 8) & 0xff, tag & 0xff]);
  if (tag > 0xff) return Buffer.from([tag >> 8, tag & 0xff]);
  return Buffer.from([tag]);
}

/** The shortest definite length field (DER, X.690 §10.1). */
export function encodeLength(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`TLV length ${length} out of range`);
  if (length < 0x80) return Buffer.from([length]);
  if (length <= 0xff) return Buffer.from([0x81, length]);
  if (length <= 0xffff) return Buffer.from([0x82, length >> 8, length & 0xff]);
  if (length <= 0xffffff) return Buffer.from([0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
  throw new RangeError(`TLV length ${length} too large for a card file`);
}

export function encodeTlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([encodeTag(tag), encodeLength(value.length), value]);
}
