/**
 * The reception session as a pure state machine (issue 4 §1): `step(state, event, now)` returns
 * the next state and the effects to run. No I/O, no clock of its own (`now` comes in), no throws:
 * an event that makes no sense in the current screen is logged as `impossible-transition` and the
 * session falls back to a safe screen with its data wiped. Stale touches (a button that is no
 * longer on screen) and late device answers on resting screens are ignored with a debug log.
 *
 * Flow (SPEC §3): idle → read → [revoked stop] → [first-time registration] → method → face / PIN /
 * staff visual check → [registration] → [certificate notice] → backend query → consent screens
 * (SPEC §6, not in grace nor qualification-only mode) → consent registration → done → wipe on
 * removal. Smartphone (SPEC §3.2) and the consent-first ordering of kind ② (SPEC §2) join it.
 */
import type { FacilityConfig } from '../config/schema';
import type { PanelView } from '../ui/panel-view';
import { BUTTON, PIN_LENGTH, renderScreen, type ScreenRequest } from '../ui/text/screens';
import type { ConsentRecord, FailureCause, IdentityMethod, LedPattern, SessionEffect, SessionOutcome, StaffFallback } from './effects';
import type { ConsentAnswers, ConsentCategory, FaceHint, FaceOutcome, SessionEvent } from './events';
import { emptySessionData, initialDeviceState, type Phase, type SessionState, type StaffReturn } from './state';
import { secret } from '../log/secret';

export interface StepResult {
  state: SessionState;
  effects: SessionEffect[];
}

const CATEGORY_ORDER: readonly ConsentCategory[] = ['surgery', 'clinical', 'medication', 'checkup'];

export function initialSession(config: FacilityConfig): SessionState {
  return { config, phase: { name: 'idle' }, data: emptySessionData(), device: initialDeviceState(), timer: null };
}

/** The effects that put a freshly started device on its idle screen. */
export function startEffects(state: SessionState, now: number): SessionEffect[] {
  return [
    { type: 'set-leds', pattern: ledFor(state.phase) },
    { type: 'show', view: viewOf(state, now) },
  ];
}

/** Categories the facility acquires (SPEC §6 step 5), in screen order. */
export function acquiredCategories(config: FacilityConfig): ConsentCategory[] {
  return CATEGORY_ORDER.filter((c) => config.consent.acquired[c]);
}

/** SPEC §8: what staff are shown, in order, and the claim routes A/B/C to try in turn. */
export function staffFallbackFor(cause: FailureCause): StaffFallback {
  return {
    cause,
    steps: ['mynaportal-or-notice-sheet', 'past-visit-records', 'self-declaration-form'],
    // 資格無効: the lost qualification is known, so route B applies after A; otherwise C last.
    claimRoutes: cause.kind === 'qualification' && cause.detail === 'invalid' ? ['A', 'B', 'C'] : ['A', 'C'],
  };
}

// ---------------------------------------------------------------------------------------------
// Timeouts, LEDs and views per phase (exhaustive over phases)

type TimeoutKey = keyof FacilityConfig['timeouts'];

function timeoutFor(phase: Phase, state: SessionState): TimeoutKey | null {
  switch (phase.name) {
    case 'idle':
      return null;
    case 'reading':
      return 'readMs';
    case 'pin-checking':
    case 'staff-checking':
      return 'deviceMs';
    case 'registering':
    case 'querying':
    case 'registering-consent':
      return 'backendMs';
    case 'face':
      return 'faceMs';
    case 'pin':
    case 'staff-passcode':
      return 'pinMs';
    case 'revoked':
    case 'pin-locked':
    case 'counter':
    case 'not-qualified':
      return phoneGone(state) ? 'phoneGoneMs' : 'counterMs';
    case 'done':
      return phoneGone(state) ? 'phoneGoneMs' : 'doneMs';
    case 'remove-card':
      return 'cardLeftReminderMs';
    case 'registration-offer':
    case 'registration-done':
    case 'method':
    case 'face-failed':
    case 'staff-locked':
    case 'staff-confirm':
    case 'staff-place-card':
    case 'terminal-visual-wait':
    case 'phone-choice':
    case 'phone-hold':
    case 'notice':
    case 'consent-inherit':
    case 'consent-previous':
    case 'consent-method':
    case 'consent-item':
    case 'referral':
    case 'limit':
      return 'screenMs';
    default:
      return assertNever(phase, state);
  }
}

/**
 * A smartphone session whose phone has left the reader: its result screens end within the normal
 * removal handling (issue 11 item 6), as a card session's end when the card is taken.
 */
function phoneGone(state: SessionState): boolean {
  return state.data.slot === 'smartphone' && !state.device.phonePresent;
}

/** Screens where the patient or staff is expected to act: they show a countdown. */
function showsCountdown(phase: Phase): boolean {
  switch (phase.name) {
    case 'idle':
    case 'reading':
    case 'pin-checking':
    case 'staff-checking':
    case 'registering':
    case 'querying':
    case 'registering-consent':
    case 'revoked':
    case 'pin-locked':
    case 'counter':
    case 'not-qualified':
    case 'done':
    case 'remove-card':
      return false;
    default:
      return true;
  }
}

function ledFor(phase: Phase): LedPattern {
  switch (phase.name) {
    case 'idle':
      return 'idle';
    case 'reading':
    case 'pin-checking':
    case 'staff-checking':
    case 'registering':
    case 'querying':
    case 'registering-consent':
      return 'busy';
    case 'done':
      return 'success';
    case 'revoked':
    case 'pin-locked':
    case 'counter':
    case 'not-qualified':
      return 'error';
    case 'remove-card':
      return 'reminder';
    default:
      return 'idle';
  }
}

