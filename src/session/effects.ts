/**
 * What the engine asks the outside world to do (issue 4 §1). The service wiring executes effects
 * in order and feeds their outcomes back as events. Effects carrying a secret (`verify-pin`,
 * `check-staff-passcode`) must never be logged as a whole: use `describeEffect()`.
 */
import type { Secret } from '../log/secret';
import type { ScreenRequest } from './screen';
import type { StaffGuidance } from './staff-guidance';
import type { BackendFailureKind, CardReadFailure, ConsentAnswers, QualificationStatus, ReaderSlot } from './events';

/** How the patient's identity was confirmed (SPEC §7, §9 counters). */
export type IdentityMethod = 'face' | 'pin' | 'visual' | 'smartphone';

export type BeepPattern = 'touch' | 'success' | 'error' | 'reminder';
export type LedPattern = 'off' | 'idle' | 'busy' | 'success' | 'error' | 'reminder';

/** Why a session ended at the counter instead of with a qualification (SPEC §8). */
export type FailureCause =
  | { kind: 'backend'; detail: BackendFailureKind }
  | { kind: 'card-read'; detail: CardReadFailure }
  | { kind: 'camera' }
  | { kind: 'certificate-revoked' }
  | { kind: 'certificate-expired' }
  /** `slot`: a phone's PIN locks on the phone (スマホ用電子証明書), not on the card. */
  | { kind: 'pin-locked'; slot: ReaderSlot }
  /** Face authentication could not be done (no match, no photo, no camera) and the patient gave up. */
  | { kind: 'face-impossible' }
  /** The card-face data failed its checks (SPEC §5.1): altered data (`forged`) or files copied to another chip (`cloned`). */
  | { kind: 'card-data-refused'; detail: 'forged' | 'cloned' }
  | { kind: 'qualification'; detail: Exclude<QualificationStatus, 'qualified'> }
  /** The first-time registration (seed 003) was sent but failed. */
  | { kind: 'insurance-registration' }
  /** The patient chose 申し込まない (seed 003): the card cannot serve as マイナ保険証 today. */
  | { kind: 'registration-declined' }
  /** The qualification was recorded but the consents after it were not (or not known to be). */
  | { kind: 'consent-registration'; detail: BackendFailureKind };

/** How consent was given (SPEC §6 steps 1–3). */
export type ConsentMode = 'inherited' | 'comprehensive' | 'individual' | 'not-asked';

/** Consents as sent to the backend (SPEC §6 step 7), bound to this facility by the backend client. */
export interface ConsentRecord {
  mode?: ConsentMode;
  categories: ConsentAnswers;
  referralLetterIds: string[];
  /** 限度額情報: provided without a screen since 2024-10-07 unless the legacy screen is on. */
  limitInfo: boolean;
}

/** One line per session for the SPEC §7/§9 counters; no personal data. */
export interface SessionOutcome {
  method: IdentityMethod | 'none';
  status: QualificationStatus | 'not-confirmed';
  consented: boolean;
  notices: ('expiring-soon' | 'grace')[];
  /**
   * Kind ② (居宅同意取得型, seed 001): consent taken before identity, started by staff. Medical
   * information so obtained is viewable until the day after the consultation (seed 001:
   * 「診療/薬剤情報等の照会可能期間は、診療日の翌日までとする」).
   */
  kind?: 'home-consent';
  viewingLimit?: 'day-after-visit';
  error?: FailureCause;
  /** SPEC §8: what staff are told (`./staff-guidance`), on every record with a counter cause. */
  guidance?: StaffGuidance;
  /** Smartphone sessions: Android and iPhone are counted apart (seed 000 statistics, issue 16 item 7). */
  platform?: 'android' | 'iphone';
  /** The medical information the facility acquires by the consents given (SPEC §9: 薬剤 / 診療 / 特定健診). */
  acquired?: ConsentAnswers;
  /** A session that ended before a result: the patient quit, the screen timed out, or the card left. */
  ended?: 'quit' | 'timeout' | 'removed';
}

export type SessionEffect =
  | { type: 'read-card'; slot: ReaderSlot }
  /** The PIN as a Secret: it stringifies as `[redacted]` all the way to the card adapter (issue 11 item 9). */
  | { type: 'verify-pin'; slot: ReaderSlot; pin: Secret<string> }
  | { type: 'start-camera' }
  | { type: 'stop-camera' }
  | { type: 'start-face-match' }
  | { type: 'query-backend'; slot: ReaderSlot; method: IdentityMethod; visualTrigger?: 'panel' | 'terminal'; consentFirst?: ConsentRecord }
  /** `update: 'limit-info'`: the legacy limit screen answered after done adds 限度額情報 (a new registration). */
  | { type: 'register-consent'; consent: ConsentRecord; update?: 'limit-info' }
  | { type: 'register-insurance-use' }
  | { type: 'check-staff-passcode'; passcode: Secret<string> }
  /** Draw this screen (the UI renders the request; the engine never holds a word of Japanese). */
  | { type: 'show'; screen: ScreenRequest }
  | { type: 'start-timer'; id: string; ms: number }
  | { type: 'cancel-timer'; id: string }
  | { type: 'beep'; pattern: BeepPattern }
  | { type: 'set-leds'; pattern: LedPattern }
  /** Drop everything read from the card or typed by the patient (SPEC §5 last paragraph). */
  | { type: 'wipe' }
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; event: string; detail?: Record<string, string | number | boolean> }
  | { type: 'record-result'; outcome: SessionOutcome }
  /**
   * The patient pressed 職員を呼ぶ (issue 16): the service sounds the call signal and posts a
   * notice to the reception terminal (id and time only). The session goes on untouched.
   */
  | { type: 'call-staff'; phase: string };

export type SessionEffectType = SessionEffect['type'];

/** A log-safe one-line description of an effect: secrets and screens are reduced to shapes. */
export function describeEffect(effect: SessionEffect): string {
  switch (effect.type) {
    case 'verify-pin':
      return `verify-pin slot=${effect.slot} digits=${effect.pin.reveal().length}`;
    case 'check-staff-passcode':
      return `check-staff-passcode digits=${effect.passcode.reveal().length}`;
    case 'show':
      return `show ${effect.screen.kind}`;
    case 'read-card':
      return `read-card slot=${effect.slot}`;
    case 'query-backend':
      return `query-backend slot=${effect.slot} method=${effect.method}${effect.consentFirst ? ' consent-first' : ''}`;
    case 'start-timer':
      return `start-timer ${effect.id} ${effect.ms}ms`;
    case 'cancel-timer':
      return `cancel-timer ${effect.id}`;
    case 'beep':
    case 'set-leds':
      return `${effect.type} ${effect.pattern}`;
    case 'log':
      return `log ${effect.event}`;
    case 'call-staff':
      return `call-staff phase=${effect.phase}`;
    case 'record-result':
      return `record-result method=${effect.outcome.method} status=${effect.outcome.status}`;
    case 'register-consent':
      return `register-consent letters=${effect.consent.referralLetterIds.length}`;
    case 'start-camera':
    case 'stop-camera':
    case 'start-face-match':
    case 'register-insurance-use':
    case 'wipe':
      return effect.type;
    default: {
      const never: never = effect;
      return String(never);
    }
  }
}
