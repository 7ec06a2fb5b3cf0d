/**
 * Durable device state (issue 11 item 5): what must survive a restart or a power cut — the staff
 * passcode lockout (SPEC §3.1: failures, lockout-until, how often it escalated) and the SPEC §9
 * daily counters. Counts and timestamps only, never who: nothing personal is ever written here
 * (SPEC §5 last paragraph).
 *
 * One small versioned JSON file in the service's systemd `StateDirectory` (the unit sets
 * `StateDirectory=face-card-reader`, systemd passes it as `$STATE_DIRECTORY`; the rig uses
 * `.rig/state/`). Written atomically: a temp file in the same directory, fsync, rename over the
 * old file, fsync the directory — a crash at any point leaves either the old or the new file,
 * never a torn one.
 *
 * The writes are synchronous on purpose: the file is a few hundred bytes, written only when the
 * lockout state changes or a session ends, and the lockout must be on disk before the next screen
 * is shown (a power cut right after the fifth wrong passcode must not give five fresh tries).
 *
 * Reading fails closed for the lockout: a file that exists but cannot be read or parsed is
 * reported (log and technician console) and the passcode is locked for one period.
 */
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log/logger';
import type { DailyCount } from './daily-counters';

export const STATE_FILE_NAME = 'device-state.json';
export const STATE_FILE_VERSION = 1;
/** Days of SPEC §9 counters kept in the file (older days are dropped). */
export const COUNTER_DAYS_KEPT = 31;

const count = z.number().int().min(0);
const counts = z.record(z.string().regex(/^[a-z0-9-]{1,40}$/), count);

const stateFileSchema = z.strictObject({
  version: z.literal(STATE_FILE_VERSION),
  savedAt: count,
  staff: z.strictObject({
    failures: count,
    nextAttemptAt: count,
    lockedUntil: count,
    /** Lockouts so far since the last correct passcode; the next lockout lasts base × 2^level. */
    lockoutLevel: z.number().int().min(0).max(64),
  }),
  // byPlatform, acquired and ended were added with issue 16 item 7: a file written before has none.
  counters: z
    .array(
      z.strictObject({
        day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        byMethod: counts,
        byStatus: counts,
        errors: counts,
        byPlatform: counts.default({}),
        acquired: counts.default({}),
        ended: counts.default({}),
      }),
    )
    .max(COUNTER_DAYS_KEPT),
});

/** The staff passcode lockout as the engine keeps it in `state.device` (SPEC §3.1). */
export interface StaffLockoutState {
  staffFailures: number;
  staffNextAttemptAt: number;
  staffLockedUntil: number;
  staffLockoutLevel: number;
}

export interface DurableDeviceState {
  staff: StaffLockoutState;
  counters: DailyCount[];
}

/** Why the file on disk was not used as it is. */
export type StateFileProblem = 'unreadable' | 'corrupt' | 'unsupported-version';

export interface StateLoad {
  state: DurableDeviceState;
  /** Set when the file existed but could not be used: the lockout then fails closed. */
  problem?: StateFileProblem;
}

/** The file operations the store uses (the tests inject a failing rename to simulate a crash). */
export type StateFs = Pick<typeof nodeFs, 'readFileSync' | 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'mkdirSync' | 'rmSync'>;

export interface DeviceStateStoreOptions {
  dir: string;
  log: Logger;
  /** The lockout period of the configuration: a corrupt file locks the passcode for this long. */
  lockoutMs: number;
  clock?: () => number;
  fs?: StateFs;
}

export function emptyStaffLockout(): StaffLockoutState {
  return { staffFailures: 0, staffNextAttemptAt: 0, staffLockedUntil: 0, staffLockoutLevel: 0 };
}

export class DeviceStateStore {
  readonly file: string;
  private readonly fs: StateFs;
  private readonly clock: () => number;
  /** The last problem reading or writing the file, for the technician console; undefined = healthy. */
  private health: string | undefined;

  constructor(private readonly o: DeviceStateStoreOptions) {
    this.fs = o.fs ?? nodeFs;
    this.clock = o.clock ?? Date.now;
    this.file = join(o.dir, STATE_FILE_NAME);
  }

