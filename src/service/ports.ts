/**
 * What the reader service needs from the outside world, as small ports. The session engine
 * decides; the service executes the engine's effects through these ports; adapters in
 * `src/service/adapters/` implement them over the real drivers (pcsclite card client, backend
 * client, face worker) and the rig implements them over simulations. Expected failures come back
 * as values (a wrong PIN is not an exception); only bugs throw.
 */
import type {
  BackendFailureKind,
  CardReadFailure,
  CardReadInfo,
  FaceHint,
  FaceOutcome,
  FlashColour,
  QualificationResult,
  ReaderSlot,
} from '../session/events';
import type { ConsentRecord, IdentityMethod } from '../session/effects';
import type { Secret } from '../log/secret';

export type CardReadOutcome = { ok: true; card: CardReadInfo } | { ok: false; reason: CardReadFailure };

export type PinOutcome =
  | { kind: 'verified' }
  | { kind: 'wrong'; triesLeft: number }
  | { kind: 'locked' }
  | { kind: 'failed'; reason: CardReadFailure }
  /** The backend could not give the nonce the card must sign: nothing was asked of the card. */
  | { kind: 'backend-failed'; failure: BackendFailureKind };

/** A card (or phone) placed or taken away, or a reader (or pcscd behind it) gone or back (issue 11 item 7). */
export interface CardPresenceEvent {
  /** `unresponsive`: a card is on the reader but does not answer reset (it can never be read). */
  type: 'inserted' | 'unresponsive' | 'removed' | 'reader-available' | 'reader-unavailable';
  slot: ReaderSlot;
}

/** The card on a reader slot, for one patient at a time. Holds what it read until `wipe()`. */
export interface CardPort {
  onPresence(listener: (e: CardPresenceEvent) => void): () => void;
  read(slot: ReaderSlot): Promise<CardReadOutcome>;
  verifyPin(slot: ReaderSlot, pin: Secret<string>): Promise<PinOutcome>;
  /** Drop the certificate and everything else read from the card (SPEC §5). */
  wipe(): void;
}

export type QueryOutcome =
  | { ok: true; result: QualificationResult }
  | { ok: false; kind: BackendFailureKind }
  /** iPhone: the phone left the reader while it was to sign; nothing was sent (SPEC §3.2). */
  | { ok: false; kind: 'phone-removed' };
export type CallOutcome = { ok: true } | { ok: false; kind: BackendFailureKind };

export interface QualificationQuery {
  slot: ReaderSlot;
  method: IdentityMethod;
  /** For a visual check: the panel's staff button or the reception terminal's switch (SPEC §3.1). */
  visualTrigger?: 'panel' | 'terminal';
  consentFirst?: ConsentRecord;
}

/** The eligibility backend as the flow sees it (issue 3). Holds the proof material until `wipe()`. */
export interface QualificationPort {
  query(q: QualificationQuery): Promise<QueryOutcome>;
  /** `update: 'limit-info'`: a second registration for the same reception (its own idempotency key). */
  registerConsent(consent: ConsentRecord, update?: 'limit-info'): Promise<CallOutcome>;
  registerInsuranceUse(): Promise<CallOutcome>;
  /** Whether the backend is reachable (circuit breaker not open); the LEDs and the panel show it. */
  available(): boolean;
  /** Called whenever `available()` changes (breaker opened, or a probe succeeded). */
  onAvailabilityChange?(listener: (available: boolean) => void): () => void;
  wipe(): void;
}

/** `cameraFailed`: the camera died during the attempt (the flow falls back to PIN / staff). */
export type FaceMatchOutcome = { outcome: FaceOutcome; hint?: FaceHint; score?: number; cameraFailed?: boolean };

/**
 * The panel as the colour-flash cue sees it (issue 14): `flash(colour)` lights the whole panel and
 * resolves once it is lit; `flash(undefined)` gives the screen back. It rejects with
 * `FlashNotShownError` when the panel did not take the colour (the attempt was abandoned, the flow
 * left the face screen): frames taken then were not lit by it and must not be judged.
 */
export interface FaceFlashPanel {
  flash(colour: FlashColour | undefined): Promise<void>;
}

export class FlashNotShownError extends Error {
  override readonly name = 'FlashNotShownError';
  constructor(readonly colour: FlashColour) {
    super(`the panel did not show the ${colour} flash`);
  }
}

/** Camera + card-photo unlock + matcher (issue 5, issue 7). */
export interface FacePort {
  startCamera(): Promise<{ ok: boolean }>;
  stopCamera(): Promise<void>;
  /**
   * One attempt: card photo (via the card-face scan) against live frames, with liveness.
   * `onHint` hears each hint the moment the burst asks for it (issue 14: the burst guides the
   * patient instead of rejecting; the head-turn challenge asks for its turn mid-attempt).
   */
  match(onHint?: (hint: FaceHint) => void, panel?: FaceFlashPanel): Promise<FaceMatchOutcome>;
  wipe(): void;
}

export interface StaffPasscodePort {
  check(passcode: Secret<string>): Promise<boolean>;
}
