/**
 * A/B updates of the device (issue 17, firmware/README.md "Updates"): two root slots (partitions
 * `root-a`, `root-b`) and systemd-boot's boot counting on the ESP (mounted at /efi). Installing a
 * signed bundle writes the slot the device is *not* running from, its kernel and initrd to the ESP,
 * and a Boot Loader Specification entry with a try counter (`fcr-<version>-<slot>+<tries>.conf`).
 * systemd-boot boots the newest entry that still has tries left and decrements the counter before
 * booting it; `systemd-bless-boot` removes the counter once boot-complete.target is reached, which
 * `face-card-reader-boot-check.service` allows only when the reader service reached READY. A trial
 * boot that fails reboots, and an entry with no tries left sorts after the good one: rollback.
 *
 * The bundle is the existing signed format (update-bundle.ts) carrying the slot's payload:
 * `root.erofs`, `vmlinuz`, `initrd.img`. No downgrade: its version must be newer than the running
 * slot's IMAGE_VERSION (os-release(5), written by firmware/build).
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { verifyUpdateBundle } from './update-bundle';

export type Slot = 'a' | 'b';

/** Where the device keeps what the installer reads and writes; tests point these into a folder. */
export interface SlotSystem {
  cmdline: string;
  osRelease: string;
  /** udev's links by GPT partition name and by partition UUID. */
  byPartLabel: string;
  byPartUuid: string;
  /** The mounted EFI system partition (systemd-boot's `loader/`). */
  esp: string;
  /** sysfs block devices, for a partition's size. */
  sysBlock: string;
}

export const deviceSystem: SlotSystem = {
  cmdline: '/proc/cmdline',
  osRelease: '/etc/os-release',
  byPartLabel: '/dev/disk/by-partlabel',
  byPartUuid: '/dev/disk/by-partuuid',
  esp: '/efi',
  sysBlock: '/sys/class/block',
};

/** The bundle's payload: the slot's file system and what the ESP needs to boot it. */
export const PAYLOAD = ['root.erofs', 'vmlinuz', 'initrd.img'] as const;

export type SlotUpdateProblem = 'not-ab-device' | 'payload-missing' | 'too-large' | 'written-mismatch';

export class SlotUpdateError extends Error {
  override readonly name = 'SlotUpdateError';
  constructor(
    readonly problem: SlotUpdateProblem,
    readonly detail: string,
  ) {
    super(`update not installed (${problem}): ${detail}`);
  }
}

export type EntryState = 'good' | 'trial' | 'bad';

export interface BootEntry {
  file: string;
  version: string;
  slot: Slot;
  /** Boot Loader Specification boot counting: no counter is good, tries left 0 is bad. */
  state: EntryState;
  triesLeft?: number;
  triesDone?: number;
}

// fcr-<version>-<slot>[+<left>[-<done>]].conf (systemd.io/AUTOMATIC_BOOT_ASSESSMENT)
const entryName = /^fcr-(\d+\.\d+\.\d+)-([ab])(?:\+(\d+)(?:-(\d+))?)?\.conf$/;

export function parseEntryName(file: string): BootEntry | undefined {
  const m = entryName.exec(file);
  if (!m) return undefined;
  const left = m[3] === undefined ? undefined : Number(m[3]);
  const state: EntryState = left === undefined ? 'good' : left === 0 ? 'bad' : 'trial';
  return {
    file,
    version: m[1]!,
    slot: m[2] as Slot,
    state,
    ...(left === undefined ? {} : { triesLeft: left, triesDone: Number(m[4] ?? 0) }),
  };
}

export interface SlotStatus {
  running: Slot;
  other: Slot;
  /** IMAGE_VERSION of the running slot. */
  version: string;
  entries: BootEntry[];
}

function entriesDir(sys: SlotSystem): string {
  return join(sys.esp, 'loader', 'entries');
}

export function slotStatus(sys: SlotSystem = deviceSystem): SlotStatus {
  const cmdline = readFileSync(sys.cmdline, 'utf8');
  const slot = /(?:^|\s)fcr\.slot=([ab])(?:\s|$)/.exec(cmdline)?.[1] as Slot | undefined;
  if (!slot) throw new SlotUpdateError('not-ab-device', `no fcr.slot= on the kernel command line (${sys.cmdline})`);
  const version = /^IMAGE_VERSION="?([^"\n]+)"?$/m.exec(readFileSync(sys.osRelease, 'utf8'))?.[1];
  if (!version) throw new SlotUpdateError('not-ab-device', `no IMAGE_VERSION in ${sys.osRelease}`);
  let files: string[];
  try {
    files = readdirSync(entriesDir(sys));
  } catch {
    throw new SlotUpdateError('not-ab-device', `no boot entries at ${entriesDir(sys)} (is the ESP mounted?)`);
  }
  const entries = files.map(parseEntryName).filter((e): e is BootEntry => e !== undefined);
  return { running: slot, other: slot === 'a' ? 'b' : 'a', version, entries };
}

