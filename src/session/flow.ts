/**
 * The main line of a reception (SPEC §3), shared by every identity method: read → [visual check
 * armed or the terminal's 目視確認 mode] → method → identified → [registration] → [certificate
 * notice] → backend query → done. The consent, staff, phone, face and PIN steps branch off it in
 * modules of their own.
 */
import type { FacilityConfig } from '../config/schema';
import type { ConsentRecord, IdentityMethod } from './effects';
import type { SessionState } from './state';
import type { Step } from './step';
import { toIdentityChoice } from './qualification-only';

export function startRead(t: Step, slot: 'card' | 'smartphone'): void {
  t.data.slot = slot;
  t.go({ name: 'reading', slot });
  t.emit({ type: 'read-card', slot });
}

/**
 * A smartphone session whose phone has left the reader: its result screens end within the normal
 * removal handling (issue 11 item 6), as a card session's end when the card is taken.
 */
export function phoneGone(state: SessionState): boolean {
  return state.data.slot === 'smartphone' && !state.device.phonePresent;
}

/** Face is offered for a card in the standard mode whose photo can be read, while the camera works. */
export function faceAllowed(state: SessionState, config: FacilityConfig): boolean {
  return (
    config.mode === 'standard' &&
    state.data.slot === 'card' &&
    !state.data.cameraFailed &&
    !state.data.consentFirst &&
    state.data.card?.cardFaceAvailable === true
  );
}

/** A PIN is offered while the card has one and it is not locked. */
export function pinAllowed(state: SessionState): boolean {
  const card = state.data.card;
  return card !== null && card.pinSet && card.pinTriesLeft > 0;
}

/**
 * After a good card read (and registration offer): visual if armed on the panel; in the
 * terminal's 目視確認 mode, visual once staff confirmed on the terminal (before the card was
 * placed, or now on the waiting screen); else the method choice.
 */
export function afterCardRead(t: Step): void {
  if (t.data.visualArmed) {
    t.data.visualTrigger = 'panel';
    identified(t, 'visual');
    return;
  }
  if (t.device.terminalVisualMode) {
    if (t.device.terminalVisualConfirmed) {
      t.device.terminalVisualConfirmed = false;
      terminalVisual(t);
    } else {
      t.go({ name: 'terminal-visual-wait' });
    }
    return;
  }
  toIdentityChoice(t, true);
}

/** Staff confirmed this patient with 「目視で本人確認完了」 on the reception terminal (seed 000 p.27). */
export function terminalVisual(t: Step): void {
  t.log('info', 'terminal-visual-mode-used');
  t.data.visualTrigger = 'terminal';
  identified(t, 'visual');
}

export function identified(t: Step, method: IdentityMethod): void {
  t.data.identity = method;
  t.log('info', 'identified', { method });
  if (t.data.wantsInsuranceRegistration) {
    t.go({ name: 'registering' });
    t.emit({ type: 'register-insurance-use' });
    return;
  }
  nextNotice(t);
}

/** SPEC §3 step 6: the renewal or grace notice, once, then the backend query. */
export function nextNotice(t: Step): void {
  const status = t.data.card?.certificateStatus;
  if ((status === 'expiring-soon' || status === 'grace') && !t.data.notices.includes(status)) {
    t.data.notices.push(status);
    t.go({ name: 'notice', notice: status });
    return;
  }
  query(t);
}

export function consentRecord(t: Step): ConsentRecord {
  return {
    categories: { ...t.data.consent.categories },
    referralLetterIds: [...t.data.consent.referralLetterIds],
    limitInfo: t.data.consent.limitInfo,
    ...(t.data.consent.mode ? { mode: t.data.consent.mode } : {}),
  };
}

/** Qualification only (no consent): a certificate in grace, or one whose revocation is unknown. */
export function inGrace(t: Step): boolean {
  return t.data.card?.certificateStatus === 'grace' || t.data.card?.revocationUnknown === true;
}

function query(t: Step): void {
  const method = t.data.identity ?? 'visual';
  const slot = t.data.slot ?? 'card';
  t.go({ name: 'querying' });
  const trigger = method === 'visual' ? { visualTrigger: t.data.visualTrigger ?? 'panel' } : {};
  if (t.data.consentFirst && t.data.consentCollected && !inGrace(t)) {
    t.emit({ type: 'query-backend', slot, method, ...trigger, consentFirst: consentRecord(t) });
  } else {
    t.emit({ type: 'query-backend', slot, method, ...trigger });
  }
}

export function done(t: Step, consented: boolean): void {
  t.record({ status: 'qualified', consented });
  t.emit({ type: 'beep', pattern: 'success' });
  t.go({ name: 'done' });
}
