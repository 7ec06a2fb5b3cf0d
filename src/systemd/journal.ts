/**
 * Log records to the systemd journal as fields (issue 17: "structured logs to the journal,
 * readable with `journalctl -o json`"), by the journal's native protocol: one datagram per record
 * to /run/systemd/journal/socket, `KEY=value` lines, or `KEY\n<64-bit LE length><value>\n` for a
 * value holding a newline (systemd's "Native Journal Protocol" description). The stdout stream
 * journald gives a unit carries text only (a `<N>` priority prefix at most), so fields need the
 * native socket; sd_journal_send(3) would do the same through libsystemd.
 *
 * Fields: MESSAGE, PRIORITY (syslog 3/4/6/7 from the level), SYSLOG_IDENTIFIER, FCR_NAMESPACE,
 * FCR_LEVEL (trace and debug share PRIORITY 7), FCR_EVENT, and every other field of the record
 * as FCR_<UPPER_SNAKE>. The record has already been through the logger's redaction.
 */
import { fstatSync } from 'node:fs';
import { sendUnixDatagram } from './unix-datagram';

export const JOURNAL_SOCKET = '/run/systemd/journal/socket';
export const SYSLOG_IDENTIFIER = 'face-card-reader';

/** One log record as the logger hands it to an output (after redaction). */
export interface JournalRecord {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  ns: string;
  msg: string;
  fields: Readonly<Record<string, string | number | boolean | null>>;
}

/** syslog(3) priorities: err 3, warning 4, info 6, debug 7. */
export const journalPriority: Record<JournalRecord['level'], number> = { error: 3, warn: 4, info: 6, debug: 7, trace: 7 };

/** `receptionSeq` → `RECEPTION_SEQ`; anything outside A–Z, 0–9 and `_` becomes `_` (journal field names). */
export function journalFieldName(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_');
}

/** Longest value sent; journald takes far more, but a log record that long is a bug, not a message. */
const MAX_VALUE_BYTES = 16 * 1024;

function clip(value: string): string {
  if (Buffer.byteLength(value) <= MAX_VALUE_BYTES) return value;
  return `${Buffer.from(value).subarray(0, MAX_VALUE_BYTES).toString('utf8')}…`;
}

export function journalFields(record: JournalRecord, identifier = SYSLOG_IDENTIFIER): [string, string][] {
  const out: [string, string][] = [
    ['MESSAGE', record.msg],
    ['PRIORITY', String(journalPriority[record.level])],
    ['SYSLOG_IDENTIFIER', identifier],
    ['FCR_NAMESPACE', record.ns],
    ['FCR_LEVEL', record.level],
  ];
  for (const [key, value] of Object.entries(record.fields)) {
    if (value === null || value === undefined) continue;
    out.push([`FCR_${journalFieldName(key)}`, String(value)]);
  }
  return out;
}

/** The datagram for one record (native protocol). */
export function encodeJournalEntry(fields: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [key, raw] of fields) {
    const value = clip(raw);
    if (value.includes('\n')) {
      const bytes = Buffer.from(value, 'utf8');
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(bytes.length));
      parts.push(Buffer.from(`${key}\n`), length, bytes, Buffer.from('\n'));
    } else {
      parts.push(Buffer.from(`${key}=${value}\n`, 'utf8'));
    }
  }
  return Buffer.concat(parts);
}

/**
 * True when stderr is the stream systemd connected to the journal: `$JOURNAL_STREAM` is
 * `device:inode` of it (systemd.exec(5)), compared with fd 2 so a child whose stderr was redirected
 * elsewhere does not think it is journalled.
 */
export function stderrIsJournal(env: NodeJS.ProcessEnv = process.env, fd = 2): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false;
  }
}

export interface JournalOutputOptions {
  socketPath?: string;
  identifier?: string;
  /**
   * Where a record goes when its datagram cannot be sent (journald restarting, its socket full,
   * no binding): stderr, which systemd connects to the journal as well — as text, with the
   * `<priority>` prefix journald reads (SyslogLevelPrefix=, on by default).
   */
  fallback?: (record: JournalRecord, priority: number) => void;
}

export interface JournalOutput {
  write(record: JournalRecord): void;
}

export function createJournalOutput(o: JournalOutputOptions = {}): JournalOutput {
  const path = o.socketPath ?? JOURNAL_SOCKET;
  const identifier = o.identifier ?? SYSLOG_IDENTIFIER;
  const fallback = o.fallback ?? ((r: JournalRecord, priority: number) => process.stderr.write(`<${priority}>[${r.ns}] ${r.msg}\n`));
  return {
    write(record) {
      if (sendUnixDatagram(path, encodeJournalEntry(journalFields(record, identifier)))) fallback(record, journalPriority[record.level]);
    },
  };
}
