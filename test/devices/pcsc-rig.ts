/**
 * A private pcscd for in-process pcsclite tests, behind a symlink so it can be restarted.
 *
 * libpcsclite reads `PCSCLITE_CSOCK_NAME` once per process (at the first PC/SC call), and
 * `startPcscd()` gives each daemon a new socket path. So this process points the variable at a
 * symlink it owns, and each (re)started pcscd is linked in behind it: a pcscd restart is then a
 * stop, a start on the same vpcd ports, and a new link target — the driver sees the daemon go
 * away and come back, as after `systemctl restart pcscd` on the device.
 *
 * Every in-process pcsclite test of the suite must use this helper (one process, one socket name).
 */
import { mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPcscd, type PcscdInstance } from '../../rig/runner/pcscd-process';
import type { CardReaderDriver, ReaderSlot } from '../../src/devices/card-reader/card-reader-driver';

let linkPath: string | undefined;

/** The socket path this process's libpcsclite uses (set into the environment on first call). */
export function pcscSocketLink(): string {
  if (linkPath) return linkPath;
  const dir = mkdtempSync(join(tmpdir(), 'fcr-pcsc-link-'));
  const path = join(dir, 'pcscd.comm');
  const current = process.env.PCSCLITE_CSOCK_NAME;
  if (current !== undefined && current !== path) {
    throw new Error(
      `PCSCLITE_CSOCK_NAME is already ${current} in this process; in-process pcsclite tests must share test/devices/pcsc-rig.ts`,
    );
  }
  process.env.PCSCLITE_CSOCK_NAME = path;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  linkPath = path;
  return path;
}

function pointLinkAt(target: string): void {
  const link = pcscSocketLink();
  const temp = `${link}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  symlinkSync(target, temp);
  renameSync(temp, link); // atomic replace
}

/** Starts a private pcscd and links it in. `channelId` fixes the vpcd ports (use it again on restart). */
export async function startLinkedPcscd(channelId?: number): Promise<PcscdInstance> {
  const instance = await startPcscd(channelId !== undefined ? { channelId } : {});
  pointLinkAt(instance.socketPath);
  return instance;
}

/** A channel id unlikely to collide with other test runs (ports channelId and channelId+1). */
export function randomChannelId(): number {
  return 0xa000 + 2 * Math.floor(Math.random() * 0x700);
}

/**
 * Resolves on the driver's next `card-inserted` / `card-removed` on a slot (start waiting
 * before acting, then await): the one helper tests and benches use to pace card swaps.
 */
export function waitForCardEvent(
  driver: Pick<CardReaderDriver, 'onEvent'>,
  type: 'card-inserted' | 'card-removed',
  slot: ReaderSlot,
  timeoutMs = 5000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${type} on ${slot}`));
    }, timeoutMs);
    const off = driver.onEvent((e) => {
      if (e.type === type && e.slot === slot) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}
