/**
 * What the two 券面 applications share: transparent EFs selected by file identifier, key
 * references (themselves selected as EFs, then VERIFY `00 20 00 80`) each with its own try
 * counter, and per-file read rules naming the keys that open them (SPEC §5.1).
 *
 * Status words as public readers document the card: `63Cx` for a wrong value with x tries left
 * (`63C0` on the attempt that exhausts the counter), `6984` for every attempt after, an empty
 * VERIFY answers `63Cx` (or `9000` once verified) without spending a try, `6982` for a read the
 * security state does not allow, `6A82` for an unknown file, `6986` for VERIFY with no key selected.
 */
import type { CommandApdu, ResponseApdu } from '../card-application';
import { SW } from '../../../src/iso7816';

export interface KeyReference {
  fid: number;
  /** The value VERIFY must present (ASCII digits). Undefined = not set (answers 6984). */
  value: string | undefined;
  maxTries: number;
  tries: number;
}

export interface FileRule {
  fid: number;
  data: Buffer;
  /** Key fids any one of which opens the file; empty = always readable. */
  openedBy: number[];
}

const reply = (sw: number, data: Buffer = Buffer.alloc(0)): ResponseApdu => ({ sw, data });

export class KeyedFileSystem {
  private current: number | undefined;
  private readonly verified = new Set<number>();
  private readonly files = new Map<number, FileRule>();
  private readonly keys = new Map<number, KeyReference>();

  constructor(files: FileRule[], keys: KeyReference[]) {
    for (const f of files) this.files.set(f.fid, f);
    for (const k of keys) this.keys.set(k.fid, k);
  }

  triesLeft(fid: number): number | undefined {
    return this.keys.get(fid)?.tries;
  }

  isVerified(fid: number): boolean {
    return this.verified.has(fid);
  }

  reset(): void {
    this.current = undefined;
    this.verified.clear();
  }

  /** Handles SELECT EF / READ BINARY / VERIFY; returns undefined for other instructions. */
  handle(c: CommandApdu): ResponseApdu | undefined {
    if (c.cla !== 0x00) return undefined;
    switch (c.ins) {
      case 0xa4:
        return this.select(c);
      case 0xb0:
        return this.readBinary(c);
      case 0x20:
        return this.verify(c);
      default:
        return undefined;
    }
  }

  private select(c: CommandApdu): ResponseApdu {
    if (c.p1 !== 0x02 || (c.p2 !== 0x0c && c.p2 !== 0x00)) return reply(SW.WRONG_P1P2);
    if (c.data.length !== 2) return reply(SW.WRONG_LENGTH);
    const fid = c.data.readUInt16BE(0);
    if (!this.files.has(fid) && !this.keys.has(fid)) return reply(SW.FILE_NOT_FOUND);
    this.current = fid;
    return reply(SW.OK);
  }

  private readBinary(c: CommandApdu): ResponseApdu {
    if (c.p1 & 0x80) return reply(SW.WRONG_P1P2); // short-EF addressing not offered here
    const file = this.current === undefined ? undefined : this.files.get(this.current);
    if (!file) return reply(SW.NO_CURRENT_EF);
    if (file.openedBy.length > 0 && !file.openedBy.some((k) => this.verified.has(k))) return reply(SW.SECURITY_NOT_SATISFIED);
    const offset = (c.p1 << 8) | c.p2;
    if (offset > file.data.length) return reply(SW.OFFSET_OUT_OF_FILE);
    const le = c.le ?? 0;
    return reply(SW.OK, Buffer.from(file.data.subarray(offset, offset + le)));
  }

  private verify(c: CommandApdu): ResponseApdu {
    if (c.p1 !== 0x00 || c.p2 !== 0x80) return reply(SW.WRONG_P1P2);
    const key = this.current === undefined ? undefined : this.keys.get(this.current);
    if (!key) return reply(SW.NO_CURRENT_EF);
    if (key.value === undefined) return reply(SW.REFERENCE_DATA_NOT_USABLE);
    if (c.data.length === 0) {
      if (this.verified.has(key.fid)) return reply(SW.OK);
      return reply(SW.VERIFY_FAILED | Math.min(key.tries, 15));
    }
    if (key.tries === 0) return reply(SW.REFERENCE_DATA_NOT_USABLE);
    if (c.data.toString('latin1') === key.value) {
      key.tries = key.maxTries;
      this.verified.add(key.fid);
      return reply(SW.OK);
    }
    key.tries -= 1;
    this.verified.delete(key.fid);
    return reply(SW.VERIFY_FAILED | Math.min(key.tries, 15));
  }
}
