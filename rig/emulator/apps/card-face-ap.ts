/**
 * 券面事項確認AP `D3 92 10 00 31 00 01 01 04 02` (SPEC §5.1). Key references 0011 (birth date, era
 * YYMMDD: opens EF 0001 only), 0012 (照合番号B, 10 tries) and 0013 (照合番号A) each with its own
 * counter; EF 0002 and EF 0005 (個人番号 image) opened by either 照合番号, EF 0003/0004 readable by anyone; `80 2A 00 00` signs
 * the DigestInfo it is sent with the card's own key, no credential needed (it proves a present
 * chip, so it must not depend on anything a copy of the files could supply).
 */
import { signDigestInfo } from '../card-face/card-schema';
import type { CardApplication, CommandApdu, ResponseApdu } from '../card-application';
import type { CardFaceFiles } from '../card-face/files';
import type { KeyObject } from 'node:crypto';
import { KeyedFileSystem } from '../card-face/keyed-file-app';
import { SW } from '../../../src/iso7816';

export const CARD_FACE_AID = Buffer.from('D3921000310001010402', 'hex');
export const KEY_BIRTH_DATE = 0x0011;
export const KEY_CODE_B = 0x0012;
export const KEY_CODE_A = 0x0013;
const CODE_TRIES = 10;

export class CardFaceApplication implements CardApplication {
  readonly aid = CARD_FACE_AID;
  readonly name = 'card-face';
  private readonly fs: KeyedFileSystem;

  constructor(
    files: CardFaceFiles,
    private readonly cardKey: KeyObject,
  ) {
    this.fs = new KeyedFileSystem(
      [
        { fid: 0x0001, data: files.ef0001, openedBy: [KEY_BIRTH_DATE] },
        { fid: 0x0002, data: files.ef0002, openedBy: [KEY_CODE_B, KEY_CODE_A] },
        { fid: 0x0003, data: files.ef0003, openedBy: [] },
        { fid: 0x0004, data: files.ef0004, openedBy: [] },
        { fid: 0x0005, data: files.ef0005, openedBy: [KEY_CODE_B, KEY_CODE_A] },
      ],
      [
        { fid: KEY_BIRTH_DATE, value: files.birthCode, maxTries: CODE_TRIES, tries: CODE_TRIES },
        { fid: KEY_CODE_B, value: files.codeB, maxTries: CODE_TRIES, tries: Math.min(CODE_TRIES, files.codeBTries) },
        { fid: KEY_CODE_A, value: files.codeA, maxTries: CODE_TRIES, tries: CODE_TRIES },
      ],
    );
  }

  /** For tests and the rig's status line: tries left on a key reference. */
  triesLeft(key: number): number | undefined {
    return this.fs.triesLeft(key);
  }

  handle(c: CommandApdu): ResponseApdu {
    const r = this.fs.handle(c);
    if (r) return r;
    if (c.cla === 0x80 && c.ins === 0x2a) return this.sign(c);
    if (c.cla !== 0x00 && c.cla !== 0x80) return { sw: SW.CLA_NOT_SUPPORTED, data: Buffer.alloc(0) };
    return { sw: SW.INS_NOT_SUPPORTED, data: Buffer.alloc(0) };
  }

  private sign(c: CommandApdu): ResponseApdu {
    if (c.p1 !== 0x00 || c.p2 !== 0x00) return { sw: SW.WRONG_P1P2, data: Buffer.alloc(0) };
    if (c.data.length === 0 || c.data.length > 256 - 11) return { sw: SW.WRONG_LENGTH, data: Buffer.alloc(0) };
    return { sw: SW.OK, data: signDigestInfo(this.cardKey, c.data) };
  }

  reset(): void {
    this.fs.reset();
  }
}
