/**
 * Result files for the reception computer (issue 15): each finished session's national result
 * document written into the folder the receipt software watches (`reception.resultFolder`; on a
 * device typically a share mounted by systemd, on the rig `.rig/reception/`).
 *
 * - Atomic: written to a hidden temp name in the same folder, fsync'd, then renamed to the
 *   national name, so a watcher never sees half a file (a temp name matches no reader's glob).
 * - Named as public readers expect: `OQSsiquc01res_face_<session>_<yyyyMMddHHmmss>.xml` matches
 *   both the general `OQSsiquc01res_*.xml` and the face-reader `OQSsiquc01res_face_…_<14 digits>.xml`
 *   patterns (ruleSources.fileNames in oqs-xml-mapping.ts).
 * - UTF-8 or Shift_JIS per configuration (declaration and CharacterCodeIdentifier agree).
 * - Never twice for one session: `submit` with a session key already taken is a no-op.
 * - A full or unwritable folder never loses a result: it stays queued (in memory only — the
 *   result folder is the one place the product writes personal data, by design), the status
 *   turns `failing` with the error code for the console and the metrics, and it is retried with
 *   back-off until written. Logs carry session keys, counts and error codes, never the document.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import { resultDocumentToBytes, toJapanStamp, type OqsResultDocument } from './oqs-xml-mapping';
import type { XmlEncoding } from './xml-text';

export interface ResultFolderStatus {
  state: 'idle' | 'ok' | 'failing';
  /** Results queued, not yet in the folder. */
  pending: number;
  written: number;
  /** The last failure (errno code such as ENOSPC, EACCES, ENOENT), while failing. */
  lastError?: { code: string; at: string };
}

/** The file operations the writer needs (swappable in tests to simulate a full disk). */
export interface ResultFolderFs {
  writeSynced(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  syncDir(dir: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
}

export const nodeResultFolderFs: ResultFolderFs = {
  async writeSynced(path, data) {
    const fh = await fsp.open(path, 'wx', 0o640);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  async syncDir(dir) {
    // Makes the rename durable; some network shares refuse to open a directory: best effort.
    try {
      const fh = await fsp.open(dir, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch {
      /* not all file systems allow it */
    }
  },
  mkdir: async (dir) => {
    await fsp.mkdir(dir, { recursive: true });
  },
};

export interface ResultFolderOptions {
  folder: string;
  encoding?: XmlEncoding;
  /** Create the folder if missing (rig); a device's mounted share must exist already. */
  createFolder?: boolean;
  log?: Logger;
  fs?: ResultFolderFs;
  /** First retry delay; doubles per failure up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Timer (tests pass a fake); returns a cancel function. */
  schedule?: (fn: () => void, ms: number) => () => void;
}

/** The file name of a session's result: national prefix, session key, Japan-time stamp. */
export function resultFileName(sessionKey: string, processedAt: Date): string {
  return `OQSsiquc01res_face_${sessionKey}_${toJapanStamp(processedAt)}.xml`;
}

const SESSION_KEY = /^[A-Za-z0-9-]{1,40}$/;
const REMEMBERED_KEYS = 20_000;

interface Job {
  key: string;
  name: string;
  bytes: Uint8Array;
}

export class ResultFolderWriter {
  private readonly fs: ResultFolderFs;
  private readonly encoding: XmlEncoding;
  private readonly queue: Job[] = [];
  /** Session keys submitted (queued or written), oldest first, bounded. */
  private readonly taken = new Set<string>();
  private writtenCount = 0;
  private lastError: { code: string; at: string } | undefined;
  private failures = 0;
  private running: Promise<void> | undefined;
  private cancelRetry: (() => void) | undefined;
  private closed = false;
  private readonly listeners = new Set<(s: ResultFolderStatus) => void>();

  constructor(private readonly o: ResultFolderOptions) {
    this.fs = o.fs ?? nodeResultFolderFs;
    this.encoding = o.encoding ?? 'utf-8';
  }

  /**
   * The call site: once a session's confirmation is finished (its reception record is final),
   * hand over its document with a key unique to the session (the reception number). Returns
   * false when that session was already submitted (nothing is written twice). The document is
   * encoded now; writing happens in the background — `flush()` waits for it.
   */
  submit(sessionKey: string, doc: OqsResultDocument): boolean {
    if (this.closed) throw new Error('result folder writer is closed');
    if (!SESSION_KEY.test(sessionKey)) throw new RangeError('session key must be 1–40 of [A-Za-z0-9-]');
    if (this.taken.has(sessionKey)) return false;
    this.taken.add(sessionKey);
    if (this.taken.size > REMEMBERED_KEYS) this.taken.delete(this.taken.values().next().value as string);
    this.queue.push({ key: sessionKey, name: resultFileName(sessionKey, doc.processedAt), bytes: resultDocumentToBytes(doc, this.encoding) });
    this.emit();
    void this.drain();
    return true;
  }

  status(): ResultFolderStatus {
    const state = this.lastError ? 'failing' : this.writtenCount > 0 ? 'ok' : 'idle';
    return { state, pending: this.queue.length, written: this.writtenCount, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /** Status changes, for the console and the metrics. Returns an unsubscribe function. */
  onStatus(listener: (s: ResultFolderStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits until the current write attempt ends (queue empty, or failing and waiting to retry). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Retries now instead of at the scheduled time (the console's "retry" action, tests). */
  async retryNow(): Promise<void> {
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    await this.drain();
  }

  /** Stops retrying. Results still queued are reported, not silently dropped. */
  close(): number {
    this.closed = true;
    this.cancelRetry?.();
    if (this.queue.length > 0) this.o.log?.error(`closing with ${this.queue.length} result file(s) not written`);
    return this.queue.length;
  }

  private drain(): Promise<void> {
    this.running ??= this.writeAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const job = this.queue[0];
      if (!job) break;
      try {
        await this.writeOne(job);
      } catch (err) {
        this.fail(err);
        return;
      }
      this.queue.shift();
      this.writtenCount++;
      const recovered = this.lastError !== undefined;
      this.lastError = undefined;
      this.failures = 0;
      this.o.log?.info(`result file written for session ${job.key}${recovered ? ' (folder recovered)' : ''}`);
      this.emit();
    }
  }

  private async writeOne(job: Job): Promise<void> {
    if (this.o.createFolder) await this.fs.mkdir(this.o.folder);
    const temp = join(this.o.folder, `.${job.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await this.fs.writeSynced(temp, job.bytes);
      await this.fs.rename(temp, join(this.o.folder, job.name));
    } catch (err) {
      await this.fs.unlink(temp).catch(() => undefined);
      throw err;
    }
    await this.fs.syncDir(this.o.folder);
  }

  private fail(err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.name : 'unknown');
    this.failures++;
    this.lastError = { code, at: new Date().toISOString() };
    const base = this.o.retryDelayMs ?? 2_000;
    const delay = Math.min(base * 2 ** (this.failures - 1), this.o.maxRetryDelayMs ?? 60_000);
    this.o.log?.warn(`result folder not writable (${code}); ${this.queue.length} result file(s) queued, retry in ${delay} ms`);
    this.emit();
    const schedule =
      this.o.schedule ??
      ((fn: () => void, ms: number) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return () => clearTimeout(t);
      });
    this.cancelRetry?.();
    this.cancelRetry = schedule(() => {
      this.cancelRetry = undefined;
      void this.drain();
    }, delay);
  }

  private emit(): void {
    const s = this.status();
    for (const l of this.listeners) l(s);
  }
}
