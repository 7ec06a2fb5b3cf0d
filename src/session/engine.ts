/**
 * The reception session as a pure state machine (issue 4 §1): `step(state, event, now)` returns
 * the next state and the effects to run. No I/O, no clock of its own (`now` comes in), no throws:
 * an event that makes no sense in the current screen is logged as `impossible-transition` and the
 * session falls back to a safe screen with its data wiped. Stale touches (a button that is no
 * longer on screen) and late device answers on resting screens are ignored with a debug log.
 *
 * Flow (SPEC §3): idle → read → [certificate unusable: stop] → [first-time registration] → method →
 * face / PIN / staff visual check → [registration] → [certificate notice] → backend query → consent
 * screens (SPEC §6, not in grace nor qualification-only mode) → consent registration → done → wipe
 * on removal. Smartphone (SPEC §3.2) and the consent-first ordering of kind ② (SPEC §2) join it.
 *
 * This file only dispatches: the phase table (`./phases`) says what each screen is, the main line
 * is in `./flow`, and the consent, staff, phone, face and PIN steps are modules of their own. The
 * screen is emitted as a `ScreenRequest` (`./screen`); the UI turns it into Japanese.
 */
import type { FacilityConfig } from '../config/schema';
import { consentButtons, consentFirstAfterResult, onConsentNotRegistered, onConsentRegistered, startConsent } from './consent';
import type { FailureCause, SessionEffect } from './effects';
import type { SessionEvent, SessionEventType } from './events';
import { faceButtons, onCameraFailed, onFaceFlash, onFaceHint, onFaceResult, startFace } from './face';
import { afterCardRead, done, inGrace, nextNotice, startRead } from './flow';
import { phaseSpec, screenOf } from './phases';
import { onPhonePlaced, onPhoneRead, onPhoneReadFailed, onPhoneRemoved, phoneButtons } from './phone';
import { digitEntry, onPinCheckFailed, onPinLocked, onPinVerified, onPinWrong, pinButtons, startPin } from './pin';
import { BUTTON, type ButtonId } from './screen';
import { onStaffPasscodeResult, onTerminalVisualConfirmed, onTerminalVisualMode, staffButtons, staffStart } from './staff';
import { emptySessionData, initialDeviceState, type Phase, type PhaseName, type SessionState } from './state';
import { Step } from './step';
import { authSelectButtons } from './qualification-only';

/** What the panel shows for a state at `now` (the service redraws the countdown with it). */
export { screenOf } from './phases';

export interface StepResult {
  state: SessionState;
  effects: SessionEffect[];
}

export function initialSession(config: FacilityConfig): SessionState {
  return { config, phase: { name: 'idle' }, data: emptySessionData(), device: initialDeviceState(), timer: null };
}

/** The effects that put a freshly started device on its idle screen. */
export function startEffects(state: SessionState, now: number): SessionEffect[] {
  return [
    { type: 'set-leds', pattern: phaseSpec(state.phase).led },
    { type: 'show', screen: screenOf(state, now) },
  ];
}

// ---------------------------------------------------------------------------------------------
// Buttons: each step module handles the buttons of its own screens

type PhaseOf<N extends PhaseName> = Extract<Phase, { name: N }>;
type ButtonHandlers = { [N in PhaseName]?: (t: Step, phase: PhaseOf<N>, id: ButtonId) => void };

