/**
 * 券面事項入力補助AP `D3 92 10 00 31 00 01 01 04 08` (issue 2 §2; layout as soltia48/myna-card
 * documents it): key reference 0011 is the 4-digit 券面事項入力補助用暗証番号 (3 tries, its own
 * counter; on the rig the same value as the JPKI user-auth PIN, as most holders set it), 0014
 * 照合番号A and 0015 照合番号B (10 tries each). EF 0001 (個人番号) opens with the PIN or A, EF 0002
 * (name, address, birth date, sex) with the PIN or B. A face-only card has no PIN: VERIFY on 0011
 * answers 6984 (not usable), queries included, so no reader can spend a try on it.
 */
import type { CardApplication, CommandApdu, ResponseApdu } from '../card-application';
import type { CardTextFiles } from '../card-face/files';
import { KeyedFileSystem } from '../card-face/keyed-file-app';
import { SW } from '../../../src/iso7816';

export const CARD_TEXT_AID = Buffer.from('D3921000310001010408', 'hex');
export const KEY_TEXT_PIN = 0x0011;
export const KEY_TEXT_CODE_A = 0x0014;
export const KEY_TEXT_CODE_B = 0x0015;

export interface CardTextOptions {
  /** The 4-digit PIN, or undefined for a card with no PIN set (face-only). */
  pin: string | undefined;
  /** PIN tries left at power-up (default 3). */
  pinTries?: number;
}

export class CardTextApplication implements CardApplication {
  readonly aid = CARD_TEXT_AID;
  readonly name = 'card-text';
  private readonly fs: KeyedFileSystem;

  constructor(files: CardTextFiles, options: CardTextOptions) {
    this.fs = new KeyedFileSystem(
      [
        { fid: 0x0001, data: files.ef0001, openedBy: [KEY_TEXT_PIN, KEY_TEXT_CODE_A] },
        { fid: 0x0002, data: files.ef0002, openedBy: [KEY_TEXT_PIN, KEY_TEXT_CODE_B] },
      ],
      [
        { fid: KEY_TEXT_PIN, value: options.pin, maxTries: 3, tries: Math.min(3, options.pinTries ?? 3) },
        { fid: KEY_TEXT_CODE_A, value: files.codeA, maxTries: 10, tries: 10 },
        { fid: KEY_TEXT_CODE_B, value: files.codeB, maxTries: 10, tries: 10 },
      ],
    );
  }

  triesLeft(key: number): number | undefined {
    return this.fs.triesLeft(key);
  }

  handle(c: CommandApdu): ResponseApdu {
    const r = this.fs.handle(c);
    if (r) return r;
    if (c.cla !== 0x00 && c.cla !== 0x80) return { sw: SW.CLA_NOT_SUPPORTED, data: Buffer.alloc(0) };
    return { sw: SW.INS_NOT_SUPPORTED, data: Buffer.alloc(0) };
  }

  reset(): void {
    this.fs.reset();
  }
}
