/**
 * The PIN step (SPEC §3 step 5, §3.2): four digits on the panel pad, checked by the card (or the
 * Android phone); tries left shown under three, the lock ends the session at the counter.
 */
import type { SessionEvent } from './events';
import { identified } from './flow';
import { holdPhone, holdPhoneAgain } from './phone';
import { BUTTON, PIN_LENGTH, type ButtonId } from './screen';
import { staffDigit } from './staff';
import { toIdentityChoice } from './qualification-only';
import type { Phase } from './state';
import type { Step } from './step';
import { secret } from '../log/secret';

type PhaseOf<N extends Phase['name']> = Extract<Phase, { name: N }>;

/** 暗証番号を入力: an empty pad for the card's PIN. */
export function startPin(t: Step): void {
  t.go({ name: 'pin', digits: '', purpose: 'card' });
}

/** A key of the pad (a `pin-digit` event or a `key.N` button): the patient's PIN or the staff passcode. */
export function digitEntry(t: Step, digit: number): void {
  const phase = t.phase;
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
    t.log('warn', 'bad-digit');
    return;
  }
  if (phase.name === 'pin') pinDigit(t, phase, digit);
  else if (phase.name === 'staff-passcode') staffDigit(t, phase, digit);
  else t.log('debug', 'stale-digit', { phase: phase.name });
}

function pinDigit(t: Step, phase: PhaseOf<'pin'>, digit: number): void {
  const digits = phase.digits + String(digit);
  if (digits.length < PIN_LENGTH) {
    t.go({ ...phase, digits, wrong: false });
    return;
  }
  if (phase.purpose === 'card') {
    t.go({ name: 'pin-checking', purpose: 'card' });
    t.emit({ type: 'verify-pin', slot: 'card', pin: secret(digits) });
  } else {
    // Android: PIN on the panel first, then the phone is held (SPEC §3.2). A phone still
    // lying on the reader (after a wrong PIN) will not be "inserted" again: read it now.
    t.data.pendingPin = digits;
    holdPhone(t, 'android');
  }
}

export function onPinVerified(t: Step, event: SessionEvent): void {
  const phase = t.phase;
  if (phase.name !== 'pin-checking') return t.unexpected(event);
  if (t.data.card) t.data.card.pinTriesLeft = 3;
  identified(t, phase.purpose === 'smartphone' ? 'smartphone' : 'pin');
}

export function onPinWrong(t: Step, event: Extract<SessionEvent, { type: 'pin-wrong' }>): void {
  const phase = t.phase;
  if (phase.name !== 'pin-checking') return t.unexpected(event);
  if (t.data.card) t.data.card.pinTriesLeft = event.triesLeft;
  t.log('info', 'pin-wrong', { triesLeft: event.triesLeft });
  t.go({ name: 'pin', digits: '', purpose: phase.purpose, wrong: true });
}

export function onPinLocked(t: Step, event: SessionEvent): void {
  const phase = t.phase;
  if (phase.name !== 'pin-checking') return t.unexpected(event);
  if (t.data.card) t.data.card.pinTriesLeft = 0;
  t.record({ status: 'not-confirmed', consented: false, error: { kind: 'pin-locked', slot: phase.purpose } });
  t.emit({ type: 'beep', pattern: 'error' });
  t.go({ name: 'pin-locked' });
}

/** The card (or phone) stopped answering while its PIN was checked. */
export function onPinCheckFailed(t: Step, event: Extract<SessionEvent, { type: 'pin-check-failed' }>): void {
  const phase = t.phase;
  if (phase.name !== 'pin-checking' || phase.purpose !== event.slot) return t.unexpected(event);
  t.log('info', 'pin-check-failed', { slot: event.slot, reason: event.reason });
  if (event.slot === 'smartphone') holdPhoneAgain(t, 'android');
  else if (!t.device.cardPresent) t.endSession('removed');
  else t.toCounter({ kind: 'card-read', detail: event.reason });
}

export const pinButtons: { pin: (t: Step, phase: PhaseOf<'pin'>, id: ButtonId) => void } = {
  pin: (t, phase, id) => {
    if (id === BUTTON.keyBack) t.go({ ...phase, digits: phase.digits.slice(0, -1), wrong: false });
    else if (id === BUTTON.pinCancel) {
      if (phase.purpose === 'card') toIdentityChoice(t);
      else t.endSession('quit');
    }
  },
};
