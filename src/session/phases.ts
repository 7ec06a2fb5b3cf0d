/**
 * THE table of phases: for every screen the session can be on, which configured timeout runs, whether
 * a countdown is drawn, the LEDs, whether it is resting (nothing awaited from a device, so a late
 * answer is dropped rather than treated as impossible), the screen request it shows and what its
 * timeout does. Adding a phase without a row does not compile.
 */
import type { FacilityConfig } from '../config/schema';
import type { LedPattern } from './effects';
import { acquiredCategories, consentFirstAllowed, effectivePrevious, legacyLimitOffered } from './consent';
import { faceFailed } from './face';
import { faceAllowed, phoneGone, pinAllowed } from './flow';
import { BUTTON, KEYPAD, referralButtonId, PIN_LENGTH, type ButtonId, type BusyKind, type ScreenRequest } from './screen';
import { staffReturn } from './staff';
import type { Phase, PhaseName, SessionState } from './state';
import type { Step } from './step';

type TimeoutKey = keyof FacilityConfig['timeouts'];
type PhaseOf<N extends PhaseName> = Extract<Phase, { name: N }>;

export interface PhaseSpec<P extends Phase = Phase> {
  /** The configured timeout of this screen (a function where it depends on the session), or none. */
  timeout: TimeoutKey | ((state: SessionState) => TimeoutKey) | null;
  /** A person is expected to act here: the remaining seconds are drawn (SPEC §3). */
  countdown: boolean;
  led: LedPattern;
  /** Nothing is awaited from a device: late device answers are dropped. */
  resting: boolean;
  /** The screen request (without its countdown) for this phase of `state`. */
  screen(state: SessionState, phase: P): ScreenRequest;
  /** The screen timer fired (the timer is known to be this phase's own). */
  onTimeout(t: Step, phase: P): void;
}

/** A screen where the patient or staff must act: `screenMs`, a countdown, back to the start on timeout. */
function waiting<N extends PhaseName>(screen: PhaseSpec<PhaseOf<N>>['screen'], timeout: TimeoutKey = 'screenMs'): PhaseSpec<PhaseOf<N>> {
  return { timeout, countdown: true, led: 'idle', resting: false, screen, onTimeout: (t) => t.endSession('timeout') };
}

/** A screen waiting for a device or the backend: busy LEDs, no countdown, its own timeout. */
function busy<N extends PhaseName>(kind: BusyKind, timeout: TimeoutKey, onTimeout: PhaseSpec<PhaseOf<N>>['onTimeout']): PhaseSpec<PhaseOf<N>> {
  return { timeout, countdown: false, led: 'busy', resting: false, screen: () => ({ kind: 'busy', busy: kind, buttons: [] }), onTimeout };
}

/** A screen that ends the session: error LEDs, the counter (or phone-gone) time, then the end. */
function stop<N extends PhaseName>(screen: PhaseSpec<PhaseOf<N>>['screen']): PhaseSpec<PhaseOf<N>> {
  return {
    timeout: (state) => (phoneGone(state) ? 'phoneGoneMs' : 'counterMs'),
    countdown: false,
    led: 'error',
    resting: true,
    screen,
    onTimeout: (t) => t.endSession('done'),
  };
}

/** Why the PIN is not offered for this card (the screen says it, issue 16 bug). */
function noPin(state: SessionState): { noPin?: 'not-set' | 'locked' } {
  const card = state.data.card;
  if (!card || pinAllowed(state)) return {};
  return { noPin: card.pinSet ? 'locked' : 'not-set' };
}

const backendTimeout = (t: Step) => t.toCounter({ kind: 'backend', detail: 'timeout' });

