/**
 * A pty pair from `socat` standing in for the board's UART on the rig (SPEC §1 table): the
 * service opens one end as its serial console, a technician's terminal (or a test) the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** The end the service opens (the board's UART). */
  deviceEnd: string;
  /** The end a technician's terminal opens (`screen <path> 115200`, `picocom`, a test). */
  technicianEnd: string;
  stop(): Promise<void>;
}

export async function startPtyPair(dir: string = mkdtempSync(join(tmpdir(), 'fcr-pty-'))): Promise<PtyPair> {
  const deviceEnd = join(dir, 'console-device');
  const technicianEnd = join(dir, 'console-technician');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${deviceEnd}`, `pty,raw,echo=0,link=${technicianEnd}`], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  const until = Date.now() + 5000;
  while (!(existsSync(deviceEnd) && existsSync(technicianEnd))) {
    if (exited || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error('socat did not create the pty pair');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    deviceEnd,
    technicianEnd,
    stop: async () => {
      process.removeListener('exit', kill);
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
