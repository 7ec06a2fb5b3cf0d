/**
 * What the touch panel shows, as plain data: the session engine decides *which* screen, the text
 * catalogue (`src/ui/text/ja.ts`) turns it into a `PanelView`, and the panel driver (blessed in a
 * terminal, the rig's `fcr rig screen`) only draws it. Keeping this a plain value lets tests assert
 * the exact Japanese wording without a terminal.
 */
export interface PanelButton {
  /** Stable id the engine receives when it is touched, e.g. `face`, `pin`, `quit`, `consent-all`. */
  id: string;
  /** Text on the button (from the catalogue), e.g. `顔認証を行う`. */
  label: string;
  /**
   * Visual weight: primary buttons are drawn larger (SPEC §3: large buttons); `key` is a key of the
   * PIN / passcode pad, laid out three to a row as on a phone (seed 001's pad).
   */
  kind?: 'primary' | 'secondary' | 'small' | 'key';
}

export interface PanelView {
  /** Screen id, for logs and tests (never personal data). */
  screenId: string;
  /** Facility name shown on top of every screen (SPEC §3). */
  facilityName: string;
  /** Optional heading, e.g. `同意情報の引き継ぎ`. */
  title?: string;
  /** Body lines in display order (may contain the patient's name on the done screen only). */
  lines: string[];
  buttons: PanelButton[];
  /** Seconds left before this screen times out, when a timeout runs (drawn as a countdown). */
  countdownSeconds?: number;
  /** PIN / passcode entry: how many digits typed so far (drawn as dots only) and the length. */
  secretEntry?: { typed: number; length: number; triesLeft?: number };
  /** Paging indicator, e.g. referral letters `1/3`. */
  page?: { index: number; count: number };
  /** Hint shown prominently (face guidance `もう少し近づいてください`, errors). */
  hint?: string;
  /**
   * The whole panel lit in one full colour (issue 14, the colour-flash cue): its light on the
   * patient's face is what the camera measures, so the driver fills every cell with it and keeps
   * the text and buttons drawn on top.
   */
  fill?: 'red' | 'blue';
}
