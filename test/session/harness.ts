/**
 * A tiny driver for engine tests: keeps the state and a clock, feeds events, answers timers by id,
 * and exposes the last screen request. Buttons are pressed by id, and only if the screen offers
 * them: engine tests never see a word of Japanese (the UI tests render it).
 */
import { defaultRigConfig } from '../../rig/rig-config';
import type { FacilityConfig } from '../../src/config/schema';
import type { ConfigOverrides } from '../../src/config/load';
import { initialSession, step } from '../../src/session/engine';
import type { SessionEffect } from '../../src/session/effects';
import type { CardReadInfo, QualificationResult, SessionEvent } from '../../src/session/events';
import type { SessionState } from '../../src/session/state';
import type { ButtonId, ScreenRequest } from '../../src/session/screen';

export const goodCard: CardReadInfo = {
  certificateStatus: 'valid',
  revoked: false,
  pinSet: true,
  pinTriesLeft: 3,
  registeredForInsurance: true,
  cardFaceAvailable: true,
};

export const qualified: QualificationResult = {
  status: 'qualified',
  patientName: '山田花子',
  referralLetters: [],
};

export class Driver {
  state: SessionState;
  now = 1_000_000;
  effects: SessionEffect[] = [];
  all: SessionEffect[] = [];
  readonly config: FacilityConfig;

  constructor(overrides: ConfigOverrides = {}) {
    this.config = defaultRigConfig(overrides);
    this.state = initialSession(this.config);
  }

  send(event: SessionEvent): SessionEffect[] {
    const r = step(this.state, event, this.now);
    this.state = r.state;
    this.effects = r.effects;
    this.all.push(...r.effects);
    return r.effects;
  }

  /** Press a button the current screen offers (throws if it does not). */
  tap(id: ButtonId): SessionEffect[] {
    if (!this.screen.buttons.includes(id)) throw new Error(`no button ${id} on ${this.screen.kind}: ${this.screen.buttons.join(', ')}`);
    return this.send({ type: 'button', id });
  }

  digits(text: string): void {
    for (const ch of text) this.send({ type: 'pin-digit', digit: Number(ch) });
  }

  /** Let the running screen timer fire (advancing the clock to its deadline). */
  timeout(): SessionEffect[] {
    const timer = this.state.timer;
    if (!timer) throw new Error(`no timer on ${this.state.phase.name}`);
    this.now = timer.deadline;
    return this.send({ type: 'timer-fired', timerId: timer.id });
  }

  /** The last screen shown. */
  get screen(): ScreenRequest {
    const shows = this.of('show', this.all);
    const last = shows[shows.length - 1];
    if (!last) throw new Error('nothing shown yet');
    return last.screen;
  }

  /** The screen shown last, without its countdown (for `deepEqual` on what the screen says). */
  get shown(): ScreenRequest {
    const { countdownSeconds: _countdown, ...rest } = this.screen;
    return rest;
  }

  /** Every screen shown so far. */
  get screens(): ScreenRequest[] {
    return this.of('show', this.all).map((e) => e.screen);
  }

  get phase(): string {
    return this.state.phase.name;
  }

  of<T extends SessionEffect['type']>(type: T, effects = this.effects): Extract<SessionEffect, { type: T }>[] {
    return effects.filter((e): e is Extract<SessionEffect, { type: T }> => e.type === type);
  }

  /** Place a card and answer the read. */
  placeCard(card: Partial<CardReadInfo> = {}): void {
    this.send({ type: 'card-inserted', slot: 'card' });
    this.send({ type: 'card-read', slot: 'card', card: { ...goodCard, ...card } });
  }
}
