/**
 * The smartphone step (SPEC §3.2): the kind chosen on the panel; Android types its PIN on the panel
 * before the phone is held, iPhone authenticates on the phone itself. The phone is only needed while
 * it is read and while its PIN is checked; its result screens end when it leaves the reader.
 */
import type { CardReadFailure } from './events';
import { identified, startRead } from './flow';
import { BUTTON, type ButtonId } from './screen';
import type { Phase } from './state';
import type { Step } from './step';
import { secret } from '../log/secret';
import { phaseSpec } from './phases';

type PhaseOf<N extends Phase['name']> = Extract<Phase, { name: N }>;

/** Ask for the phone, or read it at once if it already lies on the smartphone reader. */
export function holdPhone(t: Step, kind: 'android' | 'iphone'): void {
  if (t.device.phonePresent) startRead(t, 'smartphone');
  else t.go({ name: 'phone-hold', kind });
}

/** Hold it again (it left the reader, or could not be read). */
export function holdPhoneAgain(t: Step, fallback: 'android' | 'iphone'): void {
  t.go({ name: 'phone-hold', kind: t.data.phoneKind ?? fallback, retry: true });
}

export function onPhonePlaced(t: Step): void {
  t.device.phonePresent = true;
  if (t.phase.name === 'phone-hold') startRead(t, 'smartphone');
  else t.log('debug', 'phone-ignored', { phase: t.phase.name });
}

export function onPhoneRemoved(t: Step): void {
  const phase = t.phase;
  t.device.phonePresent = false;
  if (t.data.slot !== 'smartphone') return;
  // The phone is only needed while it is read and while its PIN is checked.
  if (phase.name === 'reading' || phase.name === 'pin-checking') holdPhoneAgain(t, 'iphone');
  // Its result screen ends with the phone, as a card session's ends with the card.
  else if (phaseSpec(phase).resting) t.endSession('removed');
}

/** The phone was read and its certificate is usable: Android checks the PIN typed, iPhone is identified. */
export function onPhoneRead(t: Step): void {
  if (t.data.phoneKind === 'android') {
    const pin = t.data.pendingPin;
    if (pin === null) {
      t.go({ name: 'pin', digits: '', purpose: 'smartphone' });
      return;
    }
    t.data.pendingPin = null;
    t.go({ name: 'pin-checking', purpose: 'smartphone' });
    t.emit({ type: 'verify-pin', slot: 'smartphone', pin: secret(pin) });
    return;
  }
  // iPhone: the holder already authenticated biometrically on the phone (SPEC §3.2).
  identified(t, 'smartphone');
}

export function onPhoneReadFailed(t: Step, reason: CardReadFailure): void {
  t.log('info', 'card-read-failed', { slot: 'smartphone', reason });
  holdPhoneAgain(t, 'iphone');
}

type Buttons<N extends Phase['name']> = (t: Step, phase: PhaseOf<N>, id: ButtonId) => void;

export const phoneButtons: { [N in 'phone-choice' | 'phone-hold']: Buttons<N> } = {
  'phone-choice': (t, _phase, id) => {
    if (id === BUTTON.phoneAndroid) {
      t.data.phoneKind = 'android';
      t.go({ name: 'pin', digits: '', purpose: 'smartphone' });
    } else if (id === BUTTON.phoneIphone) {
      t.data.phoneKind = 'iphone';
      holdPhone(t, 'iphone');
    } else if (id === BUTTON.phoneCancel) {
      t.endSession('quit');
    }
  },
  'phone-hold': (t, _phase, id) => {
    if (id === BUTTON.phoneCancel) t.endSession('quit');
  },
};