function screenFor(state: SessionState, config: FacilityConfig): ScreenRequest {
  const { phase, data } = state;
  switch (phase.name) {
    case 'idle':
      return {
        id: 'idle',
        visualMode: state.device.remoteVisualMode,
        readerAvailable: state.device.readerAvailable,
        backendAvailable: state.device.backendAvailable,
      };
    case 'reading':
      return { id: 'busy', kind: 'card' };
    case 'pin-checking':
      return { id: 'busy', kind: 'pin' };
    case 'staff-checking':
      return { id: 'busy', kind: 'staff' };
    case 'registering':
      return { id: 'busy', kind: 'registration' };
    case 'querying':
      return { id: 'busy', kind: 'backend' };
    case 'registering-consent':
      return { id: 'busy', kind: 'consent' };
    case 'revoked':
      return { id: 'revoked' };
    case 'registration-offer':
      return { id: 'registration-offer' };
    case 'registration-done':
      return { id: 'registration-done' };
    case 'method':
      return { id: 'method', face: faceAllowed(state, config), pin: pinAllowed(state) };
    case 'face':
      return phase.hint ? { id: 'face', hint: phase.hint } : { id: 'face' };
    case 'face-failed':
      return { id: 'face-failed', reason: phase.reason, pin: pinAllowed(state) };
    case 'pin':
      return {
        id: 'pin',
        typed: phase.digits.length,
        triesLeft: data.card?.pinTriesLeft ?? 3,
        wrong: phase.wrong ?? false,
      };
    case 'pin-locked':
      return { id: 'pin-locked', slot: data.slot ?? 'card' };
    case 'staff-passcode':
      return phase.hint ? { id: 'staff-passcode', typed: phase.digits.length, hint: phase.hint } : { id: 'staff-passcode', typed: phase.digits.length };
    case 'staff-locked':
      return { id: 'staff-locked' };
    case 'staff-confirm':
      return { id: 'staff-confirm', consentFirst: consentFirstAllowed(state, config) };
    case 'staff-place-card':
      return { id: 'staff-place-card' };
    case 'terminal-visual-wait':
      return { id: 'terminal-visual-wait' };
    case 'phone-choice':
      return { id: 'phone-choice' };
    case 'phone-hold':
      return { id: 'phone-hold', kind: phase.kind, retry: phase.retry ?? false };
    case 'notice':
      return { id: 'notice', notice: phase.notice };
    case 'consent-inherit':
      return { id: 'consent-inherit' };
    case 'consent-previous':
      return { id: 'consent-previous', previous: effectivePrevious(data.qualification?.previousConsent ?? {}), categories: acquiredCategories(config) };
    case 'consent-method':
      return { id: 'consent-method', categories: acquiredCategories(config) };
    case 'consent-item':
      return { id: 'consent-item', category: phase.category };
    case 'referral': {
      const letters = data.qualification?.referralLetters ?? [];
      const perPage = config.consent.referralLettersPerPage;
      const start = phase.page * perPage;
      return {
        id: 'referral',
        page: phase.page,
        pageCount: Math.max(1, Math.ceil(letters.length / perPage)),
        letters: letters.slice(start, start + perPage).map((letter, i) => ({
          index: start + i,
          letter,
          selected: data.consent.referralLetterIds.includes(letter.id),
        })),
      };
    }
    case 'limit':
      return { id: 'limit' };
    case 'done':
      return {
        id: 'done',
        patientName: data.qualification?.patientName ?? '',
        slot: data.slot ?? 'card',
        ...(legacyLimitOffered(state) ? { limitOffer: true } : {}),
        ...(data.card?.revocationUnknown === true ? { qualificationOnly: true } : {}),
        ...(data.consentRegistration !== 'registered' && data.consentRegistration !== null ? { consentNotice: data.consentRegistration } : {}),
      };
    case 'not-qualified':
      return { id: 'not-qualified', status: phase.status };
    case 'counter':
      return {
        id: 'counter',
        cause: phase.cause.kind,
        ...(phase.cause.kind === 'backend' && phase.cause.detail === 'outcome-unknown' ? { outcomeUnknown: true } : {}),
      };
    case 'remove-card':
      return { id: 'remove-card', reminder: phase.reminders > 0, timedOut: phase.timedOut };
    default:
      return assertNever(phase, state);
  }
}

/** What the panel shows for `state` at `now` (countdown from the running timer's deadline). */
export function viewOf(state: SessionState, now: number): PanelView {
  const config = state.config;
  const request = screenFor(state, config);
  const countdown =
    state.timer && showsCountdown(state.phase) ? Math.max(0, Math.ceil((state.timer.deadline - now) / 1000)) : undefined;
  return renderScreen(request, config, countdown === undefined ? {} : { countdownSeconds: countdown });
}

function faceAllowed(state: SessionState, config: FacilityConfig): boolean {
  return (
    config.mode === 'standard' &&
    state.data.slot === 'card' &&
    !state.data.cameraFailed &&
    !state.data.consentFirst &&
    state.data.card?.cardFaceAvailable === true
  );
}

function pinAllowed(state: SessionState): boolean {
  const card = state.data.card;
  return card !== null && card.pinSet && card.pinTriesLeft > 0;
}

function consentFirstAllowed(state: SessionState, config: FacilityConfig): boolean {
  const d = state.data;
  return (
    config.mode === 'standard' &&
    d.cameraFailed &&
    !d.consentFirst &&
    d.card !== null &&
    d.identity === null &&
    d.card.certificateStatus !== 'grace' &&
    d.card.revocationUnknown !== true &&
    acquiredCategories(config).length > 0
  );
}

