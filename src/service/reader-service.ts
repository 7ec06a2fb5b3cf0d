/**
 * The reader service: the only place where the pure session engine meets the devices. Events
 * from the card readers, the panel, the GPIO staff button, timers and finished effects go
 * through one serial queue into `step()`; the effects it returns are carried out here, through the
 * ports. Every async effect belongs to the session it was started for (issue 11): it captures that
 * session's memory when it starts, writes only into it, and its result event is dispatched only if
 * that session is still the current one. A wipe closes the session's memory (late writes into it
 * are zeroed and dropped) and opens the next one, so one patient's certificate, proof or
 * reception can never reach the next patient.
 */
import type { Logger } from '../log/logger';
import type { FacilityConfig } from '../config';
import { initialSession, screenOf, startEffects, step } from '../session/engine';
import { BUTTON } from '../session/screen';
import { renderScreen } from '../ui/text/screens';
import type { SessionEvent } from '../session/events';
import { describeEffect, type SessionEffect, type SessionOutcome } from '../session/effects';
import type { ConfirmationResponse, Consents } from '../backend/protocol';
import type { SessionState } from '../session/state';
import type { PanelDriver, PanelInput } from '../ui/panel/panel-driver';
import type { ReaderIndicators } from '../devices/gpio/gpio';
import { FlashNotShownError, type CardPort, type FaceFlashPanel, type FacePort, type QualificationPort, type StaffPasscodePort } from './ports';
import { DailyCounters } from './daily-counters';
import type { StaffGuidance } from '../session/staff-guidance';
import { SessionMemories, type SessionMemory } from './adapters/session-memory';
import { staffLockoutChanged, staffLockoutOf, type DeviceStateStore } from './device-state-store';
import { guardedMetrics, noMetrics, type ReaderMetrics } from './metrics-port';

/** How long the colour flash waits for the panel to acknowledge a colour (a frame is ~17 ms at 60 Hz). */
export const FLASH_ACK_MS = 1000;

export interface ReaderServiceDeps {
  config: FacilityConfig;
  card: CardPort;
  backend: QualificationPort;
  face: FacePort;
  staffPasscode: StaffPasscodePort;
  panel: PanelDriver;
  indicators: ReaderIndicators;
  log: Logger;
  clock?: () => number;
  /** The per-session memories the adapters write into; the service renews it on every wipe. */
  sessions?: SessionMemories;
  /**
   * A session ended holding a reception the backend recorded: its answer and consents, for the
   * result document the reception computer reads (issue 15). Called once per session, before the
   * session's memory is wiped; it must copy what it keeps.
   */
  onReceptionFinished?(finished: FinishedReception): void;
  /** Durable lockout and counters (issue 11 item 5); absent: RAM only (unit tests). */
  deviceState?: DeviceStateStore;
  /** The fleet metrics hook (issue 17, SPEC §9); absent: none. */
  metrics?: ReaderMetrics;
}

export interface FinishedReception {
  /** Unique per session on this device (not personal). */
  sessionId: number;
  response: ConfirmationResponse;
  consents?: Consents;
  outcome: SessionOutcome;
}

export class ReaderService {
  private state: SessionState;
  private readonly sessions: SessionMemories;
  private queue: SessionEvent[] = [];
  private draining = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly clock: () => number;
  private pending = new Set<Promise<void>>();
  readonly counters = new DailyCounters();
  /** The staff guidance of the last session that stopped with a cause (SPEC §8), for the terminal and console. */
  private lastGuidance: StaffGuidance | undefined;
  private stopped = false;
  private readonly metrics: ReaderMetrics;
  /** 職員を呼ぶ presses not yet cleared by staff (issue 16): ids and times only, nothing personal. */
  private pendingStaffCalls: { id: string; at: string }[] = [];
  private staffCallSeq = 0;
  /** The face attempt in progress: hints and results of an earlier, abandoned attempt are dropped. */
  private faceAttemptSeq = 0;
  /** When the session in progress left the idle screen (service clock), for its duration. */
  private sessionStartedAt: number | undefined;