/** A partition's size in bytes: sysfs for a block device (stat says 0), the file's size otherwise. */
function partitionSize(path: string, sys: SlotSystem): number {
  const real = realpathSync(path);
  const st = statSync(real);
  if (!st.isBlockDevice()) return st.size;
  return Number(readFileSync(join(sys.sysBlock, basename(real), 'size'), 'utf8').trim()) * 512;
}

function partUuidOf(label: string, sys: SlotSystem): string {
  const target = realpathSync(join(sys.byPartLabel, label));
  for (const uuid of readdirSync(sys.byPartUuid)) {
    if (realpathSync(join(sys.byPartUuid, uuid)) === target) return uuid;
  }
  throw new SlotUpdateError('not-ab-device', `no partition UUID for ${label}`);
}

/** Copies `from` onto `to` (a partition or a file), hashing what it wrote; flushed before returning. */
function writeHashed(from: string, to: string, truncate: boolean): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 << 20);
  const src = openSync(from, 'r');
  const dst = openSync(to, truncate ? 'w' : 'r+');
  try {
    for (let n; (n = readSync(src, buf, 0, buf.length, null)) > 0; ) {
      h.update(buf.subarray(0, n));
      for (let off = 0; off < n; ) off += writeSync(dst, buf, off, n - off);
    }
    fsyncSync(dst);
  } finally {
    closeSync(src);
    closeSync(dst);
  }
  return h.digest('hex');
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface InstallOptions {
  publicKey: string | KeyObject;
  /** Trial boots before systemd-boot gives up on the new slot (the counter in the entry's name). */
  tries?: number;
  sys?: SlotSystem;
}

export interface InstallResult {
  slot: Slot;
  version: string;
  entry: string;
  rootBytes: number;
}

/**
 * Installs a verified bundle into the slot not running. Order matters for a power cut at any
 * point: the other slot's old entries go first (a half-written slot is never bootable), the entry
 * that makes it bootable comes last, written under a temporary name and renamed.
 */
export function installUpdate(bundleDir: string, o: InstallOptions): InstallResult {
  const sys = o.sys ?? deviceSystem;
  const tries = o.tries ?? 3;
  if (!Number.isInteger(tries) || tries < 1 || tries > 9) throw new RangeError(`tries must be 1..9, not ${tries}`);
  const status = slotStatus(sys);
  const manifest = verifyUpdateBundle(bundleDir, { publicKey: o.publicKey, installedVersion: status.version });
  const files = new Map(manifest.files.map((f) => [f.path, f]));
  for (const p of PAYLOAD) if (!files.has(p)) throw new SlotUpdateError('payload-missing', p);
  const root = files.get('root.erofs')!;
  const target = join(sys.byPartLabel, `root-${status.other}`);
  const capacity = partitionSize(target, sys);
  if (root.size > capacity) throw new SlotUpdateError('too-large', `root.erofs is ${root.size} bytes, slot ${status.other} holds ${capacity}`);
  const partUuid = partUuidOf(`root-${status.other}`, sys);

  const dir = entriesDir(sys);
  for (const e of status.entries) if (e.slot === status.other) rmSync(join(dir, e.file));
  fsyncDir(dir);

  // The slot, hashed as written: the bundle was verified, but a stick can change under us.
  if (writeHashed(join(bundleDir, 'root.erofs'), target, false) !== root.sha256) {
    throw new SlotUpdateError('written-mismatch', `root.erofs changed while it was written to slot ${status.other}`);
  }
  const kernelDir = join(sys.esp, status.other);
  mkdirSync(kernelDir, { recursive: true });
  for (const p of ['vmlinuz', 'initrd.img'] as const) {
    if (writeHashed(join(bundleDir, p), join(kernelDir, p), true) !== files.get(p)!.sha256) {
      throw new SlotUpdateError('written-mismatch', `${p} changed while it was written to the ESP`);
    }
  }
  fsyncDir(kernelDir);

  // The new slot boots with the running slot's command line but its own root and slot name.
  const running = readFileSync(sys.cmdline, 'utf8').trim();
  const options = running
    .split(/\s+/)
    .map((w) => (w.startsWith('root=') ? `root=PARTUUID=${partUuid}` : w.startsWith('fcr.slot=') ? `fcr.slot=${status.other}` : w))
    .join(' ');
  const entry = `fcr-${manifest.version}-${status.other}+${tries}.conf`;
  const text = [
    `title face-card-reader ${manifest.version} (slot ${status.other.toUpperCase()})`,
    `version ${manifest.version}`,
    `linux /${status.other}/vmlinuz`,
    `initrd /${status.other}/initrd.img`,
    `options ${options}`,
    '',
  ].join('\n');
  const tmp = join(dir, `.${entry}.new`);
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, join(dir, entry));
  fsyncDir(dir);
  return { slot: status.other, version: manifest.version, entry, rootBytes: root.size };
}