export const PHASES: { readonly [N in PhaseName]: PhaseSpec<PhaseOf<N>> } = {
  idle: {
    timeout: null,
    countdown: false,
    led: 'idle',
    resting: true,
    screen: ({ device, config }) => ({
      kind: 'idle',
      visualMode: device.terminalVisualMode,
      readerAvailable: device.readerAvailable,
      backendAvailable: device.backendAvailable,
      ...(device.presence && device.readerAvailable ? { awake: true } : {}),
      // The reader (or pcscd) is away: nothing to start until it is back (issue 11 item 7).
      // Kind ③ reads only the card: 「患者のスマートフォンは使用しません」 (seed 004).
      buttons: !device.readerAvailable ? [] : config.mode === 'qualification-only' ? [BUTTON.staffStart] : [BUTTON.phoneStart, BUTTON.staffStart],
    }),
    onTimeout: () => undefined,
  },
  reading: busy('card', 'readMs', (t, phase) => {
    if (phase.slot === 'smartphone') t.go({ name: 'phone-hold', kind: t.data.phoneKind ?? 'iphone', retry: true });
    else t.toCounter({ kind: 'card-read', detail: 'reader-error' });
  }),
  'pin-checking': busy('pin', 'deviceMs', (t) => t.toCounter({ kind: 'card-read', detail: 'reader-error' })),
  'staff-checking': busy('staff', 'deviceMs', (t, phase) => staffReturn(t, phase.returnTo)),
  registering: busy('registration', 'backendMs', backendTimeout),
  querying: busy('backend', 'backendMs', backendTimeout),
  'registering-consent': busy('consent', 'backendMs', backendTimeout),
  'certificate-unusable': stop(() => ({ kind: 'certificate-unusable', buttons: [] })),
  'pin-locked': stop(({ data }) => ({ kind: 'pin-locked', slot: data.slot ?? 'card', buttons: [] })),
  counter: stop((_state, phase) => ({
    kind: 'counter',
    cause: phase.cause.kind,
    ...(phase.cause.kind === 'backend' && phase.cause.detail === 'outcome-unknown' ? { outcomeUnknown: true } : {}),
    buttons: [],
  })),
  'not-qualified': stop((_state, phase) => ({ kind: 'not-qualified', status: phase.status, buttons: [] })),
  done: {
    timeout: (state) => (phoneGone(state) ? 'phoneGoneMs' : 'doneMs'),
    countdown: false,
    led: 'success',
    resting: true,
    screen: (state) => {
      const { data } = state;
      return {
        kind: 'done',
        patientName: data.qualification?.patientName ?? '',
        slot: data.slot ?? 'card',
        ...(data.card?.revocationUnknown === true ? { qualificationOnly: true } : {}),
        ...(state.config.mode === 'qualification-only' ? { staffResult: true } : {}),
        ...(data.consentRegistration !== 'registered' && data.consentRegistration !== null ? { consentNotice: data.consentRegistration } : {}),
        // Seed 000 現行: the limit screen is a button on the done screen until it was answered.
        buttons: legacyLimitOffered(state) ? [BUTTON.limitOpen] : [],
      };
    },
    onTimeout: (t) => t.endSession('done'),
  },
  'remove-card': {
    timeout: 'cardLeftReminderMs',
    countdown: false,
    led: 'reminder',
    resting: true,
    screen: (_state, phase) => ({ kind: 'remove-card', reminder: phase.reminders > 0, timedOut: phase.timedOut, buttons: [] }),
    onTimeout: (t, phase) => {
      if (!t.device.cardPresent) {
        t.go({ name: 'idle' });
        return;
      }
      // SPEC §3 step 8: remind with sound and LEDs while the card stays on the reader.
      t.emit({ type: 'beep', pattern: 'reminder' });
      t.go({ name: 'remove-card', reminders: phase.reminders + 1, timedOut: false });
    },
  },
  'registration-offer': waiting(() => ({ kind: 'registration-offer', buttons: [BUTTON.registrationApply, BUTTON.registrationDecline] })),
  'registration-done': waiting(() => ({ kind: 'registration-done', buttons: [BUTTON.noticeNext] })),
  method: waiting((state) => ({
    kind: 'method',
    ...noPin(state),
    buttons: [
      ...(faceAllowed(state, state.config) ? [BUTTON.methodFace] : []),
      ...(pinAllowed(state) ? [BUTTON.methodPin] : []),
      BUTTON.methodQuit,
      BUTTON.staffStart,
    ],
  })),
  'auth-select': waiting((state) => ({
    kind: 'auth-select',
    ...noPin(state),
    // A face-only card has no PIN: the staff check is what remains (seed 004 offers only A and B).
    buttons: [BUTTON.authVisual, ...(pinAllowed(state) ? [BUTTON.authPin] : []), BUTTON.methodQuit],
  })),
  face: {
    timeout: 'faceMs',
    countdown: true,
    led: 'idle',
    resting: false,
    screen: (_state, phase) => ({ kind: 'face', ...(phase.hint ? { hint: phase.hint } : {}), ...(phase.flash ? { flash: phase.flash } : {}), buttons: [BUTTON.faceCancel] }),
    // No answer from the matcher in time counts as an attempt without a face.
    onTimeout: (t) => faceFailed(t, 'no-face', undefined),
  },
  'face-failed': waiting((state, phase) => ({
    kind: 'face-failed',
    reason: phase.reason,
    buttons: [...(pinAllowed(state) ? [BUTTON.methodPin] : []), BUTTON.methodQuit, BUTTON.staffStart],
  })),
  pin: waiting(
    ({ data }, phase) => ({
      kind: 'pin',
      typed: phase.digits.length,
      length: PIN_LENGTH,
      triesLeft: data.card?.pinTriesLeft ?? 3,
      wrong: phase.wrong ?? false,
      buttons: [...KEYPAD, BUTTON.keyBack, BUTTON.pinCancel],
    }),
    'pinMs',
  ),
  'staff-passcode': waiting(
    (_state, phase) => ({
      kind: 'staff-passcode',
      typed: phase.digits.length,
      length: PIN_LENGTH,
      ...(phase.hint ? { hint: phase.hint } : {}),
      buttons: [...KEYPAD, BUTTON.keyBack, BUTTON.staffAbort],
    }),
    'pinMs',
  ),
  'staff-locked': waiting(() => ({ kind: 'staff-locked', buttons: [BUTTON.staffAbort] })),
  'staff-confirm': waiting((state) => ({
    kind: 'staff-confirm',
    buttons: [BUTTON.staffVisual, ...(consentFirstAllowed(state) ? [BUTTON.staffConsentFirst] : []), BUTTON.staffAbort],
  })),
  'staff-place-card': waiting(() => ({ kind: 'staff-place-card', buttons: [BUTTON.staffAbort] })),
  'terminal-visual-wait': waiting(() => ({ kind: 'terminal-visual-wait', buttons: [BUTTON.methodQuit] })),
  'phone-choice': waiting(() => ({ kind: 'phone-choice', buttons: [BUTTON.phoneAndroid, BUTTON.phoneIphone, BUTTON.phoneCancel] })),
  'phone-hold': waiting((_state, phase) => ({ kind: 'phone-hold', phone: phase.kind, retry: phase.retry ?? false, buttons: [BUTTON.phoneCancel] })),
  notice: waiting((_state, phase) => ({ kind: 'notice', notice: phase.notice, buttons: [BUTTON.noticeNext] })),
  'consent-inherit': waiting(() => ({ kind: 'consent-inherit', buttons: [BUTTON.consentInherit, BUTTON.consentReselect, BUTTON.consentViewPrevious] })),
  'consent-previous': waiting(({ config, data }) => ({
    kind: 'consent-previous',
    previous: effectivePrevious(data.qualification?.previousConsent ?? {}),
    categories: acquiredCategories(config),
    buttons: [BUTTON.consentBack],
  })),
  'consent-method': waiting(({ config }) => ({ kind: 'consent-method', categories: acquiredCategories(config), buttons: [BUTTON.consentAll, BUTTON.consentIndividual] })),
  'consent-item': waiting((_state, phase) => ({ kind: 'consent-item', category: phase.category, buttons: [BUTTON.consentAgree, BUTTON.consentDecline] })),
  referral: waiting(({ config, data }, phase) => {
    const letters = data.qualification?.referralLetters ?? [];
    const perPage = config.consent.referralLettersPerPage;
    const start = phase.page * perPage;
    const pageCount = Math.max(1, Math.ceil(letters.length / perPage));
    const shown = letters.slice(start, start + perPage).map((letter, i) => ({
      index: start + i,
      letter,
      selected: data.consent.referralLetterIds.includes(letter.id),
    }));
    const buttons: ButtonId[] = [
      ...shown.map((l) => referralButtonId(l.index)),
      ...(phase.page > 0 ? [BUTTON.referralPrevPage] : []),
      phase.page + 1 >= pageCount ? BUTTON.referralSubmit : BUTTON.referralNextPage,
    ];
    return { kind: 'referral', page: phase.page, pageCount, letters: shown, buttons };
  }),
  limit: waiting(() => ({ kind: 'limit', buttons: [BUTTON.limitProvide, BUTTON.limitDecline] })),
};

