/**
 * Everything that can happen to a reception session, as plain data (issue 4 §1). The service
 * wiring turns device callbacks (pcsclite, camera worker, backend client, HID touches, timers,
 * the reception terminal) into these events and feeds them to `step()`; the engine never does
 * I/O itself.
 */

/** The two readers: the card tray and the smartphone reader (SPEC §1 table, §3.2). */
export type ReaderSlot = 'card' | 'smartphone';

/**
 * Validity of the user-authentication certificate at the time of reading (SPEC §4; compute it
 * with `certificateStatusAt()` in `./certificate`). `expired` means past the grace period.
 */
export type CertificateStatus = 'valid' | 'expiring-soon' | 'grace' | 'expired';

/** What the card layer learned from reading the card (no personal data: flags and counts only). */
export interface CardReadInfo {
  certificateStatus: CertificateStatus;
  /** Certificate suspended/revoked (lost or stolen card, SPEC §4): unusable whatever its dates. */
  revoked: boolean;
  /**
   * The online revocation check could not be answered (backend down): the card may be revoked.
   * Treated as the seed treats a certificate in its grace period — qualification only, no
   * medical-information consent (seed 001 grace notice); the confirmation itself is checked
   * online again by the backend, which refuses a revoked certificate.
   */
  revocationUnknown?: boolean;
  /** false for a face-only card (顔認証マイナンバーカード, SPEC §3 step 3): no PIN method. */
  pinSet: boolean;
  /** Tries left on the user-authentication PIN (3 when fresh, 0 when locked). */
  pinTriesLeft: number;
  /** Registered for use as health-insurance card (健康保険証利用の申込み, seed 003). */
  registeredForInsurance: boolean;
  /** The card-face photo can be unlocked (card-face scan confident, 照合番号B tries left, §5.1). */
  cardFaceAvailable: boolean;
}

export type CardReadFailure = 'unreadable' | 'not-my-number-card' | 'removed' | 'reader-error' | 'broken-chip';

/** Face guidance the matcher can ask for (SPEC §3 step 4: one hint per real-counter cause). */
export type FaceHint =
  | 'remove-mask'
  | 'remove-cap'
  | 'come-closer'
  | 'move-back'
  | 'face-camera'
  | 'backlight'
  | 'glasses-glare'
  | 'hold-still'
  | 'hair-over-eyes'
  | 'adjust-height'
  /** The head-turn challenge (issue 14): the direction is random on every attempt. */
  | 'turn-left'
  | 'turn-right'
  /** The retry screen after a challenge that did not pass: the next attempt asks its own direction. */
  | 'follow-turn';

/**
 * The colour the whole panel shows for the colour-flash cue (issue 14, docs/face.md "Colour
 * flash"): the face attempt asks for it; the panel's light on the face is what the cue measures.
 */
export type FlashColour = 'red' | 'blue';

export type FaceOutcome =
  | 'match'
  | 'no-match'
  /** Liveness failed: printed photo or phone screen held up. */
  | 'spoof'
  | 'no-face'
  /** The card photo could not be obtained (scan not confident, 照合番号B protected, §5.1). */
  | 'card-photo-unavailable'
  /** SPEC §5.1: the card-face data does not match its issuer signature (altered data or photo, unknown issuer). */
  | 'card-data-forged'
  /** SPEC §5.1: the chip's own key does not match the signed data (files copied to another chip). */
  | 'card-data-cloned';

/**
 * `outcome-unknown`: the answer to a confirmation was lost (timeout, cut off, garbled) and the
 * backend could not be asked what it recorded for the session's idempotency key either — staff
 * must look at the reception computer before confirming again (issue 11: exactly one outcome).
 */
export type BackendFailureKind = 'timeout' | 'unavailable' | 'protocol' | 'tls' | 'outcome-unknown';

/** Consent categories of SPEC §6 (referral letters are handled as a list, not a yes/no). */
export type ConsentCategory = 'surgery' | 'clinical' | 'medication' | 'checkup';

export type ConsentAnswers = Partial<Record<ConsentCategory, boolean>>;

