/**
 * The staff step (SPEC §3.1): the 職員用ボタン, the rate-limited visual-check passcode, 目視確認
 * on the panel (before or after the card is placed) and the kind ② consent-first choice; and the
 * reception terminal's 目視確認 mode (seed 000 p.27), where staff confirm on the terminal instead.
 */
import { startConsent } from './consent';
import type { SessionEvent } from './events';
import { identified, startRead, terminalVisual } from './flow';
import { BUTTON, PIN_LENGTH, type ButtonId } from './screen';
import type { Phase, StaffReturn } from './state';
import type { Step } from './step';
import { secret } from '../log/secret';

type PhaseOf<N extends Phase['name']> = Extract<Phase, { name: N }>;

/** The longest staff passcode lockout, however often it escalated (issue 11 item 5). */
export const MAX_STAFF_LOCKOUT_MS = 24 * 3_600_000;

/** Each lockout since the last correct passcode doubles the configured period, capped at 24 h. */
export function staffLockoutPeriod(lockoutMs: number, level: number): number {
  return Math.min(lockoutMs * 2 ** Math.min(level, 32), MAX_STAFF_LOCKOUT_MS);
}

/** 職員用ボタン: locked out, already authenticated for this patient, or the passcode. */
export function staffStart(t: Step, returnTo: StaffReturn): void {
  if (t.now < t.device.staffLockedUntil) {
    t.go({ name: 'staff-locked', returnTo });
  } else if (t.data.staffAuthenticated) {
    t.go({ name: 'staff-confirm', returnTo });
  } else {
    t.go({ name: 'staff-passcode', digits: '', returnTo });
  }
}

/** 中止 (or a passcode check that never answered): back where the staff detour started. */
export function staffReturn(t: Step, returnTo: StaffReturn): void {
  switch (returnTo) {
    case 'idle':
      t.endSession('quit'); // reads a card placed meanwhile (toIdle)
      return;
    case 'method':
      t.go({ name: 'method' });
      return;
    case 'face-failed':
      t.go({ name: 'face-failed', reason: t.data.cameraFailed ? 'camera' : 'no-match' });
      return;
    case 'auth-select':
      t.go({ name: 'auth-select' });
      return;
    default: {
      const never: never = returnTo;
      t.log('warn', 'unknown-staff-return', { to: String(never) });
      t.endSession('impossible');
    }
  }
}

function staffVisual(t: Step, returnTo: StaffReturn): void {
  if (returnTo === 'idle' || t.data.card === null) {
    // SPEC §3.1 revised flow: visual check confirmed first, then the card is placed.
    t.data.visualArmed = true;
    if (t.device.cardPresent && t.data.slot === null) startRead(t, 'card');
    else t.go({ name: 'staff-place-card' });
    return;
  }
  identified(t, 'visual');
}

/** One digit of the staff passcode; the fourth one asks for the check unless rate-limited. */
export function staffDigit(t: Step, phase: PhaseOf<'staff-passcode'>, digit: number): void {
  const digits = phase.digits + String(digit);
  if (digits.length < PIN_LENGTH) {
    t.go({ name: 'staff-passcode', digits, returnTo: phase.returnTo });
    return;
  }
  if (t.now < t.device.staffLockedUntil) {
    t.go({ name: 'staff-locked', returnTo: phase.returnTo });
  } else if (t.now < t.device.staffNextAttemptAt) {
    // Rate limit: the attempt is refused without being checked or counted.
    t.go({ name: 'staff-passcode', digits: '', returnTo: phase.returnTo, hint: 'wait' });
  } else {
    t.go({ name: 'staff-checking', returnTo: phase.returnTo });
    t.emit({ type: 'check-staff-passcode', passcode: secret(digits) });
  }
}

