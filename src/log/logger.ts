/**
 * One logger interface for the whole service (STYLE §10): a namespace per module, per-namespace
 * levels, lazy messages for costly text. Privacy (SPEC §5 last paragraph, DEVELOPERS.md): no PIN,
 * passcode, 照合番号, face image, card data or qualification record may reach a log at any level.
 * Callers log *what happened* (counts, status words, durations, error names), never values read
 * from a card or typed by a patient. `redact()` is a last line of defence for strings built from
 * errors, not a licence to log personal data.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

const order: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, silent: 5 };

export type LogMessage = string | (() => string);

export interface Logger {
  trace(msg: LogMessage): void;
  debug(msg: LogMessage): void;
  info(msg: LogMessage): void;
  warn(msg: LogMessage): void;
  error(msg: LogMessage): void;
  child(namespace: string): Logger;
}

export interface LogSink {
  write(line: string): void;
}

/** Masks digit runs of 4+ (PINs, 照合番号, card numbers, insured numbers) and long hex/base64. */
export function redact(text: string): string {
  return text
    .replace(/\d{4,}/g, (m) => '#'.repeat(m.length))
    .replace(/[A-Za-z0-9+/=]{40,}/g, '[blob]');
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Per-namespace overrides, e.g. `{ 'card.apdu': 'trace' }`. */
  levels?: Record<string, LogLevel>;
  sink?: LogSink;
  clock?: () => Date;
  /**
   * Tests only (issue 11 item 9): receives every line BEFORE `redact()` (`LEVEL [namespace] text`),
   * so the privacy tests see what a caller really logged — `redact()` masks every run of 4+
   * digits, and a test reading only the redacted sink cannot see a logged PIN. Never set on the
   * device or the rig.
   */
  unredactedSink?: LogSink;
}

export function createLogger(namespace: string, options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? { write: (line: string) => process.stderr.write(line + '\n') };
  const clock = options.clock ?? (() => new Date());
  const levelFor = (ns: string): LogLevel => {
    let best: LogLevel = options.level ?? 'info';
    let bestLen = -1;
    for (const [prefix, lvl] of Object.entries(options.levels ?? {})) {
      if ((ns === prefix || ns.startsWith(prefix + '.')) && prefix.length > bestLen) {
        best = lvl;
        bestLen = prefix.length;
      }
    }
    return best;
  };
  const make = (ns: string): Logger => {
    const threshold = order[levelFor(ns)];
    const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: LogMessage): void => {
      if (order[lvl] < threshold) return;
      const text = typeof msg === 'function' ? msg() : msg;
      options.unredactedSink?.write(`${lvl.toUpperCase()} [${ns}] ${text}`);
      sink.write(`${clock().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${ns}] ${redact(text)}`);
    };
    return {
      trace: (m) => emit('trace', m),
      debug: (m) => emit('debug', m),
      info: (m) => emit('info', m),
      warn: (m) => emit('warn', m),
      error: (m) => emit('error', m),
      child: (sub) => make(`${ns}.${sub}`),
    };
  };
  return make(namespace);
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = createLogger('silent', { level: 'silent' });