  constructor(private readonly deps: ReaderServiceDeps) {
    this.clock = deps.clock ?? Date.now;
    // A metrics fault is logged, never a reason to stop serving patients.
    this.metrics = guardedMetrics(deps.metrics ?? noMetrics, (method, e) => deps.log.error(`metrics ${method} failed: ${(e as Error).name}`));
    this.sessions = deps.sessions ?? new SessionMemories();
    this.state = initialSession(deps.config);
    if (deps.deviceState) {
      const loaded = deps.deviceState.load();
      Object.assign(this.state.device, loaded.state.staff);
      this.counters.restore(loaded.state.counters);
    }
  }

  /** Writes the lockout and counters to the state file (after a lockout change or a session's end). */
  private saveDeviceState(): void {
    this.deps.deviceState?.save({ staff: staffLockoutOf(this.state.device), counters: this.counters.snapshot() });
  }

  /** Subscribes to the devices and shows the idle screen. */
  start(): void {
    const { card, panel, indicators } = this.deps;
    this.unsubscribe.push(
      card.onPresence((e) => {
        switch (e.type) {
          case 'inserted':
            return this.dispatch({ type: 'card-inserted', slot: e.slot });
          case 'unresponsive':
            return this.dispatch({ type: 'card-unresponsive', slot: e.slot });
          case 'removed':
            return this.dispatch({ type: 'card-removed', slot: e.slot });
          case 'reader-available':
          case 'reader-unavailable':
            return this.dispatch({ type: 'reader-availability', slot: e.slot, available: e.type === 'reader-available' });
        }
      }),
      panel.onInput((input: PanelInput) => this.dispatch(input.type === 'digit' ? { type: 'pin-digit', digit: Number(input.digit) } : { type: 'button', id: input.id })),
      indicators.onInput((input, active) => {
        if (input === 'staffButton' && active) this.dispatch({ type: 'button', id: BUTTON.staffStart });
        if (input === 'presenceSensor') this.dispatch({ type: 'presence', active });
      }),
    );
    const offBackend = this.deps.backend.onAvailabilityChange?.((available) => this.dispatch({ type: 'backend-availability', available }));
    if (offBackend) this.unsubscribe.push(offBackend);
    // The metrics start from what the service knows now; later changes are reported as they happen.
    this.metrics.deviceState({ device: 'card-reader', up: this.state.device.readerAvailable });
    this.metrics.deviceState({ device: 'backend-breaker', open: !this.deps.backend.available() });
    this.reportLockout();
    for (const effect of startEffects(this.state, this.clock())) this.perform(effect);
    // The engine shows a screen when something changes; the countdown of a waiting screen is
    // redrawn here once a second from the running timer's deadline (SPEC §3: visible timeouts).
    const ticker = setInterval(() => this.tickCountdown(), 1000);
    ticker.unref();
    this.unsubscribe.push(() => clearInterval(ticker));
  }

  private tickCountdown(): void {
    const shown = this.deps.panel.current();
    if (this.stopped || !this.state.timer || shown?.countdownSeconds === undefined) return;
    const screen = screenOf(this.state, this.clock());
    if (screen.countdownSeconds !== shown.countdownSeconds) this.deps.panel.show(renderScreen(screen, this.deps.config));
  }

  /**
   * The rig changed what its camera plays: restart the camera so the next frames come from the
   * new source (a real camera never needs this).
   */
  async faceCameraChanged(): Promise<void> {
    const face = this.deps.face;
    if (this.state.phase.name !== 'face') return;
    await face.stopCamera();
    await face.startCamera();
  }

  /** The reception terminal's 目視確認 mode switch (SPEC §3.1, seed 000 p.27): on until turned off. */
  setTerminalVisualMode(on: boolean): void {
    this.dispatch({ type: 'terminal-visual-mode', on });
  }

  /** Staff ticked 「目視で本人確認完了」 on the reception terminal (seed 000 p.27). */
  terminalVisualConfirmed(): void {
    this.dispatch({ type: 'terminal-visual-confirmed' });
  }

  /** The staff calls waiting at the reception terminal (issue 16). */
  staffCalls(): { id: string; at: string }[] {
    return this.pendingStaffCalls.map((c) => ({ ...c }));
  }