export function onStaffPasscodeResult(t: Step, event: Extract<SessionEvent, { type: 'staff-passcode-result' }>): void {
  const phase = t.phase;
  if (phase.name !== 'staff-checking') return t.unexpected(event);
  if (event.ok) {
    t.device.staffFailures = 0;
    t.device.staffNextAttemptAt = 0;
    t.device.staffLockoutLevel = 0;
    t.data.staffAuthenticated = true;
    t.log('info', 'staff-passcode-ok');
    t.go({ name: 'staff-confirm', returnTo: phase.returnTo });
    return;
  }
  t.device.staffFailures += 1;
  t.log('warn', 'staff-passcode-wrong', { failures: t.device.staffFailures });
  if (t.device.staffFailures >= t.config.staff.maxFailures) {
    t.device.staffLockedUntil = t.now + staffLockoutPeriod(t.config.staff.lockoutMs, t.device.staffLockoutLevel);
    t.device.staffLockoutLevel += 1;
    t.device.staffFailures = 0;
    t.device.staffNextAttemptAt = 0;
    t.go({ name: 'staff-locked', returnTo: phase.returnTo });
  } else {
    t.device.staffNextAttemptAt = t.now + t.config.staff.backoffMs * 2 ** (t.device.staffFailures - 1);
    t.go({ name: 'staff-passcode', digits: '', returnTo: phase.returnTo, hint: 'wrong' });
  }
}

/**
 * The terminal's 目視確認 mode switch. The mode is the reader's setting, not a patient's: it
 * persists until the terminal turns it off and never changes a session in progress (a patient
 * typing a PIN keeps typing it).
 */
export function onTerminalVisualMode(t: Step, event: Extract<SessionEvent, { type: 'terminal-visual-mode' }>): void {
  const phase = t.phase;
  t.device.terminalVisualMode = event.on;
  t.log('info', 'terminal-visual-mode', { on: event.on });
  if (!event.on) {
    t.device.terminalVisualConfirmed = false;
    // A patient waiting for the terminal's confirmation chooses a method as usual.
    if (phase.name === 'terminal-visual-wait') t.go({ name: 'method' });
    else if (phase.name === 'idle') t.redraw();
    return;
  }
  if (phase.name === 'idle') t.redraw();
}

export function onTerminalVisualConfirmed(t: Step): void {
  const phase = t.phase;
  if (!t.device.terminalVisualMode) {
    t.log('info', 'terminal-visual-confirmed-ignored', { reason: 'mode-off' });
    return;
  }
  if (phase.name === 'terminal-visual-wait' || (phase.name === 'method' && t.data.slot === 'card' && t.data.card !== null && t.data.identity === null)) {
    // Staff confirmed this patient on the terminal; on the method screen nothing is being
    // typed yet, so this is the patient's choice made by staff, not an interruption.
    terminalVisual(t);
  } else if (phase.name === 'idle' || phase.name === 'remove-card') {
    // Seed 000 p.27: staff confirm first, then the patient places the card.
    t.device.terminalVisualConfirmed = true;
    t.log('info', 'terminal-visual-confirmed', { phase: phase.name });
    if (phase.name === 'idle') t.redraw();
  } else {
    t.log('info', 'terminal-visual-confirmed-ignored', { phase: phase.name });
  }
}

type Buttons<N extends Phase['name']> = (t: Step, phase: PhaseOf<N>, id: ButtonId) => void;

export const staffButtons: { [N in 'staff-passcode' | 'staff-locked' | 'staff-confirm' | 'staff-place-card' | 'terminal-visual-wait']: Buttons<N> } = {
  'staff-passcode': (t, phase, id) => {
    if (id === BUTTON.keyBack) t.go({ name: 'staff-passcode', digits: phase.digits.slice(0, -1), returnTo: phase.returnTo });
    else if (id === BUTTON.staffAbort) staffReturn(t, phase.returnTo);
  },
  'staff-locked': (t, phase, id) => {
    if (id === BUTTON.staffAbort) staffReturn(t, phase.returnTo);
  },
  'staff-confirm': (t, phase, id) => {
    if (id === BUTTON.staffVisual) staffVisual(t, phase.returnTo);
    else if (id === BUTTON.staffConsentFirst) {
      t.data.consentFirst = true;
      t.log('info', 'consent-first');
      startConsent(t);
    } else if (id === BUTTON.staffAbort) staffReturn(t, phase.returnTo);
  },
  'staff-place-card': (t, _phase, id) => {
    if (id === BUTTON.staffAbort) t.endSession('quit');
  },
  'terminal-visual-wait': (t, _phase, id) => {
    if (id === BUTTON.methodQuit) t.endSession('quit');
  },
};
