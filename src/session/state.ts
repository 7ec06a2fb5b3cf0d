/**
 * The session state: which screen (`phase`), the personal data of the current patient (`data`,
 * wiped on removal/timeout — SPEC §5 last paragraph) and the device-level memory that must
 * outlive a patient (`device`: card presence, staff passcode rate limit, the terminal's 目視確認
 * mode switch). Plain JSON-able data so tests can assert that nothing personal survives a wipe.
 */
import type { FacilityConfig } from '../config/schema';
import type { ConsentMode, FailureCause, IdentityMethod } from './effects';
import type {
  CardReadInfo,
  ConsentAnswers,
  ConsentCategory,
  FaceHint,
  FlashColour,
  QualificationResult,
  QualificationStatus,
  ReaderSlot,
} from './events';

/** Where a staff detour returns when staff press 中止. */
export type StaffReturn = 'idle' | 'method' | 'face-failed' | 'auth-select';

export type Phase =
  | { name: 'idle' }
  | { name: 'reading'; slot: ReaderSlot }
  /** SPEC §3 step 2: the certificate is revoked or past its grace period; stop. */
  | { name: 'certificate-unusable' }
  /** seed 003: 健康保険証利用の申込み (初回登録) offered before going on. */
  | { name: 'registration-offer' }
  | { name: 'registering' }
  /** seed 003: the registration is confirmed to the patient before the flow goes on. */
  | { name: 'registration-done' }
  | { name: 'method' }
  /** Kind ③ (seed 004): 認証選択 — staff choose A 目視確認 or B the patient's PIN. */
  | { name: 'auth-select' }
  /** `flash`: the panel lit in one colour for the colour-flash cue while the attempt asks for it (issue 14). */
  | { name: 'face'; attempt: number; hint?: FaceHint; flash?: FlashColour }
  | { name: 'face-failed'; reason: 'no-match' | 'camera' | 'card-photo' }
  | { name: 'pin'; digits: string; purpose: ReaderSlot; wrong?: boolean }
  | { name: 'pin-checking'; purpose: ReaderSlot }
  | { name: 'pin-locked' }
  | { name: 'staff-passcode'; digits: string; returnTo: StaffReturn; hint?: 'wrong' | 'wait' }
  | { name: 'staff-checking'; returnTo: StaffReturn }
  | { name: 'staff-locked'; returnTo: StaffReturn }
  | { name: 'staff-confirm'; returnTo: StaffReturn }
  /** Staff confirmed the visual check before the card was placed (SPEC §3.1 revised flow). */
  | { name: 'staff-place-card' }
  /** The terminal's 目視確認 mode: the card was read, staff confirm 「目視で本人確認完了」 on the terminal. */
  | { name: 'terminal-visual-wait' }
  | { name: 'phone-choice' }
  | { name: 'phone-hold'; kind: 'android' | 'iphone'; retry?: boolean }
  | { name: 'notice'; notice: 'expiring-soon' | 'grace' }
  | { name: 'querying' }
  /** Seed 000: 過去の医療情報等の提供に同意しますか。 — inherit, choose again, or look first. */
  | { name: 'consent-inherit' }
  /** Seed 000: the 事前・前回の同意状況 list, 戻る back to the question. */
  | { name: 'consent-previous' }
  | { name: 'consent-method' }
  | { name: 'consent-item'; category: ConsentCategory }
  | { name: 'referral'; page: number }
  | { name: 'limit' }
  | { name: 'registering-consent' }
  | { name: 'done' }
  | { name: 'not-qualified'; status: Exclude<QualificationStatus, 'qualified'> }
  /** Patient sent to the reception counter; staff get the SPEC §8 fallback. */
  | { name: 'counter'; cause: FailureCause }
  /** Data wiped (timeout, impossible transition, card left behind) but the card is still there. */
  | { name: 'remove-card'; reminders: number; timedOut: boolean };

export type PhaseName = Phase['name'];