  /** Staff answered the calls (the terminal's clear): returns how many were cleared. */
  clearStaffCalls(): number {
    const n = this.pendingStaffCalls.length;
    this.pendingStaffCalls = [];
    if (n > 0) this.deps.log.info(`staff calls cleared count=${n}`, { event: 'staff-calls-cleared' });
    return n;
  }

  /** What staff were last told to do at the counter (no personal data: cause, steps, routes). */
  guidance(): StaffGuidance | undefined {
    return this.lastGuidance;
  }

  current(): SessionState {
    return this.state;
  }

  dispatch(event: SessionEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const next = this.queue.shift()!;
        const before = this.state;
        const { state, effects } = step(this.state, next, this.clock());
        const lockoutChanged = staffLockoutChanged(this.state.device, state.device);
        this.state = state;
        if (lockoutChanged) this.saveDeviceState();
        this.observe(before, next);
        for (const effect of effects) this.perform(effect);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Tells the metrics hook what one step changed: a session's start, a failure, a device state. */
  private observe(before: SessionState, event: SessionEvent): void {
    const after = this.state;
    const m = this.metrics;
    if (before.phase.name === 'idle' && after.phase.name !== 'idle') {
      this.sessionStartedAt = this.clock();
      m.sessionStarted();
    }
    if (before.device.readerAvailable !== after.device.readerAvailable) m.deviceState({ device: 'card-reader', up: after.device.readerAvailable });
    if (staffLockoutChanged(before.device, after.device)) this.reportLockout();
    switch (event.type) {
      case 'card-read-failed':
        m.failure({ kind: 'card-read', detail: event.reason });
        return;
      case 'backend-failed':
        m.failure({ kind: 'backend', detail: event.kind });
        m.deviceState({ device: 'backend', up: false });
        return;
      case 'backend-result':
      case 'consent-registered':
      case 'insurance-registered':
        m.deviceState({ device: 'backend', up: true });
        return;
      case 'camera-failed':
        m.failure({ kind: 'camera' });
        m.deviceState({ device: 'camera', up: false });
        return;
      case 'face-result':
        m.deviceState({ device: 'camera', up: true });
        return;
      case 'backend-availability':
        m.deviceState({ device: 'backend-breaker', open: !event.available });
        return;
      default:
        return;
    }
  }

  private reportLockout(): void {
    const d = this.state.device;
    this.metrics.deviceState({ device: 'staff-lockout', lockedUntil: d.staffLockedUntil, level: d.staffLockoutLevel, failures: d.staffFailures });
  }

  /** Waits until every effect started so far has finished (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.settle();
    this.wipe();
    await this.deps.face.stopCamera();
  }

  /** The memory of the session in progress (tests and the rig's privacy checks). */
  currentSessionMemory(): SessionMemory {
    return this.sessions.current();
  }

  private wipe(): void {
    this.sessions.renew();
    this.deps.card.wipe();
    this.deps.backend.wipe();
    this.deps.face.wipe();
  }

  /**
   * Runs an async effect for the current session; its resulting event is dropped whole if that
   * session ended meanwhile (the adapters captured the same session's memory when called).
   */
  private async_(name: string, work: () => Promise<SessionEvent | undefined>): void {
    const session = this.sessions.current();
    const p = (async () => {
      let event: SessionEvent | undefined;
      try {
        event = await work();
      } catch (e) {
        // A bug in an adapter: log its name only (messages may carry data) and fail safe.
        this.deps.log.error(`${name} failed unexpectedly: ${(e as Error).name}`);
        this.metrics.effectCrashed(name);
        event = failureEventFor(name);
      }
      if (!event) return;
      if (session === this.sessions.current() && !session.closed) this.dispatch(event);
      else this.deps.log.debug(() => `${name}: result for an ended session dropped`);
    })();
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private perform(effect: SessionEffect): void {
    const { log, card, backend, face, panel, indicators, staffPasscode } = this.deps;
    log.debug(() => describeEffect(effect));
    switch (effect.type) {
      case 'show':
        // The engine asks for a screen; the words are the UI's (src/ui/text).
        panel.show(renderScreen(effect.screen, this.deps.config));
        return;
      case 'read-card':
        this.async_('read-card', async () => {
          const r = await card.read(effect.slot);
          return r.ok ? { type: 'card-read', slot: effect.slot, card: r.card } : { type: 'card-read-failed', slot: effect.slot, reason: r.reason };
        });
        return;
      case 'verify-pin':
        this.async_('verify-pin', async () => {
          const r = await card.verifyPin(effect.slot, effect.pin);
          switch (r.kind) {
            case 'verified':
              return { type: 'pin-verified' };
            case 'wrong':
              return { type: 'pin-wrong', triesLeft: r.triesLeft };
            case 'locked':
              return { type: 'pin-locked' };
            case 'failed':
              return { type: 'pin-check-failed', slot: effect.slot, reason: r.reason };
            case 'backend-failed':
              return { type: 'backend-failed', kind: r.failure };
          }
        });
        return;
      case 'start-camera':
        this.async_('start-camera', async () => {
          if (!(await face.startCamera()).ok) return { type: 'camera-failed' };
          this.metrics.deviceState({ device: 'camera', up: true });
          return undefined;
        });
        return;
      case 'stop-camera':
        this.async_('stop-camera', async () => {
          await face.stopCamera();
          return undefined;
        });
        return;
      case 'start-face-match': {
        // The attempt belongs to this session and is the newest one: a patient who cancelled the
        // face screen and came back started another, and the first one's hints and result (its
        // camera was stopped, it ends by timeout) must not land in the second.
        const attempt = ++this.faceAttemptSeq;
        const session = this.sessions.current();
        let answered = false;
        const current = (): boolean => attempt === this.faceAttemptSeq && session === this.sessions.current() && !session.closed;
        // The colour flash (issue 14) goes through the engine like any screen: only the newest
        // attempt of this session, before its answer, lights the panel; the attempt then waits
        // until the panel shows the colour and learns when it did not (it must not judge frames
        // the colour never lit). Giving the screen back never fails.
        const flashPanel: FaceFlashPanel = {
          flash: async (colour) => {
            if (answered || !current()) {
              if (colour) throw new FlashNotShownError(colour);
              return;
            }
            this.dispatch(colour ? { type: 'face-flash', colour } : { type: 'face-flash' });
            // A panel that never acknowledges (its terminal stalled) must not hold the attempt, and
            // with it the service's shutdown, for ever: past the bound the colour counts as not shown.
            let timer: NodeJS.Timeout | undefined;
            const acknowledged = await Promise.race([
              panel.shown().then(() => true),
              new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), FLASH_ACK_MS))),
            ]).finally(() => clearTimeout(timer));
            if (colour && (!acknowledged || panel.current()?.fill !== colour)) throw new FlashNotShownError(colour);
          },
        };
        this.async_('start-face-match', async () => {
          const r = await face
            .match((hint) => {
              if (!answered && current()) this.dispatch({ type: 'face-hint', hint });
            }, flashPanel)
            .finally(() => (answered = true));
          if (!current()) {
            log.debug(() => 'start-face-match: result of an abandoned attempt dropped');
            return undefined;
          }
          if (r.cameraFailed) return { type: 'camera-failed' };
          return { type: 'face-result', outcome: r.outcome, ...(r.hint ? { hint: r.hint } : {}) };
        });
        return;
      }
      case 'query-backend':
        this.async_('query-backend', async () => {
          const r = await backend.query({
            slot: effect.slot,
            method: effect.method,
            ...(effect.visualTrigger ? { visualTrigger: effect.visualTrigger } : {}),
            ...(effect.consentFirst ? { consentFirst: effect.consentFirst } : {}),
          });
          indicators.setLeds(backend.available() ? 'busy' : 'backend-unavailable');
          if (r.ok) return { type: 'backend-result', result: r.result };
          // The iPhone left the reader before it signed: nothing was sent (SPEC §3.2).
          if (r.kind === 'phone-removed') return { type: 'card-read-failed', slot: 'smartphone', reason: 'removed' };
          return { type: 'backend-failed', kind: r.kind };
        });
        return;
      case 'register-consent':
        this.async_('register-consent', async () => {
          const r = await backend.registerConsent(effect.consent, effect.update);
          return r.ok ? { type: 'consent-registered' } : { type: 'backend-failed', kind: r.kind };
        });
        return;
      case 'register-insurance-use':
        this.async_('register-insurance-use', async () => {
          const r = await backend.registerInsuranceUse();
          return r.ok ? { type: 'insurance-registered' } : { type: 'backend-failed', kind: r.kind };
        });
        return;
      case 'check-staff-passcode':
        this.async_('check-staff-passcode', async () => ({ type: 'staff-passcode-result', ok: await staffPasscode.check(effect.passcode) }));
        return;
      case 'start-timer': {
        this.clearTimer(effect.id);
        const t = setTimeout(() => {
          this.timers.delete(effect.id);
          this.dispatch({ type: 'timer-fired', timerId: effect.id });
        }, effect.ms);
        this.timers.set(effect.id, t);
        return;
      }
      case 'cancel-timer':
        this.clearTimer(effect.id);
        return;
      case 'beep':
        indicators.beep(effect.pattern);
        return;
      case 'call-staff': {
        // Issue 16: the buzzer calls across the counter; the terminal lists the call (id, time).
        indicators.beep('call-staff');
        this.staffCallSeq += 1;
        const call = { id: `call-${this.staffCallSeq}`, at: new Date(this.clock()).toISOString() };
        this.pendingStaffCalls.push(call);
        this.metrics.staffCalled();
        log.info(`staff called id=${call.id}`, { event: 'staff-called' });
        return;
      }
      case 'set-leds':
        indicators.setLeds(effect.pattern === 'idle' ? this.idleLeds() : effect.pattern);
        return;
      case 'wipe':
        this.wipe();
        return;
      case 'log': {
        const detail = effect.detail ? ' ' + Object.entries(effect.detail).map(([k, v]) => `${k}=${String(v)}`).join(' ') : '';
        log[effect.level](`${effect.event}${detail}`);
        return;
      }
      case 'record-result': {
        const reception = this.sessions.current().reception;
        if (reception?.response && this.deps.onReceptionFinished) {
          try {
            this.deps.onReceptionFinished({
              sessionId: this.sessions.current().id,
              response: reception.response,
              ...(reception.consentsRecorded ? { consents: reception.consentsRecorded } : {}),
              outcome: effect.outcome,
            });
          } catch (e) {
            log.error(`result hand-over failed: ${(e as Error).name}`);
          }
        }
        this.counters.record(effect.outcome, this.clock());
        this.saveDeviceState();
        const ended = this.clock();
        this.metrics.sessionEnded(effect.outcome, ended - (this.sessionStartedAt ?? ended));
        this.sessionStartedAt = undefined;
        log.info('session ended', { event: 'session-ended', method: effect.outcome.method, status: effect.outcome.status, error: effect.outcome.error?.kind });
        // What staff are told (SPEC §8, issue 16 item 6): ids only, nothing about the patient.
        const g = effect.outcome.guidance;
        if (g) {
          this.lastGuidance = structuredClone(g);
          log.info(`staff guidance cause=${g.cause.kind} steps=${g.steps.join(',')} claim=${g.claimRoutes.map((r) => r.route).join('>')}${g.followUp ? ` follow-up=${g.followUp}` : ''}`);
        }
        return;
      }
      default: {
        const never: never = effect;
        log.error(`unknown effect ${String(never)}`);
      }
    }
  }

  /** Idle LEDs tell staff at a glance what is away: the reader first, then the backend. */
  private idleLeds(): 'idle' | 'reader-unavailable' | 'backend-unavailable' {
    if (!this.state.device.readerAvailable) return 'reader-unavailable';
    if (!this.deps.backend.available()) return 'backend-unavailable';
    return 'idle';
  }

  private clearTimer(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }
}

/** What the flow hears when an effect's adapter crashed: the safe failure for that step. */
function failureEventFor(effect: string): SessionEvent | undefined {
  switch (effect) {
    case 'read-card':
      return { type: 'card-read-failed', slot: 'card', reason: 'reader-error' };
    case 'verify-pin':
      return { type: 'pin-check-failed', slot: 'card', reason: 'reader-error' };
    case 'start-camera':
    case 'start-face-match':
      return { type: 'camera-failed' };
    case 'query-backend':
    case 'register-consent':
    case 'register-insurance-use':
      return { type: 'backend-failed', kind: 'unavailable' };
    case 'check-staff-passcode':
      return { type: 'staff-passcode-result', ok: false };
    default:
      return undefined;
  }
}
