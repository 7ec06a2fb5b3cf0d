/**
 * The technician console on the board's UART (SPEC §1 table): a line-oriented command shell for
 * service technicians — reader status, the day's counters (SPEC §9), the backend circuit, the
 * configuration summary. English only (technicians), and never personal data: the session state
 * is shown as the screen id, counters are counts.
 *
 * The shell (`TechnicianShell`) is pure text in → text out; the console binds it to a serial port
 * with `serialport` (on the rig, one end of a `socat` pty pair).
 */
import type { Logger } from '../../log/logger';

export interface ConsoleStatus {
  screen: string;
  cardPresent: boolean;
  phonePresent: boolean;
  backendCircuit: string;
  /** The card reader and pcscd are there (issue 11 item 7). */
  readerAvailable?: boolean;
  /** Result files for the reception computer (issue 15), e.g. `failing (ENOSPC), 2 waiting`. */
  resultFolder?: string;
  faceAvailable: boolean;
  facility: string;
  mode: string;
  uptimeSeconds: number;
  /** The staff passcode lockout: failures, lockout until, escalation level (issue 11 item 5). */
  staffLockout?: { failures: number; lockedUntil: number; level: number; now: number };
  /** The durable state file: `ok` or what went wrong with it. */
  stateFile?: string;
  /** The fleet metrics endpoint (issue 17): its URL, or absent when metrics are off. */
  metrics?: string;
}

export interface ConsoleCounters {
  day: string;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  /** Seed 000 statistics (issue 16 item 7): smartphones by platform, information acquired, unfinished sessions. */
  byPlatform?: Record<string, number>;
  acquired?: Record<string, number>;
  ended?: Record<string, number>;
  /** マイナ保険証利用件数 (the usage rate's numerator). */
  mynaConfirmations?: number;
}

export interface ConsoleMonthCounters extends Omit<ConsoleCounters, 'day'> {
  period: string;
}

/** What the shell can ask the running service. */
export interface ConsoleBackend {
  status(): ConsoleStatus;
  counters(): ConsoleCounters;
  /** The current month, summed over its days. */
  monthCounters?(): ConsoleMonthCounters;
  version(): string;
  /**
   * The last counter session's staff guidance (SPEC §8), rendered in Japanese as the reception
   * terminal shows it: cause and seed wording only, never personal data. Undefined: none yet.
   */
  guidance?(): string[] | undefined;
  /**
   * Stops the service's event loop for good, shortly after the answer is sent: the field check
   * that systemd's watchdog (WatchdogSec in the unit) restarts a hung service (issue 17 HIL tier).
   */
  hangEventLoop(): void;
}

const HELP = ['commands:', '  status    reader, backend and face state', '  counters  today\'s and this month\'s confirmations by method, platform, result and information acquired, unfinished sessions, errors (SPEC §9); `counters json` for an export', '  guidance  the staff guidance of the last session sent to the counter (SPEC §8, Japanese)', '  version   software version', '  watchdog-test  hang the service on purpose: systemd\'s watchdog must restart it', '  help      this list'];

export class TechnicianShell {
  constructor(private readonly backend: ConsoleBackend) {}

