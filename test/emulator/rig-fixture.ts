/**
 * One temporary rig directory per test process for the emulator tests: RSA key generation for
 * every persona costs seconds on these 2 cores, so the test files share the keys (and the
 * in-process memo of `loadRigCredentials`) instead of each generating its own. Removed at exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRigCredentials, type RigCredentials } from '../../rig/personas/credentials';

let dir: string | undefined;

export function testRigDir(): string {
  if (dir === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'fcr-test-rig-'));
    dir = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}

export function testRigCredentials(): Promise<RigCredentials> {
  return loadRigCredentials({ dir: testRigDir() });
}
