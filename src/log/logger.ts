/**
 * One logger interface for the whole service (STYLE §10), on pino: a namespace per module
 * (`log.child('backend')` → `fcr.backend`), per-namespace levels, lazy messages for costly text,
 * and structured fields (`log.info('session ended', { event: 'session-ended', method: 'pin' })`).
 *
 * Privacy (SPEC §5 last paragraph, DEVELOPERS.md): no PIN, passcode, 照合番号, face image, card
 * data or qualification record may reach a log at any level. Callers log *what happened* (counts,
 * status words, durations, error names), never values read from a card or typed by a patient;
 * such values travel as `Secret` (src/log/secret.ts), which prints `[redacted]` everywhere. Field
 * values are scalars only, so a whole record or response cannot be logged by accident, and pino's
 * `redact` censors fields whose very name says they hold a secret (`pin`, `passcode`, …) as a
 * last line of defence. Nothing masks digits any more: a port, a duration or a status word 6983
 * logs as itself.
 *
 * Where records go: on the device under systemd (`$JOURNAL_STREAM` is our stderr) to the journal
 * as fields (src/systemd/journal.ts); elsewhere as text lines (`time LEVEL [ns] message k=v`) or
 * JSON lines to stderr or to the sink given (the rig log, tests).
 */
import pino, { type Logger as PinoLogger } from 'pino';
import { createJournalOutput, stderrIsJournal, type JournalRecord } from '../systemd/journal';
import { formatFields } from './format';
import { REDACTED, type Secret } from './secret';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

export type LogMessage = string | (() => string);

/** Scalars only (see above); a `Secret` is allowed and logs as `[redacted]`. */
export type LogFieldValue = string | number | boolean | null | undefined | Secret<unknown>;
/**
 * `event` names what happened in a stable, greppable form (`FCR_EVENT` in the journal); the
 * others describe it. `ns`, `msg`, `level` and `time` are the record's own.
 */
export type LogFields = Readonly<Record<string, LogFieldValue>> & { ns?: never; msg?: never; level?: never; time?: never };

export interface Logger {
  trace(msg: LogMessage, fields?: LogFields): void;
  debug(msg: LogMessage, fields?: LogFields): void;
  info(msg: LogMessage, fields?: LogFields): void;
  warn(msg: LogMessage, fields?: LogFields): void;
  error(msg: LogMessage, fields?: LogFields): void;
  child(namespace: string): Logger;
}

export interface LogSink {
  write(line: string): void;
}

/** One record after redaction, as outputs get it. */
export interface LogRecord extends JournalRecord {
  time: string;
}

export interface LogOutput {
  /** `json` is pino's own line for the record (no trailing newline). */
  write(record: LogRecord, json: string): void;
}

/**
 * Field names that hold a secret by their name: pino's `redact` replaces their values with
 * `[redacted]` before any output sees them.
 */
export const REDACTED_FIELDS: readonly string[] = [
  'pin',
  'newPin',
  'passcode',
  'password',
  'secret',
  'token',
  'authorization',
  'cookie',
  'privateKey',
  'keyPem',
  'nonce',
  'signature',
  'codeA',
  'codeB',
  'securityCode',
  'birthDate',
  'nameKanji',
  'nameKana',
  'patientName',
  'address',
  'insurerNumber',
  'insuredNumber',
  'certificateSerial',
  'photo',
  'faceImage',
  'frame',
  'descriptor',
];

export interface LoggerOptions {
  level?: LogLevel;
  /**
   * Per-namespace overrides, e.g. `{ 'pcsc': 'debug', 'fcr.card.apdu': 'trace' }`: a key matches
   * the namespace and everything under it, with or without the root's name; the longest wins.
   */
  levels?: Record<string, LogLevel>;
  /** Text or JSON lines to this sink (the rig log, tests) instead of the default output. */
  sink?: LogSink;
  /** Lines to `sink` (or stderr): `pretty` (default) or pino's JSON. */
  format?: 'pretty' | 'json';
  /** Any other output (the journal); wins over `sink`. */
  output?: LogOutput;
  clock?: () => Date;
  /**
   * Tests only (issue 11 item 9): receives every record BEFORE redaction, as the caller passed it
   * (`LEVEL [namespace] text key=value …`), so the privacy tests see a PIN logged into a field that
   * `redact` would censor, not just the censored output. Never set on the device or the rig.
   */
  unredactedSink?: LogSink;
}

/** A bad `FCR_LOG_LEVEL` (e.g. `info,pcsc=debgu`): which part and why. */
export class LogLevelSpecError extends Error {
  override readonly name = 'LogLevelSpecError';
  constructor(
    readonly spec: string,
    readonly part: string,
  ) {
    super(`log level "${part}" in "${spec}" is not one of ${LEVELS.join(', ')} (form: LEVEL,NAMESPACE=LEVEL,…)`);
  }
}

function isLevel(s: string): s is LogLevel {
  return (LEVELS as readonly string[]).includes(s);
}