/** The main line's own screens: idle, the registration offer, the method choice and the notices. */
const mainButtons: ButtonHandlers = {
  idle: (t, _phase, id) => {
    if (id === BUTTON.phoneStart) t.go({ name: 'phone-choice' });
    else if (id === BUTTON.staffStart) staffStart(t, 'idle');
  },
  'registration-offer': (t, _phase, id) => {
    if (id === BUTTON.registrationApply) {
      t.data.wantsInsuranceRegistration = true;
      afterCardRead(t);
    } else {
      t.toCounter({ kind: 'registration-declined' });
    }
  },
  'registration-done': (t, _phase, id) => {
    if (id === BUTTON.noticeNext) nextNotice(t);
  },
  notice: (t, _phase, id) => {
    if (id === BUTTON.noticeNext) nextNotice(t);
  },
  method: (t, _phase, id) => {
    if (id === BUTTON.methodFace) startFace(t);
    else if (id === BUTTON.methodPin) startPin(t);
    else if (id === BUTTON.methodQuit) t.endSession('quit');
    else if (id === BUTTON.staffStart) staffStart(t, 'method');
  },
  'face-failed': (t, _phase, id) => {
    if (id === BUTTON.methodPin) startPin(t);
    else if (id === BUTTON.methodQuit) {
      // Face could not be done and the patient gives up: staff are told what follows (SPEC §8).
      t.record({ status: 'not-confirmed', consented: false, error: { kind: 'face-impossible' } });
      t.endSession('quit');
    }
    else if (id === BUTTON.staffStart) staffStart(t, 'face-failed');
  },
};

const BUTTONS: ButtonHandlers = { ...mainButtons, ...faceButtons, ...pinButtons, ...staffButtons, ...phoneButtons, ...consentButtons, ...authSelectButtons };

function onButton(t: Step, id: string): void {
  // Only a button the current screen offers counts: anything else is a stale touch.
  const offered = screenOf(t.state, t.now).buttons.find((b) => b === id);
  if (offered === undefined) {
    // Never log which key: a keypad id is a digit of a PIN or passcode.
    t.log('debug', 'stale-button', { phase: t.phase.name, button: /^key\./.test(id) ? 'key' : id });
    return;
  }
  if (offered === BUTTON.callStaff) return callStaff(t);
  const key = /^key\.(\d)$/.exec(offered);
  if (key) return digitEntry(t, Number(key[1]));
  const handler = BUTTONS[t.phase.name] as ((t: Step, phase: Phase, id: ButtonId) => void) | undefined;
  if (handler) handler(t, t.phase, offered);
  else t.log('debug', 'stale-button', { phase: t.phase.name });
}

/**
 * 職員を呼ぶ (issue 16): the call goes out; phase, timer and everything typed so far stay as they
 * are, so the patient who called is still where they were when staff arrive.
 */
function callStaff(t: Step): void {
  t.log('info', 'staff-called', { phase: t.phase.name });
  t.emit({ type: 'call-staff', phase: t.phase.name });
}

/** The presence sensor: someone at the reader wakes the idle screen; leaving puts it back to rest. */
function onPresence(t: Step, event: EventOf<'presence'>): void {
  if (t.device.presence === event.active) return;
  t.device.presence = event.active;
  if (t.phase.name === 'idle') t.redraw();
}

// ---------------------------------------------------------------------------------------------
// Device and backend events of the main line

type EventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;

function onCardInserted(t: Step, event: EventOf<'card-inserted'>): void {
  if (event.slot === 'smartphone') return onPhonePlaced(t);
  const phase = t.phase;
  t.device.cardPresent = true;
  t.device.readerAvailable = true;
  if (phase.name === 'idle' || phase.name === 'staff-place-card') startRead(t, 'card');
  // A smartphone session showing its result: the next patient's card ends it (issue 11 item 6).
  else if (t.data.slot === 'smartphone' && phaseSpec(phase).resting) t.endSession('done');
  else t.log('debug', 'card-inserted-ignored', { phase: phase.name });
}

/**
 * A card that does not answer reset (placed off the antenna, a damaged chip): no read can start,
 * so the patient is sent to the counter with the card-read cause staff see (SPEC §8, 「ICチップの
 * 破損」 is theirs to judge) instead of the panel staying on the idle screen.
 */
function onCardUnresponsive(t: Step, event: EventOf<'card-unresponsive'>): void {
  const phase = t.phase;
  if (phase.name !== 'idle' && phase.name !== 'staff-place-card') {
    t.log('debug', 'card-unresponsive-ignored', { phase: phase.name });
    return;
  }
  t.log('info', 'card-unresponsive', { slot: event.slot });
  if (event.slot === 'card') t.device.cardPresent = true;
  else t.device.phonePresent = true;
  t.data.slot = event.slot;
  t.toCounter({ kind: 'card-read', detail: 'unreadable' });
}

