/**
 * One step's transaction: a working copy of the state plus the effects the step produces. Every
 * flow module (consent, staff, phone, face, PIN) moves the session through `go()`, which enters a
 * phase as the phase table (`./phases`) describes it: camera, screen timer, LEDs, screen request.
 */
import type { FacilityConfig } from '../config/schema';
import type { FailureCause, SessionEffect, SessionOutcome } from './effects';
import type { SessionEvent } from './events';
import { startRead } from './flow';
import { staffGuidanceFor } from './staff-guidance';
import { phaseSpec, screenOf } from './phases';
import { emptySessionData, type DeviceState, type Phase, type SessionData, type SessionState } from './state';

export class Step {
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

  get data(): SessionData {
    return this.state.data;
  }

  get device(): DeviceState {
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
    const timeout = phaseSpec(phase).timeout;
    const key = typeof timeout === 'function' ? timeout(this.state) : timeout;
    if (key) {
      const ms = this.config.timeouts[key];
      this.device.timerSeq += 1;
      const id = `screen-${this.device.timerSeq}`;
      this.state.timer = { id, deadline: this.now + ms };
      this.emit({ type: 'start-timer', id, ms });
    }
    const led = phaseSpec(phase).led;
    if (phaseSpec(prev).led !== led) this.emit({ type: 'set-leds', pattern: led });
    if (prev.name !== phase.name) this.log('debug', 'screen', { from: prev.name, to: phase.name });
    this.redraw();
  }

  /** Redraw without changing phase or timer (e.g. the idle hint after the terminal's switch). */
  redraw(): void {
    this.emit({ type: 'show', screen: screenOf(this.state, this.now) });
  }

  record(outcome: Omit<SessionOutcome, 'method' | 'notices' | 'guidance' | 'platform' | 'acquired'> & { method?: SessionOutcome['method'] }): void {
    if (this.data.recorded) return;
    this.data.recorded = true;
    const full: SessionOutcome = {
      method: outcome.method ?? this.data.identity ?? 'none',
      status: outcome.status,
      consented: outcome.consented,
      notices: [...this.data.notices],
    };
    // SPEC §9 / seed 000 statistics (issue 16 item 7): Android and iPhone apart, the information
    // acquired by the consents given, and how an unfinished session ended. Counts only.
    if (full.method === 'smartphone' && this.data.phoneKind) full.platform = this.data.phoneKind;
    if (outcome.status === 'qualified' && outcome.consented) {
      const c = this.data.consent.categories;
      full.acquired = { surgery: c.surgery === true, clinical: c.clinical === true, medication: c.medication === true || c.clinical === true, checkup: c.checkup === true };
    }
    if (outcome.ended) full.ended = outcome.ended;
    if (this.data.consentFirst) {
      full.kind = 'home-consent';
      if (outcome.status === 'qualified' && outcome.consented) full.viewingLimit = 'day-after-visit';
    }
    if (outcome.error) {
      full.error = outcome.error;
      // Every session that stops with a cause carries what staff are told (SPEC §8, issue 16 item 6).
      const guidance = staffGuidanceFor(outcome.error);
      if (guidance) full.guidance = guidance;
    }
    this.emit({ type: 'record-result', outcome: full });
  }

  /** Wipe everything personal; keep device memory. Land on idle, or ask for the card back. */
  endSession(reason: 'removed' | 'timeout' | 'quit' | 'impossible' | 'done'): void {
    // An abandoned session (quit, timeout, card pulled) still counts once for SPEC §9.
    if (this.data.card && !this.data.recorded) {
      const ended = reason === 'quit' || reason === 'timeout' || reason === 'removed' ? reason : undefined;
      this.record({ status: 'not-confirmed', consented: false, ...(ended ? { ended } : {}) });
    }
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

  /** Send the patient to the counter; staff get the SPEC §8 guidance through the record. */
  toCounter(cause: FailureCause): void {
    this.record({ status: cause.kind === 'qualification' ? cause.detail : 'not-confirmed', consented: false, error: cause });
    this.emit({ type: 'beep', pattern: 'error' });
    this.log('info', 'to-counter', { cause: cause.kind });
    this.go({ name: 'counter', cause });
  }

  /**
   * An event this screen does not expect: on a resting screen (nothing awaited from a device) a
   * late answer is harmless and dropped; anywhere else the session is wiped to a safe screen.
   */
  unexpected(event: SessionEvent): void {
    if (phaseSpec(this.phase).resting) {
      this.log('debug', 'late-event', { phase: this.phase.name, event: event.type });
      return;
    }
    this.impossible(event);
  }

  impossible(event: SessionEvent): void {
    this.log('warn', 'impossible-transition', { phase: this.phase.name, event: event.type });
    this.endSession('impossible');
  }
}
