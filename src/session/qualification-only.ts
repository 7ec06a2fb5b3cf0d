/**
 * Kind ③, 資格確認限定型 (SPEC §2, seed 004): qualification only, and staff choose the identity
 * check on the 認証選択 screen — A 目視確認 by staff, or B the patient's 4-digit PIN — the facility's
 * settings menu may fix one of them. No face, no smartphone, no consent; staff read the result.
 */
import { pinAllowed } from './flow';
import { startPin } from './pin';
import { BUTTON, type ButtonId } from './screen';
import { staffStart } from './staff';
import type { Step } from './step';

/**
 * Where the identity choice is: the method screen (kind ①), or for kind ③ the 認証選択 screen —
 * on `entry` (right after the card read) the method set in the settings menu starts at once.
 */
export function toIdentityChoice(t: Step, entry = false): void {
  if (t.config.mode !== 'qualification-only') {
    t.go({ name: 'method' });
    return;
  }
  const fixed = t.config.qualificationOnly.authentication;
  if (entry && fixed === 'pin' && pinAllowed(t.state)) startPin(t);
  else if (entry && fixed === 'visual') staffStart(t, 'auth-select');
  else t.go({ name: 'auth-select' });
}

export const authSelectButtons: { 'auth-select': (t: Step, phase: unknown, id: ButtonId) => void } = {
  'auth-select': (t, _phase, id) => {
    if (id === BUTTON.authVisual) staffStart(t, 'auth-select');
    else if (id === BUTTON.authPin) startPin(t);
    else if (id === BUTTON.methodQuit) t.endSession('quit');
  },
};