function assertNever(value: never, _state: SessionState): never {
  throw new Error(`unhandled phase ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// The transaction: one step's working copy of the state plus the effects it produces

class Step {
  readonly effects: SessionEffect[] = [];
  state: SessionState;

  readonly config: FacilityConfig;

  constructor(
    state: SessionState,
    readonly now: number,
  ) {
    const { config, ...rest } = state;
    this.config = config;
    // Work on a copy: the caller's state is never mutated (the engine is pure).
    this.state = { ...structuredClone(rest), config };
  }

  get phase(): Phase {
    return this.state.phase;
  }

  get data() {
    return this.state.data;
  }

  get device() {
    return this.state.device;
  }

  emit(effect: SessionEffect): void {
    this.effects.push(effect);
  }

  log(level: 'debug' | 'info' | 'warn', event: string, detail?: Record<string, string | number | boolean>): void {
    this.emit(detail ? { type: 'log', level, event, detail } : { type: 'log', level, event });
  }

  /** Enter `phase`: camera on/off, one screen timer, LEDs, and the screen itself. */
  go(phase: Phase): void {
    const prev = this.state.phase;
    if (prev.name === 'face' && phase.name !== 'face') this.emit({ type: 'stop-camera' });
    if (prev.name !== 'face' && phase.name === 'face') this.emit({ type: 'start-camera' });
    if (this.state.timer) this.emit({ type: 'cancel-timer', id: this.state.timer.id });
    this.state.phase = phase;
    this.state.timer = null;
    const key = timeoutFor(phase, this.state);
    if (key) {
      const ms = this.config.timeouts[key];
      this.device.timerSeq += 1;
      const id = `screen-${this.device.timerSeq}`;
      this.state.timer = { id, deadline: this.now + ms };
      this.emit({ type: 'start-timer', id, ms });
    }
    if (ledFor(prev) !== ledFor(phase)) this.emit({ type: 'set-leds', pattern: ledFor(phase) });
    if (prev.name !== phase.name) this.log('debug', 'screen', { from: prev.name, to: phase.name });
    this.emit({ type: 'show', view: viewOf(this.state, this.now) });
  }

  /** Redraw without changing phase or timer (e.g. the idle hint after the remote toggle). */
  redraw(): void {
    this.emit({ type: 'show', view: viewOf(this.state, this.now) });
  }

  record(outcome: Omit<SessionOutcome, 'method' | 'notices'> & { method?: SessionOutcome['method'] }): void {
    if (this.data.recorded) return;
    this.data.recorded = true;
    const full: SessionOutcome = {
      method: outcome.method ?? this.data.identity ?? 'none',
      status: outcome.status,
      consented: outcome.consented,
      notices: [...this.data.notices],
    };
    if (outcome.error) full.error = outcome.error;
    if (outcome.fallback) full.fallback = outcome.fallback;
    this.emit({ type: 'record-result', outcome: full });
  }

  /** Wipe everything personal; keep device memory. Land on idle, or ask for the card back. */
  endSession(reason: 'removed' | 'timeout' | 'quit' | 'impossible' | 'done'): void {
    // An abandoned session (quit, timeout, card pulled) still counts once for SPEC §9.
    if (this.data.card && !this.data.recorded) this.record({ status: 'not-confirmed', consented: false });
    const cardSession = this.data.slot === 'card';
    this.emit({ type: 'wipe' });
    this.state.data = emptySessionData();
    if (this.device.cardPresent && cardSession) {
      if (reason === 'timeout' || reason === 'done') this.emit({ type: 'beep', pattern: 'reminder' });
      this.go({ name: 'remove-card', reminders: reason === 'done' ? 1 : 0, timedOut: reason === 'timeout' });
    } else {
      this.toIdle();
    }
  }

  /**
   * The idle screen, or — when a card was placed while another session (a smartphone's, a staff
   * detour) held the panel, or while the reader was away — read that card now: it belongs to the
   * next patient, who must not have to lift and place it again (issue 11 items 6, 7).
   */
  toIdle(): void {
    if (this.device.cardPresent && this.device.readerAvailable) {
      this.log('info', 'card-waiting-read');
      startRead(this, 'card');
      return;
    }
    this.go({ name: 'idle' });
  }

  /** Send the patient to the counter; staff get the SPEC §8 fallback through the record. */
  toCounter(cause: FailureCause): void {
    this.record({ status: cause.kind === 'qualification' ? cause.detail : 'not-confirmed', consented: false, error: cause, fallback: staffFallbackFor(cause) });
    this.emit({ type: 'beep', pattern: 'error' });
    this.log('info', 'to-counter', { cause: cause.kind });
    this.go({ name: 'counter', cause });
  }

  impossible(event: SessionEvent): void {
    this.log('warn', 'impossible-transition', { phase: this.phase.name, event: event.type });
    this.endSession('impossible');
  }
}

// ---------------------------------------------------------------------------------------------
// Flow pieces shared by several transitions

function startRead(t: Step, slot: 'card' | 'smartphone'): void {
  t.data.slot = slot;
  t.go({ name: 'reading', slot });
  t.emit({ type: 'read-card', slot });
}

/** Ask for the phone, or read it at once if it already lies on the smartphone reader. */
function holdPhone(t: Step, kind: 'android' | 'iphone'): void {
  if (t.device.phonePresent) startRead(t, 'smartphone');
  else t.go({ name: 'phone-hold', kind });
}

/**
 * After a good card read (and registration offer): visual if armed on the panel; in the
 * terminal's 目視確認 mode, visual once staff confirmed on the terminal (before the card was
 * placed, or now on the waiting screen); else the method choice.
 */
function afterCardRead(t: Step): void {
  if (t.data.visualArmed) {
    t.data.visualTrigger = 'panel';
    identified(t, 'visual');
    return;
  }
  if (t.device.remoteVisualMode) {
    if (t.device.terminalVisualConfirmed) {
      t.device.terminalVisualConfirmed = false;
      terminalVisual(t);
    } else {
      t.go({ name: 'terminal-visual-wait' });
    }
    return;
  }
  t.go({ name: 'method' });
}

function terminalVisual(t: Step): void {
  t.log('info', 'remote-visual-mode-used');
  t.data.visualTrigger = 'terminal';
  identified(t, 'visual');
}

function identified(t: Step, method: IdentityMethod): void {
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
function nextNotice(t: Step): void {
  const status = t.data.card?.certificateStatus;
  if ((status === 'expiring-soon' || status === 'grace') && !t.data.notices.includes(status)) {
    t.data.notices.push(status);
    t.go({ name: 'notice', notice: status });
    return;
  }
  query(t);
}

function consentRecord(t: Step): ConsentRecord {
  return {
    categories: { ...t.data.consent.categories },
    referralLetterIds: [...t.data.consent.referralLetterIds],
    limitInfo: t.data.consent.limitInfo,
    ...(t.data.consent.mode ? { mode: t.data.consent.mode } : {}),
  };
}

/** Qualification only (no consent): a certificate in grace, or one whose revocation is unknown. */
function inGrace(t: Step): boolean {
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

function done(t: Step, consented: boolean): void {
  t.record({ status: 'qualified', consented });
  t.emit({ type: 'beep', pattern: 'success' });
  t.go({ name: 'done' });
}

/**
 * A previous consent as it applies today: consent to 診療・お薬 covers お薬 (SPEC §6, seed 000),
 * so a facility that acquires お薬 shows and inherits it as agreed — as the individual screens
 * record お薬 agreed when 診療・お薬 is.
 */
export function effectivePrevious(previous: ConsentAnswers): ConsentAnswers {
  return previous.clinical === true ? { ...previous, medication: true } : { ...previous };
}

function restrictToAcquired(t: Step, answers: Partial<Record<ConsentCategory, boolean>>): Partial<Record<ConsentCategory, boolean>> {
  const out: Partial<Record<ConsentCategory, boolean>> = {};
  for (const c of acquiredCategories(t.config)) {
    const v = answers[c];
    if (v !== undefined) out[c] = v;
  }
  return out;
}

/** Start the SPEC §6 consent screens after a qualified result (or before identity, kind ②). */
function startConsent(t: Step): void {
  const previous = t.data.qualification?.previousConsent;
  if (!t.data.consentFirst && previous && Object.keys(restrictToAcquired(t, previous)).length > 0) {
    t.go({ name: 'consent-inherit' });
  } else if (acquiredCategories(t.config).length > 0) {
    t.go({ name: 'consent-method' });
  } else {
    afterCategories(t);
  }
}

/** The next category screen after `after` (or the first), skipping お薬 unless 診療・お薬 was declined. */
function nextCategory(t: Step, after: ConsentCategory | null): ConsentCategory | null {
  const list = acquiredCategories(t.config);
  const start = after === null ? 0 : list.indexOf(after) + 1;
  for (const c of list.slice(start)) {
    if (c === 'medication' && t.data.consent.categories.clinical === true) continue;
    return c;
  }
  return null;
}

function afterCategories(t: Step): void {
  const letters = t.data.qualification?.referralLetters ?? [];
  if (!t.data.consentFirst && t.config.consent.referralLetters && letters.length > 0) {
    t.go({ name: 'referral', page: 0 });
    return;
  }
  // No category acquired and no letter screen: nothing was asked, and the record says so.
  if (t.data.consent.mode === undefined) t.data.consent.mode = 'not-asked';
  afterReferral(t);
}

/**
 * 限度額情報: provided without asking since 2024-10-07 (SPEC §6 step 6). Behind the legacy setting
 * it is provided only on request, from the button on the done screen (seed 000 現行).
 */
function afterReferral(t: Step): void {
  t.data.consent.limitInfo = !t.config.consent.legacyLimitScreen;
  consentComplete(t);
}

/** Seed 000 現行: the done screen offers 高額療養費制度を利用する方はこちら until it was answered. */
function legacyLimitOffered(state: SessionState): boolean {
  return state.config.consent.legacyLimitScreen && state.data.consentRegistration === 'registered' && !state.data.consent.limitInfo && !state.data.limitAnswered;
}

function consentComplete(t: Step): void {
  t.data.consentCollected = true;
  if (t.data.consentFirst) {
    // Kind ②: consent taken; now PIN or the visual check (SPEC §2).
    t.go({ name: 'method' });
    return;
  }
  t.go({ name: 'registering-consent' });
  t.emit({ type: 'register-consent', consent: consentRecord(t) });
}

function staffStart(t: Step, returnTo: StaffReturn): void {
  if (t.now < t.device.staffLockedUntil) {
    t.go({ name: 'staff-locked', returnTo });
  } else if (t.data.staffAuthenticated) {
    t.go({ name: 'staff-confirm', returnTo });
  } else {
    t.go({ name: 'staff-passcode', digits: '', returnTo });
  }
}

function staffReturn(t: Step, returnTo: StaffReturn): void {
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

function faceFailed(t: Step, outcome: FaceOutcome, hint: FaceHint | undefined): void {
  if (t.phase.name !== 'face') return;
  t.data.faceAttempts += 1;
  t.log('info', 'face-attempt-failed', { outcome, attempt: t.data.faceAttempts });
  if (t.data.faceAttempts < t.config.retries.face) {
    t.go(hint ? { name: 'face', attempt: t.data.faceAttempts + 1, hint } : { name: 'face', attempt: t.data.faceAttempts + 1 });
    t.emit({ type: 'start-face-match' });
  } else {
    t.go({ name: 'face-failed', reason: 'no-match' });
  }
}

// ---------------------------------------------------------------------------------------------
// Buttons and keypad

function digitEntry(t: Step, digit: number): void {
  const phase = t.phase;
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
    t.log('warn', 'bad-digit');
    return;
  }
  if (phase.name === 'pin') {
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
    return;
  }
  if (phase.name === 'staff-passcode') {
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
    return;
  }
  t.log('debug', 'stale-digit', { phase: phase.name });
}

function onButton(t: Step, id: string): void {
  const visible = viewOf(t.state, t.now).buttons.some((b) => b.id === id);
  if (!visible) {
    // Never log which key: a keypad id is a digit of a PIN or passcode.
    t.log('debug', 'stale-button', { phase: t.phase.name, button: /^key\./.test(id) ? 'key' : id });
    return;
  }
  const keyMatch = /^key\.(\d)$/.exec(id);
  if (keyMatch) {
    digitEntry(t, Number(keyMatch[1]));
    return;
  }
  const phase = t.phase;
  switch (phase.name) {
    case 'idle':
      if (id === BUTTON.phoneStart) t.go({ name: 'phone-choice' });
      else if (id === BUTTON.staffStart) staffStart(t, 'idle');
      return;
    case 'registration-offer':
      if (id === BUTTON.registrationApply) {
        t.data.wantsInsuranceRegistration = true;
        afterCardRead(t);
      } else {
        t.toCounter({ kind: 'registration-declined' });
      }
      return;
    case 'method':
      if (id === BUTTON.methodFace) {
        t.data.faceAttempts = 0;
        t.go({ name: 'face', attempt: 1 });
        t.emit({ type: 'start-face-match' });
      } else if (id === BUTTON.methodPin) {
        t.go({ name: 'pin', digits: '', purpose: 'card' });
      } else if (id === BUTTON.methodQuit) {
        t.endSession('quit');
      } else if (id === BUTTON.staffStart) {
        staffStart(t, 'method');
      }
      return;
    case 'face':
      if (id === BUTTON.faceCancel) t.go({ name: 'method' });
      return;
    case 'face-failed':
      if (id === BUTTON.methodPin) t.go({ name: 'pin', digits: '', purpose: 'card' });
      else if (id === BUTTON.methodQuit) t.endSession('quit');
      else if (id === BUTTON.staffStart) staffStart(t, 'face-failed');
      return;
    case 'pin':
      if (id === BUTTON.keyBack) t.go({ ...phase, digits: phase.digits.slice(0, -1), wrong: false });
      else if (id === BUTTON.pinCancel) {
        if (phase.purpose === 'card') t.go({ name: 'method' });
        else t.endSession('quit');
      }
      return;
    case 'staff-passcode':
      if (id === BUTTON.keyBack) t.go({ name: 'staff-passcode', digits: phase.digits.slice(0, -1), returnTo: phase.returnTo });
      else if (id === BUTTON.staffAbort) staffReturn(t, phase.returnTo);
      return;
    case 'staff-locked':
      if (id === BUTTON.staffAbort) staffReturn(t, phase.returnTo);
      return;
    case 'staff-confirm':
      if (id === BUTTON.staffVisual) staffVisual(t, phase.returnTo);
      else if (id === BUTTON.staffConsentFirst) {
        t.data.consentFirst = true;
        t.log('info', 'consent-first');
        startConsent(t);
      } else if (id === BUTTON.staffAbort) staffReturn(t, phase.returnTo);
      return;
    case 'staff-place-card':
      if (id === BUTTON.staffAbort) t.endSession('quit');
      return;
    case 'terminal-visual-wait':
      if (id === BUTTON.methodQuit) t.endSession('quit');
      return;
    case 'phone-choice':
      if (id === BUTTON.phoneAndroid) {
        t.data.phoneKind = 'android';
        t.go({ name: 'pin', digits: '', purpose: 'smartphone' });
      } else if (id === BUTTON.phoneIphone) {
        t.data.phoneKind = 'iphone';
        holdPhone(t, 'iphone');
      } else if (id === BUTTON.phoneCancel) {
        t.endSession('quit');
      }
      return;
    case 'phone-hold':
      if (id === BUTTON.phoneCancel) t.endSession('quit');
      return;
    case 'notice':
      if (id === BUTTON.noticeNext) nextNotice(t);
      return;
    case 'registration-done':
      if (id === BUTTON.noticeNext) nextNotice(t);
      return;
    case 'consent-inherit':
      if (id === BUTTON.consentInherit) {
        t.data.consent.categories = restrictToAcquired(t, effectivePrevious(t.data.qualification?.previousConsent ?? {}));
        t.data.consent.mode = 'inherited';
        afterCategories(t);
      } else if (id === BUTTON.consentReselect) {
        t.go({ name: 'consent-method' });
      } else if (id === BUTTON.consentViewPrevious) {
        t.go({ name: 'consent-previous' });
      }
      return;
    case 'consent-previous':
      // Seed 000: 戻る returns to the question (identity and result are kept).
      if (id === BUTTON.consentBack) t.go({ name: 'consent-inherit' });
      return;
    case 'consent-method':
      if (id === BUTTON.consentAll) {
        t.data.consent.categories = {};
        for (const c of acquiredCategories(t.config)) t.data.consent.categories[c] = true;
        t.data.consent.mode = 'comprehensive';
        afterCategories(t);
      } else if (id === BUTTON.consentIndividual) {
        t.data.consent.categories = {};
        t.data.consent.mode = 'individual';
        const first = nextCategory(t, null);
        if (first) t.go({ name: 'consent-item', category: first });
        else afterCategories(t);
      }
      return;
    case 'consent-item': {
      const agreed = id === BUTTON.consentAgree;
      t.data.consent.categories[phase.category] = agreed;
      // 診療・お薬 covers お薬: agreeing to it answers the medication question too.
      if (phase.category === 'clinical' && agreed && t.config.consent.acquired.medication) t.data.consent.categories.medication = true;
      const next = nextCategory(t, phase.category);
      if (next) t.go({ name: 'consent-item', category: next });
      else afterCategories(t);
      return;
    }
    case 'referral': {
      const letters = t.data.qualification?.referralLetters ?? [];
      const letterMatch = /^referral\.letter\.(\d+)$/.exec(id);
      if (letterMatch) {
        const letter = letters[Number(letterMatch[1])];
        if (letter) {
          const ids = t.data.consent.referralLetterIds;
          t.data.consent.referralLetterIds = ids.includes(letter.id) ? ids.filter((x) => x !== letter.id) : [...ids, letter.id];
        }
        t.go({ name: 'referral', page: phase.page });
      } else if (id === BUTTON.referralNextPage) {
        t.go({ name: 'referral', page: phase.page + 1 });
      } else if (id === BUTTON.referralPrevPage) {
        t.go({ name: 'referral', page: Math.max(0, phase.page - 1) });
      } else if (id === BUTTON.referralSubmit) {
        afterReferral(t);
      }
      return;
    }
    case 'limit':
      t.data.limitAnswered = true;
      if (id === BUTTON.limitProvide) {
        // The consents are registered already: this second registration adds the limit info.
        t.data.consent.limitInfo = true;
        t.go({ name: 'registering-consent' });
        t.emit({ type: 'register-consent', consent: consentRecord(t), update: 'limit-info' });
      } else {
        t.go({ name: 'done' });
      }
      return;
    case 'reading':
    case 'revoked':
    case 'registering':
    case 'pin-checking':
    case 'pin-locked':
    case 'staff-checking':
    case 'querying':
    case 'registering-consent':
    case 'not-qualified':
    case 'counter':
    case 'remove-card':
      t.log('debug', 'stale-button', { phase: phase.name });
      return;
    case 'done':
      if (id === BUTTON.limitOpen) t.go({ name: 'limit' });
      return;
    default: {
      const never: never = phase;
      t.log('warn', 'unknown-phase', { phase: String(never) });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Device and backend events

/** Screens where nothing is awaited from a device: a late answer is harmless and ignored. */
function isResting(phase: Phase): boolean {
  switch (phase.name) {
    case 'idle':
    case 'revoked':
    case 'pin-locked':
    case 'counter':
    case 'not-qualified':
    case 'done':
    case 'remove-card':
      return true;
    default:
      return false;
  }
}

function unexpected(t: Step, event: SessionEvent): void {
  if (isResting(t.phase)) {
    t.log('debug', 'late-event', { phase: t.phase.name, event: event.type });
    return;
  }
  t.impossible(event);
}

function onTimer(t: Step, timerId: string): void {
  if (!t.state.timer || t.state.timer.id !== timerId) {
    t.log('debug', 'stale-timer', { timer: timerId });
    return;
  }
  const phase = t.phase;
  t.log('info', 'timeout', { phase: phase.name });
  switch (phase.name) {
    case 'idle':
      return;
    case 'reading':
      if (phase.slot === 'smartphone') t.go({ name: 'phone-hold', kind: t.data.phoneKind ?? 'iphone', retry: true });
      else t.toCounter({ kind: 'card-read', detail: 'reader-error' });
      return;
    case 'pin-checking':
      t.toCounter({ kind: 'card-read', detail: 'reader-error' });
      return;
    case 'staff-checking':
      staffReturn(t, phase.returnTo);
      return;
    case 'registering':
    case 'querying':
    case 'registering-consent':
      t.toCounter({ kind: 'backend', detail: 'timeout' });
      return;
    case 'face':
      faceFailed(t, 'no-face', undefined);
      return;
    case 'done':
      t.endSession('done');
      return;
    case 'revoked':
    case 'pin-locked':
    case 'counter':
    case 'not-qualified':
      t.endSession('done');
      return;
    case 'remove-card':
      if (!t.device.cardPresent) {
        t.go({ name: 'idle' });
        return;
      }
      // SPEC §3 step 8: remind with sound and LEDs while the card stays on the reader.
      t.emit({ type: 'beep', pattern: 'reminder' });
      t.go({ name: 'remove-card', reminders: phase.reminders + 1, timedOut: false });
      return;
    case 'registration-offer':
    case 'registration-done':
    case 'method':
    case 'face-failed':
    case 'pin':
    case 'staff-passcode':
    case 'staff-locked':
    case 'staff-confirm':
    case 'staff-place-card':
    case 'terminal-visual-wait':
    case 'phone-choice':
    case 'phone-hold':
    case 'notice':
    case 'consent-inherit':
    case 'consent-previous':
    case 'consent-method':
    case 'consent-item':
    case 'referral':
    case 'limit':
      t.endSession('timeout');
      return;
    default: {
      const never: never = phase;
      t.log('warn', 'unknown-phase', { phase: String(never) });
    }
  }
}

function onEvent(t: Step, event: SessionEvent): void {
  const phase = t.phase;
  switch (event.type) {
    case 'start':
      t.emit({ type: 'set-leds', pattern: ledFor(phase) });
      t.redraw();
      return;
    case 'card-inserted':
      if (event.slot === 'card') {
        t.device.cardPresent = true;
        t.device.readerAvailable = true;
        if (phase.name === 'idle' || phase.name === 'staff-place-card') startRead(t, 'card');
        // A smartphone session showing its result: the next patient's card ends it (issue 11 item 6).
        else if (t.data.slot === 'smartphone' && isResting(phase)) t.endSession('done');
        else t.log('debug', 'card-inserted-ignored', { phase: phase.name });
      } else {
        t.device.phonePresent = true;
        if (phase.name === 'phone-hold') startRead(t, 'smartphone');
        else t.log('debug', 'phone-ignored', { phase: phase.name });
      }
      return;
    case 'card-removed':
      if (event.slot === 'card') {
        t.device.cardPresent = false;
        if (t.data.slot === 'card' || phase.name === 'remove-card') t.endSession('removed');
        else if (phase.name === 'staff-place-card') t.log('debug', 'card-removed-before-read');
      } else {
        t.device.phonePresent = false;
        // The phone is only needed while it is read and while its PIN is checked.
        if ((phase.name === 'reading' || phase.name === 'pin-checking') && t.data.slot === 'smartphone') {
          t.go({ name: 'phone-hold', kind: t.data.phoneKind ?? 'iphone', retry: true });
        } else if (t.data.slot === 'smartphone' && isResting(phase)) {
          // Its result screen ends with the phone, as a card session's ends with the card.
          t.endSession('removed');
        }
      }
      return;
    case 'card-read': {
      if (phase.name !== 'reading' || phase.slot !== event.slot) return unexpected(t, event);
      const card = event.card;
      t.data.card = { ...card };
      t.log('info', 'card-read', { slot: event.slot, certificate: card.certificateStatus, revoked: card.revoked, revocationUnknown: card.revocationUnknown === true });
      if (card.revoked || card.certificateStatus === 'expired') {
        t.record({ status: 'not-confirmed', consented: false, error: { kind: card.revoked ? 'certificate-revoked' : 'certificate-expired' } });
        t.emit({ type: 'beep', pattern: 'error' });
        t.go({ name: 'revoked' });
        return;
      }
      if (event.slot === 'smartphone') {
        if (t.data.phoneKind === 'android') {
          const pin = t.data.pendingPin;
          if (pin === null) {
            t.go({ name: 'pin', digits: '', purpose: 'smartphone' });
            return;
          }
          t.data.pendingPin = null;
          t.go({ name: 'pin-checking', purpose: 'smartphone' });
          t.emit({ type: 'verify-pin', slot: 'smartphone', pin: secret(pin) });
        } else {
          // iPhone: the holder already authenticated biometrically on the phone (SPEC §3.2).
          identified(t, 'smartphone');
        }
        return;
      }
      if (!card.registeredForInsurance) {
        t.go({ name: 'registration-offer' });
        return;
      }
      afterCardRead(t);
      return;
    }
    case 'card-read-failed':
      if (phase.name === 'querying' && event.slot === 'smartphone' && t.data.slot === 'smartphone') {
        // The iPhone left the reader before it signed: nothing reached the backend (SPEC §3.2).
        t.log('info', 'phone-removed-before-signature');
        t.endSession('removed');
        return;
      }
      if (phase.name === 'pin-checking' && phase.purpose === event.slot) {
        // The card (or phone) stopped answering while its PIN was checked.
        t.log('info', 'pin-check-failed', { slot: event.slot, reason: event.reason });
        if (event.slot === 'smartphone') t.go({ name: 'phone-hold', kind: t.data.phoneKind ?? 'android', retry: true });
        else if (!t.device.cardPresent) t.endSession('removed');
        else t.toCounter({ kind: 'card-read', detail: event.reason });
        return;
      }
      if (phase.name !== 'reading' || phase.slot !== event.slot) return unexpected(t, event);
      t.log('info', 'card-read-failed', { slot: event.slot, reason: event.reason });
      if (event.slot === 'smartphone') t.go({ name: 'phone-hold', kind: t.data.phoneKind ?? 'iphone', retry: true });
      else if (event.reason === 'removed' && !t.device.cardPresent) t.endSession('removed');
      else t.toCounter({ kind: 'card-read', detail: event.reason });
      return;
    case 'button':
      onButton(t, event.id);
      return;
    case 'pin-digit':
      digitEntry(t, event.digit);
      return;
    case 'pin-verified':
      if (phase.name !== 'pin-checking') return unexpected(t, event);
      if (t.data.card) t.data.card.pinTriesLeft = 3;
      identified(t, phase.purpose === 'smartphone' ? 'smartphone' : 'pin');
      return;
    case 'pin-wrong':
      if (phase.name !== 'pin-checking') return unexpected(t, event);
      if (t.data.card) t.data.card.pinTriesLeft = event.triesLeft;
      t.log('info', 'pin-wrong', { triesLeft: event.triesLeft });
      t.go({ name: 'pin', digits: '', purpose: phase.purpose, wrong: true });
      return;
    case 'pin-locked':
      if (phase.name !== 'pin-checking') return unexpected(t, event);
      if (t.data.card) t.data.card.pinTriesLeft = 0;
      t.record({ status: 'not-confirmed', consented: false, error: { kind: 'pin-locked' }, fallback: staffFallbackFor({ kind: 'pin-locked' }) });
      t.emit({ type: 'beep', pattern: 'error' });
      t.go({ name: 'pin-locked' });
      return;
    case 'face-result':
      // A late answer of an attempt that was overtaken (the camera failed first, the patient
      // cancelled): the flow has moved on, so it is dropped, not treated as an impossible event.
      if (phase.name !== 'face') {
        t.log('debug', 'late-event', { phase: phase.name, event: event.type });
        return;
      }
      if (event.outcome === 'match') identified(t, 'face');
      else if (event.outcome === 'card-photo-unavailable') t.go({ name: 'face-failed', reason: 'card-photo' });
      else faceFailed(t, event.outcome, event.hint);
      return;
    case 'camera-failed':
      if (phase.name !== 'face') {
        t.log('info', 'camera-failed', { phase: phase.name });
        if (t.data.card) t.data.cameraFailed = true;
        if (phase.name === 'method') t.go({ name: 'method' });
        return;
      }
      t.data.cameraFailed = true;
      t.log('warn', 'camera-failed', { phase: phase.name });
      t.go({ name: 'face-failed', reason: 'camera' });
      return;
    case 'backend-result':
      if (phase.name !== 'querying') return unexpected(t, event);
      t.data.qualification = structuredClone(event.result);
      t.log('info', 'backend-result', { status: event.result.status });
      if (event.result.status !== 'qualified') {
        const cause: FailureCause = { kind: 'qualification', detail: event.result.status };
        t.record({ status: event.result.status, consented: false, error: cause, fallback: staffFallbackFor(cause) });
        t.emit({ type: 'beep', pattern: 'error' });
        t.go({ name: 'not-qualified', status: event.result.status });
        return;
      }
      if (t.config.mode === 'qualification-only' || inGrace(t)) done(t, false);
      else if (t.data.consentFirst) done(t, t.data.consentCollected);
      else startConsent(t);
      return;
    case 'backend-failed':
      if (phase.name === 'registering-consent') {
        // The qualification is recorded; only the consents are not (or not known to be): the
        // patient is done, and panel and record say which (issue 11: never a silent mismatch).
        t.data.consentRegistration = event.kind === 'outcome-unknown' ? 'unknown' : 'not-registered';
        t.log('warn', 'consent-not-registered', { kind: event.kind });
        t.record({ status: 'qualified', consented: false, error: { kind: 'consent-registration', detail: event.kind } });
        t.emit({ type: 'beep', pattern: 'error' });
        t.go({ name: 'done' });
        return;
      }
      // pin-checking: the backend could not give the nonce the card (or phone) must sign.
      if (phase.name !== 'querying' && phase.name !== 'registering' && phase.name !== 'pin-checking') return unexpected(t, event);
      t.toCounter(phase.name === 'registering' ? { kind: 'insurance-registration' } : { kind: 'backend', detail: event.kind });
      return;
    case 'insurance-registered':
      if (phase.name !== 'registering') return unexpected(t, event);
      t.data.wantsInsuranceRegistration = false;
      // Seed 003: the patient is told the registration is done before the flow goes on.
      t.go({ name: 'registration-done' });
      return;
    case 'consent-registered':
      if (phase.name !== 'registering-consent') return unexpected(t, event);
      t.data.consentRegistration = 'registered';
      if (t.data.limitAnswered) {
        // The limit info added after done (seed 000 現行): the session was recorded already.
        t.go({ name: 'done' });
        return;
      }
      done(t, true);
      return;
    case 'reader-availability':
      if (event.slot !== 'card') {
        if (!event.available) t.device.phonePresent = false;
        return;
      }
      if (t.device.readerAvailable === event.available) return;
      t.device.readerAvailable = event.available;
      t.log('info', 'reader-availability', { available: event.available });
      if (!event.available) t.device.cardPresent = false;
      if (phase.name === 'idle') {
        t.emit({ type: 'set-leds', pattern: 'idle' });
        if (event.available && t.device.cardPresent) t.toIdle();
        else t.redraw();
      }
      return;
    case 'backend-availability':
      if (t.device.backendAvailable === event.available) return;
      t.device.backendAvailable = event.available;
      t.log('info', 'backend-availability', { available: event.available });
      if (phase.name === 'idle') {
        t.emit({ type: 'set-leds', pattern: 'idle' });
        t.redraw();
      }
      return;
    case 'timer-fired':
      onTimer(t, event.timerId);
      return;
    case 'staff-mode':
      // The mode is the reader's setting, not a patient's: it persists until the terminal turns it
      // off and never changes a session in progress (a patient typing a PIN keeps typing it).
      t.device.remoteVisualMode = event.on;
      t.log('info', 'remote-visual-mode', { on: event.on });
      if (!event.on) {
        t.device.terminalVisualConfirmed = false;
        // A patient waiting for the terminal's confirmation chooses a method as usual.
        if (phase.name === 'terminal-visual-wait') t.go({ name: 'method' });
        else if (phase.name === 'idle') t.redraw();
        return;
      }
      if (phase.name === 'idle') t.redraw();
      return;
    case 'terminal-visual-confirmed':
      if (!t.device.remoteVisualMode) {
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
      return;
    case 'staff-passcode-result':
      if (phase.name !== 'staff-checking') return unexpected(t, event);
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
      return;
    default: {
      const never: never = event;
      t.log('warn', 'unknown-event', { event: String((never as { type?: unknown }).type) });
    }
  }
}

/** The longest staff passcode lockout, however often it escalated (issue 11 item 5). */
export const MAX_STAFF_LOCKOUT_MS = 24 * 3_600_000;

/** Each lockout since the last correct passcode doubles the configured period, capped at 24 h. */
export function staffLockoutPeriod(lockoutMs: number, level: number): number {
  return Math.min(lockoutMs * 2 ** Math.min(level, 32), MAX_STAFF_LOCKOUT_MS);
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

/** A convenience holder for the wiring: current state + `dispatch(event, now)`. */
export function createEngine(config: FacilityConfig) {
  let state = initialSession(config);
  return {
    get state(): SessionState {
      return state;
    },
    start(now: number): SessionEffect[] {
      return startEffects(state, now);
    },
    dispatch(event: SessionEvent, now: number): SessionEffect[] {
      const result = step(state, event, now);
      state = result.state;
      return result.effects;
    },
    view(now: number): PanelView {
      return viewOf(state, now);
    },
  };
}