/** The row of `phase`, typed for that phase. */
export function phaseSpec<P extends Phase>(phase: P): PhaseSpec<P> {
  return PHASES[phase.name] as unknown as PhaseSpec<P>;
}

/** The screen request for `state` at `now` (countdown from the running timer's deadline). */
/**
 * Screens where a patient may be stuck and can call staff without the passcode (issue 16: a real
 * counter's need, neither seed nor SPEC has it). Not on staff screens (staff are there already)
 * nor on busy screens (nothing to be stuck on, the device answers).
 */
export const CALL_STAFF_PHASES: ReadonlySet<PhaseName> = new Set<PhaseName>([
  'method',
  'face',
  'face-failed',
  'pin',
  'consent-inherit',
  'consent-method',
  'consent-item',
  'counter',
  'not-qualified',
  'pin-locked',
  'certificate-unusable',
]);

export function screenOf(state: SessionState, now: number): ScreenRequest {
  const spec = phaseSpec(state.phase);
  const own = spec.screen(state, state.phase);
  const screen = CALL_STAFF_PHASES.has(state.phase.name) ? { ...own, buttons: [...own.buttons, BUTTON.callStaff] } : own;
  if (!state.timer || !spec.countdown) return screen;
  return { ...screen, countdownSeconds: Math.max(0, Math.ceil((state.timer.deadline - now) / 1000)) };
}
