/**
 * Greyscale JPEG 2000 for the card's face photo (DF27, SPEC §5.1): the card stores a JP2 file
 * (signature box, `ftyp`, `jp2h`, then the `jp2c` codestream), greyscale. The codec is
 * `@cornerstonejs/codec-openjpeg` (OpenJPEG in WebAssembly). Its `exports` map hides the wasm
 * build, so the file is required by path; OpenJPEG's own console chatter is silenced (it would
 * otherwise go to stdout through Emscripten's `print`).
 */
import { join, dirname } from 'node:path';
import type { GreyImage } from '../imaging/grey-image';

export type { GreyImage } from '../imaging/grey-image';

export class Jpeg2000Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Jpeg2000Error';
  }
}

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
interface J2KDecoderLike {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): FrameInfo;
  delete?(): void;
}
interface J2KEncoderLike {
  getDecodedBuffer(info: FrameInfo & { isUsingColorSpace: boolean }): Uint8Array;
  setQuality(lossless: boolean, quality: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete?(): void;
}
interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoderLike;
  J2KEncoder: new () => J2KEncoderLike;
}

let modulePromise: Promise<OpenJpegModule> | undefined;

function loadCodec(): Promise<OpenJpegModule> {
  if (!modulePromise) {
    const pkg = dirname(require.resolve('@cornerstonejs/codec-openjpeg'));
    const factory = require(join(pkg, 'openjpegwasm.js')) as (opts: object) => Promise<OpenJpegModule>;
    const quiet = (): void => undefined;
    modulePromise = factory({ print: quiet, printErr: quiet });
  }
  return modulePromise;
}

function box(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

/** Wraps a codestream in a minimal JP2 file: greyscale, 8 bits, sRGB-grey colour space (17). */
function jp2Container(codestream: Buffer, width: number, height: number): Buffer {
  const signature = box('jP  ', Buffer.from([0x0d, 0x0a, 0x87, 0x0a]));
  const ftyp = box('ftyp', Buffer.concat([Buffer.from('jp2 ', 'latin1'), Buffer.alloc(4), Buffer.from('jp2 ', 'latin1')]));
  const ihdr = Buffer.alloc(14);
  ihdr.writeUInt32BE(height, 0);
  ihdr.writeUInt32BE(width, 4);
  ihdr.writeUInt16BE(1, 8); // components
  ihdr[10] = 7; // bits per component - 1
  ihdr[11] = 7; // compression type: JPEG 2000
  ihdr[12] = 0;
  ihdr[13] = 0;
  const colr = Buffer.from([1, 0, 0, 0, 0, 0, 17]);
  const jp2h = box('jp2h', Buffer.concat([box('ihdr', ihdr), box('colr', colr)]));
  return Buffer.concat([signature, ftyp, jp2h, box('jp2c', codestream)]);
}

/** True when `data` starts like a JP2 file (`....jP  `). */
export function isJp2(data: Buffer): boolean {
  return data.length >= 12 && data.subarray(4, 8).toString('latin1') === 'jP  ';
}

/** Finds the `jp2c` codestream in a JP2 file, or accepts a bare codestream (`FF 4F`). */
export function extractCodestream(data: Buffer): Buffer {
  if (data[0] === 0xff && data[1] === 0x4f) return data;
  if (!isJp2(data)) throw new Jpeg2000Error('not a JPEG 2000 file');
  let pos = 0;
  while (pos + 8 <= data.length) {
    let len = data.readUInt32BE(pos);
    const type = data.subarray(pos + 4, pos + 8).toString('latin1');
    let head = 8;
    if (len === 1) {
      if (pos + 16 > data.length) break;
      len = Number(data.readBigUInt64BE(pos + 8));
      head = 16;
    } else if (len === 0) {
      len = data.length - pos;
    }
    if (len < head || pos + len > data.length) throw new Jpeg2000Error(`JP2 box ${type} runs past the end`);
    if (type === 'jp2c') return data.subarray(pos + head, pos + len);
    pos += len;
  }
  throw new Jpeg2000Error('JP2 file has no codestream');
}

/** Encodes a greyscale image as the card stores its photo (lossy, `quality` as OpenJPEG's PSNR-like knob). */
export async function encodeGreyJp2(image: GreyImage, quality = 30): Promise<Buffer> {
  const codec = await loadCodec();
  const enc = new codec.J2KEncoder();
  try {
    const input = enc.getDecodedBuffer({ width: image.width, height: image.height, bitsPerSample: 8, componentCount: 1, isSigned: false, isUsingColorSpace: false });
    input.set(image.grey);
    enc.setQuality(false, quality);
    enc.encode();
    return jp2Container(Buffer.from(enc.getEncodedBuffer()), image.width, image.height);
  } finally {
    enc.delete?.();
  }
}

/** Decodes a greyscale JP2 (or bare codestream); refuses colour, >8-bit or absurd sizes. */
export async function decodeGreyJp2(data: Buffer): Promise<GreyImage> {
  const codestream = extractCodestream(data);
  const codec = await loadCodec();
  const dec = new codec.J2KDecoder();
  try {
    const input = dec.getEncodedBuffer(codestream.length);
    input.set(codestream);
    try {
      dec.decode();
    } catch (err) {
      throw new Jpeg2000Error(`JPEG 2000 decode failed: ${String(err)}`);
    }
    const info = dec.getFrameInfo();
    if (info.componentCount !== 1 || info.bitsPerSample !== 8) {
      throw new Jpeg2000Error(`photo is not 8-bit greyscale (${info.componentCount} components, ${info.bitsPerSample} bits)`);
    }
    if (info.width < 16 || info.height < 16 || info.width > 2000 || info.height > 2000) {
      throw new Jpeg2000Error(`photo size ${info.width}×${info.height} out of range`);
    }
    return { width: info.width, height: info.height, grey: new Uint8Array(dec.getDecodedBuffer()) };
  } finally {
    dec.delete?.();
  }
}