function onCardRemoved(t: Step, event: EventOf<'card-removed'>): void {
  if (event.slot === 'smartphone') return onPhoneRemoved(t);
  t.device.cardPresent = false;
  if (t.data.slot === 'card' || t.phase.name === 'remove-card') t.endSession('removed');
  else if (t.phase.name === 'staff-place-card') t.log('debug', 'card-removed-before-read');
}

function onCardRead(t: Step, event: EventOf<'card-read'>): void {
  const phase = t.phase;
  if (phase.name !== 'reading' || phase.slot !== event.slot) return t.unexpected(event);
  const card = event.card;
  t.data.card = { ...card };
  t.log('info', 'card-read', { slot: event.slot, certificate: card.certificateStatus, revoked: card.revoked, revocationUnknown: card.revocationUnknown === true });
  if (card.revoked || card.certificateStatus === 'expired') {
    t.record({ status: 'not-confirmed', consented: false, error: { kind: card.revoked ? 'certificate-revoked' : 'certificate-expired' } });
    t.emit({ type: 'beep', pattern: 'error' });
    t.go({ name: 'certificate-unusable' });
    return;
  }
  if (event.slot === 'smartphone') return onPhoneRead(t);
  if (!card.registeredForInsurance) {
    t.go({ name: 'registration-offer' });
    return;
  }
  afterCardRead(t);
}

function onCardReadFailed(t: Step, event: EventOf<'card-read-failed'>): void {
  const phase = t.phase;
  if (phase.name === 'querying' && event.slot === 'smartphone' && t.data.slot === 'smartphone') {
    // The iPhone left the reader before it signed: nothing reached the backend (SPEC §3.2).
    t.log('info', 'phone-removed-before-signature');
    t.endSession('removed');
    return;
  }
  if (phase.name !== 'reading' || phase.slot !== event.slot) return t.unexpected(event);
  if (event.slot === 'smartphone') return onPhoneReadFailed(t, event.reason);
  t.log('info', 'card-read-failed', { slot: event.slot, reason: event.reason });
  if (event.reason === 'removed' && !t.device.cardPresent) t.endSession('removed');
  else t.toCounter({ kind: 'card-read', detail: event.reason });
}

function onBackendResult(t: Step, event: EventOf<'backend-result'>): void {
  if (t.phase.name !== 'querying') return t.unexpected(event);
  t.data.qualification = structuredClone(event.result);
  t.log('info', 'backend-result', { status: event.result.status });
  if (event.result.status !== 'qualified') {
    const cause: FailureCause = { kind: 'qualification', detail: event.result.status };
    t.record({ status: event.result.status, consented: false, error: cause });
    t.emit({ type: 'beep', pattern: 'error' });
    t.go({ name: 'not-qualified', status: event.result.status });
    return;
  }
  if (t.config.mode === 'qualification-only' || inGrace(t)) done(t, false);
  else if (t.data.consentFirst) consentFirstAfterResult(t);
  else startConsent(t);
}

function onBackendFailed(t: Step, event: EventOf<'backend-failed'>): void {
  const phase = t.phase;
  if (phase.name === 'registering-consent') return onConsentNotRegistered(t, event.kind);
  // pin-checking: the backend could not give the nonce the card (or phone) must sign.
  if (phase.name !== 'querying' && phase.name !== 'registering' && phase.name !== 'pin-checking') return t.unexpected(event);
  t.toCounter(phase.name === 'registering' ? { kind: 'insurance-registration' } : { kind: 'backend', detail: event.kind });
}

function onReaderAvailability(t: Step, event: EventOf<'reader-availability'>): void {
  if (event.slot !== 'card') {
    if (!event.available) t.device.phonePresent = false;
    return;
  }
  if (t.device.readerAvailable === event.available) return;
  t.device.readerAvailable = event.available;
  t.log('info', 'reader-availability', { available: event.available });
  if (!event.available) t.device.cardPresent = false;
  if (t.phase.name === 'idle') {
    t.emit({ type: 'set-leds', pattern: 'idle' });
    if (event.available && t.device.cardPresent) t.toIdle();
    else t.redraw();
  }
}

