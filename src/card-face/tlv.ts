/**
 * BER-TLV as the card's 券面 applications use it (SPEC §5.1): two-byte private tags such as
 * `FF20`/`DF21`, definite lengths (short form, `81 xx`, `82 xxxx`). Shared by the emulator, which
 * writes the files, and the reader, which parses them — so both sides agree on one codec, and the
 * reader's parse is still strict (it is the side facing a possibly hostile card).
 */

export class TlvFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'TlvFormatError';
  }
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

export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length <= 0xff) return Buffer.from([0x81, length]);
  if (length <= 0xffff) return Buffer.from([0x82, length >> 8, length & 0xff]);
  throw new RangeError(`TLV length ${length} too large for this card`);
}

export function encodeTag(tag: number): Buffer {
  return tag > 0xff ? Buffer.from([tag >> 8, tag & 0xff]) : Buffer.from([tag]);
}

export function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([encodeTag(tag), encodeLength(value.length), value]);
}

/** Parses one object at `offset`; `base` is added to reported offsets. */
export function parseTlvAt(buf: Buffer, offset: number): TlvObject {
  let pos = offset;
  const byte = (): number => {
    const b = buf[pos];
    if (b === undefined) throw new TlvFormatError('truncated TLV header', pos);
    pos += 1;
    return b;
  };
  let tag = byte();
  if ((tag & 0x1f) === 0x1f) {
    let next = byte();
    tag = (tag << 8) | next;
    while (next & 0x80) {
      if (tag > 0xffffff) throw new TlvFormatError('tag too long', offset);
      next = byte();
      tag = (tag << 8) | next;
    }
  }
  let length = byte();
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 3) throw new TlvFormatError(`unsupported length form 0x${length.toString(16)}`, pos - 1);
    length = 0;
    for (let i = 0; i < n; i++) length = (length << 8) | byte();
  }
  const end = pos + length;
  if (end > buf.length) throw new TlvFormatError(`value of tag ${tag.toString(16)} runs past the end`, offset);
  return { tag, value: buf.subarray(pos, end), raw: buf.subarray(offset, end), offset };
}

/** Parses a run of objects, stopping at the end or at filler (`00`/`FF` where a tag would start). */
export function parseTlvList(buf: Buffer, start = 0, end = buf.length): TlvObject[] {
  const out: TlvObject[] = [];
  let pos = start;
  const view = buf.subarray(0, end);
  while (pos < end) {
    const first = view[pos];
    if (first === 0x00 || first === 0xff) break;
    const obj = parseTlvAt(view, pos);
    out.push(obj);
    pos = obj.offset + obj.raw.length;
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
  const children = parseTlvList(file, valueStart, valueStart + outer.value.length);
  return { outer, children };
}
