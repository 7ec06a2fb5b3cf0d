/**
 * What the engine asks the panel to show, as data only (issue 12 item 2): the kind of screen, the
 * parameters its wording needs and the ids of the buttons it offers. The UI (`src/ui/text/screens.ts`)
 * turns a `ScreenRequest` into the Japanese `PanelView`; nothing here knows a word of it, so a
 * rewording in the catalogue can never change what the engine does or what its tests assert.
 */
import type { FailureCause } from './effects';
import type { ConsentAnswers, ConsentCategory, FaceHint, FlashColour, QualificationStatus, ReaderSlot, ReferralLetter } from './events';

/** Stable ids of the panel buttons; the engine receives them back in `{type: 'button', id}`. */
export const BUTTON = {
  phoneStart: 'phone.start',
  staffStart: 'staff.start',
  registrationApply: 'registration.apply',
  registrationDecline: 'registration.decline',
  methodFace: 'method.face',
  methodPin: 'method.pin',
  methodQuit: 'method.quit',
  authVisual: 'auth.visual',
  authPin: 'auth.pin',
  faceCancel: 'face.cancel',
  pinCancel: 'pin.cancel',
  keyBack: 'key.back',
  staffAbort: 'staff.abort',
  staffVisual: 'staff.visual',
  staffConsentFirst: 'staff.consent-first',
  phoneAndroid: 'phone.android',
  phoneIphone: 'phone.iphone',
  phoneCancel: 'phone.cancel',
  noticeNext: 'notice.next',
  consentInherit: 'consent.inherit',
  consentReselect: 'consent.reselect',
  consentBack: 'consent.back',
  consentViewPrevious: 'consent.view-previous',
  consentAll: 'consent.all',
  consentIndividual: 'consent.individual',
  consentAgree: 'consent.agree',
  consentDecline: 'consent.decline',
  referralNextPage: 'referral.next-page',
  referralPrevPage: 'referral.prev-page',
  referralSubmit: 'referral.submit',
  limitProvide: 'limit.provide',
  limitDecline: 'limit.decline',
  limitOpen: 'limit.open',
  /** 職員を呼ぶ: any patient may press it; it never interrupts the session (issue 16, a real counter's need). */
  callStaff: 'staff.call',
} as const;

export type NamedButtonId = (typeof BUTTON)[keyof typeof BUTTON];
/** `key.0` … `key.9`: the PIN / passcode pad. */
export type KeyButtonId = `key.${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;
/** `referral.letter.<n>`: toggles the n-th letter (0-based over all pages). */
export type ReferralButtonId = `referral.letter.${number}`;
export type ButtonId = NamedButtonId | KeyButtonId | ReferralButtonId;

export const keyButtonId = (digit: number): KeyButtonId => `key.${digit}` as KeyButtonId;
export const referralButtonId = (index: number): ReferralButtonId => `referral.letter.${index}`;

/** The ten keys of the pad (the UI decides how they are laid out). */
export const KEYPAD: readonly KeyButtonId[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(keyButtonId);

/** Digits of the card PIN (利用者証明用電子証明書, SPEC §3 step 5) and of the staff passcode (§3.1). */
export const PIN_LENGTH = 4;

/** What a busy screen is waiting for. */
export type BusyKind = 'card' | 'pin' | 'staff' | 'backend' | 'registration' | 'consent';

/** A screen's kind and the parameters its wording needs (the buttons come with the request). */
export type ScreenContent =
  /** `awake`: the presence sensor sees someone at the reader (issue 16): the card prompt is drawn large. */
  | { kind: 'idle'; visualMode: boolean; readerAvailable: boolean; backendAvailable: boolean; awake?: boolean }
  | { kind: 'busy'; busy: BusyKind }
  /** SPEC §3 step 2: the certificate is revoked or past its grace period; the session stops. */
  | { kind: 'certificate-unusable' }
  | { kind: 'registration-offer' }
  | { kind: 'registration-done' }
  /** `noPin`: why no PIN button is offered (a face-only card, or its PIN locked). */
  | { kind: 'method'; noPin?: 'not-set' | 'locked' }
  /** Kind ③ (seed 004): 認証選択, for staff. */
  | { kind: 'auth-select'; noPin?: 'not-set' | 'locked' }
  | { kind: 'face'; hint?: FaceHint; flash?: FlashColour }
  | { kind: 'face-failed'; reason: 'no-match' | 'camera' | 'card-photo' }
  | { kind: 'pin'; typed: number; length: number; triesLeft: number; wrong: boolean }
  | { kind: 'pin-locked'; slot: ReaderSlot }
  | { kind: 'staff-passcode'; typed: number; length: number; hint?: 'wrong' | 'wait' }
  | { kind: 'staff-locked' }
  | { kind: 'staff-confirm' }
  | { kind: 'staff-place-card' }
  | { kind: 'terminal-visual-wait' }
  | { kind: 'phone-choice' }
  | { kind: 'phone-hold'; phone: 'android' | 'iphone'; retry: boolean }
  | { kind: 'notice'; notice: 'expiring-soon' | 'grace' }
  | { kind: 'consent-inherit' }
  | { kind: 'consent-previous'; previous: ConsentAnswers; categories: ConsentCategory[] }
  | { kind: 'consent-method'; categories: ConsentCategory[] }
  | { kind: 'consent-item'; category: ConsentCategory }
  | { kind: 'referral'; letters: { index: number; letter: ReferralLetter; selected: boolean }[]; page: number; pageCount: number }
  | { kind: 'limit' }
  /** `staffResult`: kind ③ — the 資格確認結果 is for staff (seed 004). */
  | { kind: 'done'; patientName: string; slot: ReaderSlot; consentNotice?: 'not-registered' | 'unknown'; qualificationOnly?: boolean; staffResult?: boolean }
  | { kind: 'not-qualified'; status: Exclude<QualificationStatus, 'qualified'> }
  | { kind: 'counter'; cause: FailureCause['kind']; outcomeUnknown?: boolean }
  | { kind: 'remove-card'; reminder: boolean; timedOut: boolean };

export type ScreenKind = ScreenContent['kind'];

/**
 * One `show` effect's screen: its content, the buttons offered (in the order the seeds draw them;
 * a touch on any other id is stale and ignored) and the countdown where a person must act.
 */
export type ScreenRequest = ScreenContent & {
  buttons: readonly ButtonId[];
  /** Seconds left before the screen times out (SPEC §3: visible timeouts); absent where none is drawn. */
  countdownSeconds?: number;
};