function onBackendAvailability(t: Step, event: EventOf<'backend-availability'>): void {
  if (t.device.backendAvailable === event.available) return;
  t.device.backendAvailable = event.available;
  t.log('info', 'backend-availability', { available: event.available });
  if (t.phase.name === 'idle') {
    t.emit({ type: 'set-leds', pattern: 'idle' });
    t.redraw();
  }
}

function onTimer(t: Step, event: EventOf<'timer-fired'>): void {
  if (!t.state.timer || t.state.timer.id !== event.timerId) {
    t.log('debug', 'stale-timer', { timer: event.timerId });
    return;
  }
  t.log('info', 'timeout', { phase: t.phase.name });
  phaseSpec(t.phase).onTimeout(t, t.phase);
}

const EVENTS: { [T in SessionEventType]: (t: Step, event: EventOf<T>) => void } = {
  start: (t) => {
    t.emit({ type: 'set-leds', pattern: phaseSpec(t.phase).led });
    t.redraw();
  },
  'card-inserted': onCardInserted,
  'card-removed': onCardRemoved,
  'card-unresponsive': onCardUnresponsive,
  'card-read': onCardRead,
  'card-read-failed': onCardReadFailed,
  button: (t, event) => onButton(t, event.id),
  'pin-digit': (t, event) => digitEntry(t, event.digit),
  'pin-verified': onPinVerified,
  'pin-wrong': onPinWrong,
  'pin-locked': onPinLocked,
  'pin-check-failed': onPinCheckFailed,
  'face-result': onFaceResult,
  'face-hint': onFaceHint,
  'face-flash': onFaceFlash,
  'camera-failed': onCameraFailed,
  'backend-result': onBackendResult,
  'backend-failed': onBackendFailed,
  'insurance-registered': (t, event) => {
    if (t.phase.name !== 'registering') return t.unexpected(event);
    t.data.wantsInsuranceRegistration = false;
    // Seed 003: the patient is told the registration is done before the flow goes on.
    t.go({ name: 'registration-done' });
  },
  'consent-registered': (t, event) => {
    if (t.phase.name !== 'registering-consent') return t.unexpected(event);
    onConsentRegistered(t);
  },
  'reader-availability': onReaderAvailability,
  'backend-availability': onBackendAvailability,
  'timer-fired': onTimer,
  'terminal-visual-mode': onTerminalVisualMode,
  'terminal-visual-confirmed': (t) => onTerminalVisualConfirmed(t),
  'staff-passcode-result': onStaffPasscodeResult,
  presence: onPresence,
};

function onEvent(t: Step, event: SessionEvent): void {
  const handler = EVENTS[event.type] as ((t: Step, event: SessionEvent) => void) | undefined;
  if (handler) handler(t, event);
  else t.log('warn', 'unknown-event', { event: String((event as { type?: unknown }).type) });
}

/**
 * One transition. Never throws: a bug inside a handler is caught, logged without data, and the
 * session is wiped to a safe screen (issue 4 §1 "never a crash"). The facility configuration
 * travels in the state (`state.config`), so the function needs nothing else.
 */
export function step(state: SessionState, event: SessionEvent, now: number): StepResult {
  const t = new Step(state, now);
  try {
    onEvent(t, event);
    return { state: t.state, effects: t.effects };
  } catch (err) {
    const safe = new Step(state, now);
    safe.log('warn', 'engine-fault', { event: event.type, error: err instanceof Error ? err.name : 'unknown' });
    try {
      safe.impossible(event);
      return { state: safe.state, effects: safe.effects };
    } catch {
      const state0 = initialSession(state.config);
      state0.device = structuredClone(state.device);
      return { state: state0, effects: [{ type: 'wipe' }, { type: 'log', level: 'warn', event: 'engine-fault' }] };
    }
  }
}
