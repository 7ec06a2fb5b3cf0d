/**
 * The contract between the emulated card's core (ATR, vpcd framing, SELECT by AID, faults) and
 * each card application it hosts (JPKI, 券面事項確認AP, 券面事項入力補助AP).
 *
 * The core selects an application by its AID (SELECT, P1=04) and then hands every other command to
 * the selected application until another SELECT by AID or a power cycle. Security state
 * (a verified PIN) lives in the application and ends at `reset()` (power off / card removal),
 * as on the real card.
 */
export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Lc bytes), empty when absent. */
  data: Buffer;
  /** Expected response length: undefined = no Le; 0 with `extended` = 65536, else 256. */
  le: number | undefined;
  /** True when the command used extended length encoding. */
  extended: boolean;
}

export interface ResponseApdu {
  data: Buffer;
  /** Status word, e.g. 0x9000, 0x63C2, 0x6983. */
  sw: number;
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
