/**
 * A tiny driver for engine tests: keeps the state and a clock, feeds events, answers timers by id,
 * and exposes the last screen.
 */
import { defaultRigConfig } from '../../rig/rig-config';
import type { FacilityConfig } from '../../src/config/schema';
import type { ConfigOverrides } from '../../src/config/load';
import { initialSession, step } from '../../src/session/engine';
import type { SessionEffect } from '../../src/session/effects';
import type { CardReadInfo, QualificationResult, SessionEvent } from '../../src/session/events';
import type { SessionState } from '../../src/session/state';
import type { PanelView } from '../../src/ui/panel-view';

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

  tap(label: string): SessionEffect[] {
    const button = this.view.buttons.find((b) => b.label === label || b.id === label);
    if (!button) throw new Error(`no button "${label}" on ${this.view.screenId}: ${this.view.buttons.map((b) => b.label).join(', ')}`);
    return this.send({ type: 'button', id: button.id });
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

  get view(): PanelView {
    const shows = this.all.filter((e): e is Extract<SessionEffect, { type: 'show' }> => e.type === 'show');
    const last = shows[shows.length - 1];
    if (!last) throw new Error('nothing shown yet');
    return last.view;
  }

  get text(): string {
    return [this.view.title ?? '', ...this.view.lines, this.view.hint ?? ''].join('\n');
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