  /** What the console shows: `ok`, or what went wrong with the file. */
  status(): string {
    return this.health ?? 'ok';
  }

  load(): StateLoad {
    let text: string;
    try {
      text = this.fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      // No file yet: a new device (or a wiped state directory) starts fresh.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: { staff: emptyStaffLockout(), counters: [] } };
      return this.failClosed('unreadable', (e as NodeJS.ErrnoException).code ?? (e as Error).name);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.failClosed('corrupt', 'not JSON');
    }
    if (typeof json === 'object' && json !== null && 'version' in json && json.version !== STATE_FILE_VERSION) {
      return this.failClosed('unsupported-version', `version ${String(json.version)}`);
    }
    const parsed = stateFileSchema.safeParse(json);
    if (!parsed.success) return this.failClosed('corrupt', `schema: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    const s = parsed.data.staff;
    return {
      state: {
        staff: { staffFailures: s.failures, staffNextAttemptAt: s.nextAttemptAt, staffLockedUntil: s.lockedUntil, staffLockoutLevel: s.lockoutLevel },
        counters: parsed.data.counters,
      },
    };
  }

  /** Atomic replace: temp file, fsync, rename, fsync the directory. Never throws (logged, shown on the console). */
  save(state: DurableDeviceState): boolean {
    const body: z.infer<typeof stateFileSchema> = {
      version: STATE_FILE_VERSION,
      savedAt: this.clock(),
      staff: {
        failures: state.staff.staffFailures,
        nextAttemptAt: state.staff.staffNextAttemptAt,
        lockedUntil: state.staff.staffLockedUntil,
        lockoutLevel: state.staff.staffLockoutLevel,
      },
      counters: [...state.counters].sort((a, b) => a.day.localeCompare(b.day)).slice(-COUNTER_DAYS_KEPT),
    };
    const tmp = `${this.file}.tmp`;
    const fs = this.fs;
    try {
      fs.mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(body) + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
      // The rename itself is durable only once the directory entry is on disk.
      const dirFd = fs.openSync(this.o.dir, 'r');
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
      if (this.health?.startsWith('write failed')) this.health = undefined;
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).name;
      this.health = `write failed (${code})`;
      this.o.log.error(`device state not saved: ${code}; the lockout and counters are kept in memory only`, { event: 'device-state-not-saved', error: code });
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // The temp file is overwritten by the next save; the real file is untouched.
      }
      return false;
    }
  }

  private failClosed(problem: StateFileProblem, detail: string): StateLoad {
    this.health = `${problem} (${detail}); staff passcode locked for one period`;
    this.o.log.error(`device state file ${problem} (${detail}): staff passcode locked for ${Math.round(this.o.lockoutMs / 1000)} s, counters restart at 0`, { event: 'device-state-unreadable', problem });
    return {
      state: {
        // Counted as one lockout, so a further lockout escalates (SPEC §3.1 fail closed).
        staff: { staffFailures: 0, staffNextAttemptAt: 0, staffLockedUntil: this.clock() + this.o.lockoutMs, staffLockoutLevel: 1 },
        counters: [],
      },
      problem,
    };
  }
}

/** The state directory: the configuration's, else systemd's `$STATE_DIRECTORY` (first entry), else the unit's default. */
export function stateDirectoryFor(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return configured ?? env.STATE_DIRECTORY?.split(':')[0] ?? '/var/lib/face-card-reader';
}

/** The persisted part of the engine's device state. */
export function staffLockoutOf(device: StaffLockoutState): StaffLockoutState {
  return { staffFailures: device.staffFailures, staffNextAttemptAt: device.staffNextAttemptAt, staffLockedUntil: device.staffLockedUntil, staffLockoutLevel: device.staffLockoutLevel };
}

export function staffLockoutChanged(a: StaffLockoutState, b: StaffLockoutState): boolean {
  return a.staffFailures !== b.staffFailures || a.staffNextAttemptAt !== b.staffNextAttemptAt || a.staffLockedUntil !== b.staffLockedUntil || a.staffLockoutLevel !== b.staffLockoutLevel;
}