/** `info,pcsc=debug,backend=warn` → `{ level: 'info', levels: { pcsc: 'debug', backend: 'warn' } }`. */
export function parseLogLevels(spec: string): { level?: LogLevel; levels: Record<string, LogLevel> } {
  const out: { level?: LogLevel; levels: Record<string, LogLevel> } = { levels: {} };
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    const [ns, lvl] = eq < 0 ? [undefined, part] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    if (!isLevel(lvl) || ns === '') throw new LogLevelSpecError(spec, part);
    if (ns === undefined) out.level = lvl;
    else out.levels[ns] = lvl;
  }
  return out;
}

/**
 * Levels from `FCR_LOG_LEVEL` (e.g. `info,pcsc=debug`). A bad value does not stop the service (the
 * reception keeps working at `info`); the caller logs `problem` so the technician sees why.
 */
export function logLevelsFromEnv(env: NodeJS.ProcessEnv = process.env): { level?: LogLevel; levels: Record<string, LogLevel>; problem?: LogLevelSpecError } {
  try {
    return parseLogLevels(env.FCR_LOG_LEVEL ?? '');
  } catch (e) {
    if (e instanceof LogLevelSpecError) return { levels: {}, problem: e };
    throw e;
  }
}

/** Text line of a record: `2026-12-01T12:00:00.000Z INFO  [fcr.pcsc] reader added slot=card`. */
export function prettyLine(r: LogRecord): string {
  return `${r.time} ${r.level.toUpperCase().padEnd(5)} [${r.ns}] ${r.msg}${formatFields(r.fields)}`;
}

/** Lines to a sink: pretty text or pino's JSON. */
export function lineOutput(sink: LogSink, format: 'pretty' | 'json' = 'pretty'): LogOutput {
  return { write: (record, json) => sink.write(format === 'json' ? json : prettyLine(record)) };
}

const stderrSink: LogSink = { write: (line) => process.stderr.write(`${line}\n`) };

/**
 * The output for a process that was given none: the journal when systemd connected our stderr to
 * it (the device), text lines on stderr otherwise (a terminal, the rig's children).
 */
export function defaultLogOutput(env: NodeJS.ProcessEnv = process.env): LogOutput {
  if (stderrIsJournal(env)) {
    const journal = createJournalOutput();
    return { write: (record) => journal.write(record) };
  }
  return lineOutput(stderrSink, env.FCR_LOG_FORMAT === 'json' ? 'json' : 'pretty');
}

function recordOf(line: string): { record: LogRecord; json: string } {
  const json = line.endsWith('\n') ? line.slice(0, -1) : line;
  const { level, time, ns, msg, ...fields } = JSON.parse(json) as Record<string, unknown>;
  const flat: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(fields)) flat[k] = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  return { record: { level: level as LogRecord['level'], time: String(time), ns: String(ns), msg: String(msg ?? ''), fields: flat }, json };
}

function rawFieldText(fields: LogFields | undefined): string {
  if (!fields) return '';
  const text: Record<string, string> = {};
  // String(secret) is `[redacted]`: a Secret is safe even here; a plain string PIN is not (and shows).
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) text[k] = String(v);
  return formatFields(text);
}

export function createLogger(namespace: string, options: LoggerOptions = {}): Logger {
  const output = options.output ?? (options.sink ? lineOutput(options.sink, options.format) : defaultLogOutput());
  const clock = options.clock ?? (() => new Date());
  const root = pino(
    {
      level: options.level ?? 'info',
      base: null, // no pid and hostname in every record: the journal has its own
      messageKey: 'msg',
      timestamp: () => `,"time":"${clock().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_FIELDS], censor: REDACTED },
    },
    // Synchronous: pino hands each record to write() at once, so a record is out before a crash.
    {
      write: (line: string) => {
        const { record, json } = recordOf(line);
        output.write(record, json);
      },
    },
  );
  const levelFor = (ns: string): LogLevel => {
    let best: LogLevel = options.level ?? 'info';
    let bestLen = -1;
    const rest = ns.includes('.') ? ns.slice(ns.indexOf('.') + 1) : undefined;
    for (const [prefix, lvl] of Object.entries(options.levels ?? {})) {
      const matches = (path: string | undefined) => path !== undefined && (path === prefix || path.startsWith(prefix + '.'));
      if ((matches(ns) || matches(rest)) && prefix.length > bestLen) {
        best = lvl;
        bestLen = prefix.length;
      }
    }
    return best;
  };
  const make = (ns: string): Logger => {
    const p: PinoLogger = root.child({ ns }, { level: levelFor(ns) });
    const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: LogMessage, fields?: LogFields): void => {
      if (!p.isLevelEnabled(lvl)) return;
      const text = typeof msg === 'function' ? msg() : msg;
      options.unredactedSink?.write(`${lvl.toUpperCase()} [${ns}] ${text}${rawFieldText(fields)}`);
      p[lvl]({ ...fields }, text);
    };
    return {
      trace: (m, f) => emit('trace', m, f),
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (sub) => make(`${ns}.${sub}`),
    };
  };
  return make(namespace);
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = createLogger('silent', { level: 'silent', output: { write: () => undefined } });