export interface ReferralLetter {
  /** Backend id of the letter (opaque, not personal). */
  id: string;
  /** Issue date as drawn: `X/X` (month/day). */
  issuedOn: string;
  /** Issuing facility, e.g. `○○病院`. */
  issuer: string;
  /** Department, e.g. `△△科`. */
  department: string;
}

export type QualificationStatus = 'qualified' | 'invalid' | 'no-record';

/** What the eligibility backend (OQS) answered to the qualification query (SPEC §7). */
export interface QualificationResult {
  status: QualificationStatus;
  /** Shown on the done screen only (SPEC §3 step 8); wiped with the session. */
  patientName: string;
  /** Consent from the last visit to this facility or Mynaportal settings (SPEC §6 step 1). */
  previousConsent?: ConsentAnswers;
  /** Letters for this facility not yet consented at the consultation (SPEC §6 step 4). */
  referralLetters: ReferralLetter[];
}

export type SessionEvent =
  /** The service started (or the panel reconnected): draw the current screen and LEDs again. */
  | { type: 'start' }
  | { type: 'card-inserted'; slot: ReaderSlot }
  | { type: 'card-removed'; slot: ReaderSlot }
  /** A card on the reader that does not answer reset: it will never be read (a mute card). */
  | { type: 'card-unresponsive'; slot: ReaderSlot }
  | { type: 'card-read'; slot: ReaderSlot; card: CardReadInfo }
  /** The card (or phone) could not be read — or, for the iPhone, left before it signed the query. */
  | { type: 'card-read-failed'; slot: ReaderSlot; reason: CardReadFailure }
  /** A touch on a panel button; ids are the stable ids of `./screen` (`BUTTON`, keys, letters). */
  | { type: 'button'; id: string }
  /** A key of the PIN / passcode pad (also reachable as buttons `key.0`…`key.9`). */
  | { type: 'pin-digit'; digit: number }
  | { type: 'pin-verified' }
  | { type: 'pin-wrong'; triesLeft: number }
  | { type: 'pin-locked' }
  /** The card (or phone) stopped answering while its PIN was checked (no answer on the PIN itself). */
  | { type: 'pin-check-failed'; slot: ReaderSlot; reason: CardReadFailure }
  | { type: 'face-result'; outcome: FaceOutcome; hint?: FaceHint }
  /** A hint in the middle of a face attempt (issue 14): shown at once, the attempt goes on. */
  | { type: 'face-hint'; hint: FaceHint }
  /** The face attempt's colour flash (issue 14): the panel lit red or blue, or back (`colour` absent). */
  | { type: 'face-flash'; colour?: FlashColour }
  | { type: 'camera-failed' }
  | { type: 'backend-result'; result: QualificationResult }
  | { type: 'backend-failed'; kind: BackendFailureKind }
  | { type: 'insurance-registered' }
  | { type: 'consent-registered' }
  | { type: 'timer-fired'; timerId: string }
  /**
   * The reception terminal's 目視確認 mode switch (SPEC §3.1 last sentence, seed 000 p.27): on
   * until the terminal turns it off; it never changes a session already in progress.
   */
  | { type: 'terminal-visual-mode'; on: boolean }
  /** Staff ticked 「目視で本人確認完了」 on the reception terminal (seed 000 p.27) for the patient at the reader. */
  | { type: 'terminal-visual-confirmed' }
  /** A card reader (or pcscd behind it) went away or came back (issue 11 item 7). */
  | { type: 'reader-availability'; slot: ReaderSlot; available: boolean }
  /** The eligibility backend's breaker opened (unreachable) or closed again (issue 11 item 4). */
  | { type: 'backend-availability'; available: boolean }
  /** Answer to a `check-staff-passcode` effect (scrypt runs outside the engine). */
  | { type: 'staff-passcode-result'; ok: boolean }
  /** The presence sensor under the card tray (hardware/pin-map.json `presenceSensor`) changed. */
  | { type: 'presence'; active: boolean };

export type SessionEventType = SessionEvent['type'];
