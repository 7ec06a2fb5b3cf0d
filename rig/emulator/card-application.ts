/**
 * The contract between the emulated card's core (ATR, vpcd framing, SELECT by AID, faults) and
 * each card application it hosts (JPKI, 券面事項確認AP, 券面事項入力補助AP).
 *
 * The core selects an application by its AID (SELECT, P1=04) and then hands every other command to
 * the selected application until another SELECT by AID or a power cycle. Security state
 * (a verified PIN) lives in the application and ends at `reset()` (power off / card removal),
 * as on the real card.
 */
/** The command and response types are ISO/IEC 7816's (one codec for reader and card: src/iso7816). */
import type { CommandApdu, ResponseApdu } from '../../src/iso7816';

export type { CommandApdu, ResponseApdu } from '../../src/iso7816';

/** A response with no data, or with `data`. */
export function status(sw: number, data: Buffer = Buffer.alloc(0)): ResponseApdu {
  return { sw, data };
}

export interface CardApplication {
  /** Application identifier (DF name) selected with SELECT P1=04. */
  readonly aid: Buffer;
  /** Short name for logs and traces, e.g. `jpki`. */
  readonly name: string;
  /** Handles a command while this application is selected. */
  handle(command: CommandApdu): ResponseApdu;
  /** Power off / removal: drop security state (verified PINs) and the current EF. */
  reset(): void;
}
