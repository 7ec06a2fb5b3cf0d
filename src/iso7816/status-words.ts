/**
 * Status words (SW1 SW2) of ISO/IEC 7816-4 (§5.1.3, tables 5–6 of the 2013 edition; §5.6 of 2005)
 * as the My Number card's applications use them (JICSAP 1.1 §7.3, OpenSC `card-jpki.c`,
 * `iso7816.c`'s table). The one table of the product: the reader's error messages and the card
 * emulator's answers both read from it.
 *
 * Three families carry a number in SW2 rather than naming one condition, so they are not in the
 * table but in `interpretStatus`: `61xx` (xx more bytes, GET RESPONSE), `6Cxx` (wrong Le, exact
 * length xx) and `63Cx` (verification failed, x tries left). SW2 `00` in `61`/`6C` means 256.
 */

/** Each named status word once: its value and what ISO 7816-4 says it means. */
const STATUS_TABLE = {
  OK: { sw: 0x9000, meaning: 'success' },
  /** 63Cx with x = 0: the base of the verification-failed family (see `triesLeftStatus`). */
  VERIFY_FAILED: { sw: 0x63c0, meaning: 'verification failed' },
  DATA_MAY_BE_CORRUPTED: { sw: 0x6281, meaning: 'part of returned data may be corrupted' },
  END_OF_FILE: { sw: 0x6282, meaning: 'end of file reached before reading Le bytes' },
  FILE_INVALIDATED: { sw: 0x6283, meaning: 'selected file invalidated' },
  MEMORY_FAILURE: { sw: 0x6581, meaning: 'memory failure' },
  WRONG_LENGTH: { sw: 0x6700, meaning: 'wrong length' },
  LOGICAL_CHANNEL_NOT_SUPPORTED: { sw: 0x6881, meaning: 'logical channel not supported' },
  SECURE_MESSAGING_NOT_SUPPORTED: { sw: 0x6882, meaning: 'secure messaging not supported' },
  /** The command does not fit the structure of the file (e.g. READ BINARY of a key). */
  INCOMPATIBLE_FILE: { sw: 0x6981, meaning: 'command incompatible with file structure' },
  SECURITY_NOT_SATISFIED: { sw: 0x6982, meaning: 'security status not satisfied' },
  AUTHENTICATION_BLOCKED: { sw: 0x6983, meaning: 'authentication method blocked' },
  /** Reference data not usable: on the My Number card, a PIN that is blocked or was never set. */
  REFERENCE_DATA_NOT_USABLE: { sw: 0x6984, meaning: 'reference data not usable' },
  CONDITIONS_NOT_SATISFIED: { sw: 0x6985, meaning: 'conditions of use not satisfied' },
  NO_CURRENT_EF: { sw: 0x6986, meaning: 'command not allowed (no current EF)' },
  WRONG_DATA: { sw: 0x6a80, meaning: 'incorrect parameters in the data field' },
  FUNCTION_NOT_SUPPORTED: { sw: 0x6a81, meaning: 'function not supported' },
  FILE_NOT_FOUND: { sw: 0x6a82, meaning: 'file or application not found' },
  WRONG_P1P2: { sw: 0x6a86, meaning: 'incorrect parameters P1-P2' },
  REFERENCE_NOT_FOUND: { sw: 0x6a88, meaning: 'referenced data not found' },
  /** READ BINARY at or beyond the end of the file (JICSAP 7.3.1). */
  OFFSET_OUT_OF_FILE: { sw: 0x6b00, meaning: 'wrong parameters (offset outside the EF)' },
  INS_NOT_SUPPORTED: { sw: 0x6d00, meaning: 'instruction not supported' },
  CLA_NOT_SUPPORTED: { sw: 0x6e00, meaning: 'class not supported' },
  NO_PRECISE_DIAGNOSIS: { sw: 0x6f00, meaning: 'no precise diagnosis' },
} as const;

export type StatusName = keyof typeof STATUS_TABLE;

/** The status words by name, e.g. `SW.FILE_NOT_FOUND` = `0x6A82`. */
export const SW = Object.fromEntries(Object.entries(STATUS_TABLE).map(([name, e]) => [name, e.sw])) as {
  readonly [K in StatusName]: (typeof STATUS_TABLE)[K]['sw'];
};

const byValue = new Map<number, StatusName>(
  (Object.keys(STATUS_TABLE) as StatusName[]).filter((n) => n !== 'VERIFY_FAILED').map((n) => [STATUS_TABLE[n].sw, n]),
);

/** What a status word means, as data the caller can switch on. */
export type StatusMeaning =
  | { kind: 'ok' }
  /** `61xx`: the response continues, `available` more bytes (GET RESPONSE). */
  | { kind: 'more-data'; available: number }
  /** `6Cxx`: wrong Le; send again with Le = `exactLength`. */
  | { kind: 'wrong-le'; exactLength: number }
  /** `63Cx`: verification failed, `triesLeft` tries left (0: this try exhausted them). */
  | { kind: 'verify-failed'; triesLeft: number }
  /** Another status word of the table. */
  | { kind: 'named'; name: Exclude<StatusName, 'OK' | 'VERIFY_FAILED'> }
  | { kind: 'unknown' };

/** SW2 `00` stands for 256 in the `61xx` and `6Cxx` families (ISO/IEC 7816-4 §5.1.3, table 5). */
function count(sw2: number): number {
  return sw2 === 0 ? 256 : sw2;
}

export function interpretStatus(sw: number): StatusMeaning {
  if (sw === SW.OK) return { kind: 'ok' };
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) return { kind: 'more-data', available: count(sw2) };
  if (sw1 === 0x6c) return { kind: 'wrong-le', exactLength: count(sw2) };
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return { kind: 'verify-failed', triesLeft: sw2 & 0x0f };
  const name = byValue.get(sw);
  if (name !== undefined && name !== 'OK' && name !== 'VERIFY_FAILED') return { kind: 'named', name };
  return { kind: 'unknown' };
}

/** Human name of a status word, for logs and error messages. */
export function statusWordName(sw: number): string {
  const m = interpretStatus(sw);
  switch (m.kind) {
    case 'ok':
      return STATUS_TABLE.OK.meaning;
    case 'more-data':
      return `${m.available} more bytes available`;
    case 'wrong-le':
      return `wrong Le, exact length ${m.exactLength}`;
    case 'verify-failed':
      return `verification failed, ${m.triesLeft} tries left`;
    case 'named':
      return STATUS_TABLE[m.name].meaning;
    case 'unknown':
      return 'unknown status';
  }
}

/** `9000` → `"9000"`: four upper-case hex digits. */
export function formatSw(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** `63Cx` with x tries left (clamped to 0–15, all SW2's low nibble can hold). */
export function triesLeftStatus(tries: number): number {
  return SW.VERIFY_FAILED | Math.max(0, Math.min(15, tries));
}