/** Everything personal about the current patient; replaced by `emptySessionData()` on wipe. */
export interface SessionData {
  slot: ReaderSlot | null;
  card: CardReadInfo | null;
  identity: IdentityMethod | null;
  /** Android: PIN typed on the panel before the phone is held (SPEC §3.2). */
  pendingPin: string | null;
  /** Smartphone kind chosen on the panel. */
  phoneKind: 'android' | 'iphone' | null;
  wantsInsuranceRegistration: boolean;
  faceAttempts: number;
  cameraFailed: boolean;
  /** Staff passed the passcode in this session (no second passcode for the same patient). */
  staffAuthenticated: boolean;
  /** Staff confirmed 目視確認 before the card was placed. */
  visualArmed: boolean;
  /** Where the visual check came from: the staff button on the panel, or the reception terminal's switch. */
  visualTrigger: 'panel' | 'terminal' | null;
  /** Kind ② ordering (SPEC §2): consents collected before identity, staff-initiated. */
  consentFirst: boolean;
  consentCollected: boolean;
  /** `mode`: how the categories were answered (SPEC §6: inherited, 全て同意する, or one by one). */
  consent: { categories: ConsentAnswers; referralLetterIds: string[]; limitInfo: boolean; mode?: ConsentMode };
  qualification: QualificationResult | null;
  notices: ('expiring-soon' | 'grace')[];
  /** The legacy limit screen was answered from the done screen (seed 000 現行). */
  limitAnswered: boolean;
  /** A `record-result` was emitted for this session (one record per session, SPEC §7). */
  recorded: boolean;
  /** What became of the consents registered after the result (issue 11: the panel says which). */
  consentRegistration: 'registered' | 'not-registered' | 'unknown' | null;
}

/** Device-level memory that survives the end of a session (never personal). */
export interface DeviceState {
  cardPresent: boolean;
  phonePresent: boolean;
  /** SPEC §3.1: wrong staff passcodes are rate-limited and locked out. */
  staffFailures: number;
  staffNextAttemptAt: number;
  staffLockedUntil: number;
  /** Lockouts since the last correct passcode: each one doubles the period, capped at 24 h (issue 11 item 5). */
  staffLockoutLevel: number;
  /** The reception terminal's 目視確認 mode switch: on until the terminal turns it off (seed 000). */
  terminalVisualMode: boolean;
  /**
   * Staff ticked 「目視で本人確認完了」 on the terminal before the card was placed (seed 000 p.27
   * order: confirm, then place the card). Used by the next card read, then cleared; not personal.
   */
  terminalVisualConfirmed: boolean;
  /** The card reader (and pcscd behind it) is there; false → the panel says it is being prepared. */
  readerAvailable: boolean;
  /** The eligibility backend's breaker is not open; false → the idle screen says it is unreachable. */
  backendAvailable: boolean;
  /** The presence sensor sees someone at the reader: the idle screen wakes (issue 16). Not personal. */
  presence: boolean;
  timerSeq: number;
}

export interface SessionState {
  /** The facility configuration (not personal; carried so `step()` needs nothing else). */
  readonly config: FacilityConfig;
  phase: Phase;
  data: SessionData;
  device: DeviceState;
  /** The one screen timer that runs, if any; `deadline` in ms of the `now` clock. */
  timer: { id: string; deadline: number } | null;
}

export function emptySessionData(): SessionData {
  return {
    slot: null,
    card: null,
    identity: null,
    pendingPin: null,
    phoneKind: null,
    wantsInsuranceRegistration: false,
    faceAttempts: 0,
    cameraFailed: false,
    staffAuthenticated: false,
    visualArmed: false,
    visualTrigger: null,
    consentFirst: false,
    consentCollected: false,
    consent: { categories: {}, referralLetterIds: [], limitInfo: true },
    qualification: null,
    notices: [],
    limitAnswered: false,
    recorded: false,
    consentRegistration: null,
  };
}

export function initialDeviceState(): DeviceState {
  return {
    cardPresent: false,
    phonePresent: false,
    staffFailures: 0,
    staffNextAttemptAt: 0,
    staffLockedUntil: 0,
    staffLockoutLevel: 0,
    terminalVisualMode: false,
    terminalVisualConfirmed: false,
    readerAvailable: true,
    backendAvailable: true,
    presence: false,
    timerSeq: 0,
  };
}