  /** One command line → the lines to answer (always ends with a prompt line `ok` or `error …`). */
  handle(line: string): string[] {
    const [cmd, ...rest] = line.trim().split(/\s+/);
    if (!cmd) return [];
    // `counters json`: the machine-readable export (one JSON line: today and this month).
    if (cmd === 'counters' && rest.length === 1 && rest[0] === 'json') {
      return [JSON.stringify({ today: this.backend.counters(), ...(this.backend.monthCounters ? { month: this.backend.monthCounters() } : {}) }), 'ok'];
    }
    if (rest.length > 0) return [`error: ${cmd} takes no arguments`];
    switch (cmd) {
      case 'help':
        return [...HELP, 'ok'];
      case 'version':
        return [this.backend.version(), 'ok'];
      case 'guidance': {
        const g = this.backend.guidance?.();
        return g && g.length > 0 ? [...g, 'ok'] : ['no staff guidance since the service started', 'ok'];
      }
      case 'watchdog-test':
        this.backend.hangEventLoop();
        return ['hanging the event loop: the watchdog restarts the service', 'ok'];
      case 'status': {
        const s = this.backend.status();
        return [
          `facility: ${s.facility} (${s.mode})`,
          `screen: ${s.screen}`,
          `card: ${s.cardPresent ? 'present' : 'absent'}  phone: ${s.phonePresent ? 'present' : 'absent'}`,
          ...(s.readerAvailable === false ? ['card reader: unavailable (pcscd or reader away; being prepared)'] : []),
          `backend circuit: ${s.backendCircuit}${s.backendCircuit === 'open' ? ' (backend unreachable)' : ''}`,
          `face authentication: ${s.faceAvailable ? 'available' : 'unavailable'}`,
          ...(s.resultFolder ? [`result files: ${s.resultFolder}`] : []),
          `uptime: ${s.uptimeSeconds}s`,
          ...(s.staffLockout ? [staffLockoutLine(s.staffLockout)] : []),
          ...(s.stateFile ? [`state file: ${s.stateFile}`] : []),
          ...(s.metrics ? [`metrics: ${s.metrics}`] : []),
          'ok',
        ];
      }
      case 'counters': {
        const c = this.backend.counters();
        const fmt = (r: Record<string, number>) => (Object.keys(r).length === 0 ? '-' : Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' '));
        const extra = (x: Omit<ConsoleCounters, 'day'>): string[] => [
          ...(x.byPlatform ? [`smartphones: ${fmt(x.byPlatform)}`] : []),
          ...(x.acquired ? [`information acquired: ${fmt(x.acquired)}`] : []),
          ...(x.ended ? [`unfinished: ${fmt(x.ended)}`] : []),
          ...(x.mynaConfirmations !== undefined ? [`my number card confirmations: ${x.mynaConfirmations}`] : []),
        ];
        const m = this.backend.monthCounters?.();
        const month = m ? [`month: ${m.period}`, `  by method: ${fmt(m.byMethod)}`, `  by result: ${fmt(m.byStatus)}`, ...extra(m).map((l) => `  ${l}`)] : [];
        return [`day: ${c.day}`, `by method: ${fmt(c.byMethod)}`, `by result: ${fmt(c.byStatus)}`, `errors: ${fmt(c.errors)}`, ...extra(c), ...month, 'ok'];
      }
      default:
        return [`error: unknown command ${cmd} (try help)`];
    }
  }
}

function staffLockoutLine(l: NonNullable<ConsoleStatus['staffLockout']>): string {
  const locked = l.lockedUntil > l.now ? `locked until ${new Date(l.lockedUntil).toISOString()} (${Math.ceil((l.lockedUntil - l.now) / 1000)} s left)` : 'not locked';
  return `staff passcode: ${locked}, wrong codes ${l.failures}, lockout level ${l.level}`;
}

export interface SerialConsoleOptions {
  path: string;
  baudRate?: number;
  shell: TechnicianShell;
  log: Logger;
}

export interface SerialConsole {
  close(): Promise<void>;
}

/** Binds the shell to a serial port: one command per line, CRLF answers as terminals expect. */
export async function openSerialConsole(o: SerialConsoleOptions): Promise<SerialConsole> {
  const { SerialPort } = await import('serialport');
  const { ReadlineParser } = await import('@serialport/parser-readline');
  const port = new SerialPort({ path: o.path, baudRate: o.baudRate ?? 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const lines = port.pipe(new ReadlineParser({ delimiter: '\n' }));
  lines.on('data', (line: string) => {
    const answer = o.shell.handle(line.replace(/\r$/, ''));
    if (answer.length > 0) port.write(answer.join('\r\n') + '\r\n');
  });
  port.on('error', (err) => o.log.error(`technician console: ${err.message}`));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
