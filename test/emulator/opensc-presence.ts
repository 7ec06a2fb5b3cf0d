import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '../wait-for';

const execFileAsync = promisify(execFile);

/**
 * Waits until OpenSC, as a client of the pcscd at `socketPath`, lists reader `slot` with a card
 * present (or absent): the state "pcscd has seen the card" that a fixed pause after an insert or
 * a removal only hopes for (pcscd notices on its next poll, ~0.4 s).
 */
export async function waitForOpenscPresence(socketPath: string, slot: 0 | 1, present: boolean, timeoutMs = 15_000): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const r = await execFileAsync('opensc-tool', ['-l'], { env: { ...process.env, PCSCLITE_CSOCK_NAME: socketPath }, timeout: 30_000 }).catch(
        (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
      );
      last = r.stdout;
      const line = last.split('\n').find((l) => l.startsWith(`${slot} `));
      return line !== undefined && line.includes(present ? 'Yes' : 'No');
    },
    { what: `reader ${slot} to show the card ${present ? 'present' : 'absent'}`, timeoutMs, intervalMs: 100, describe: () => `opensc-tool -l:\n${last}` },
  );
}
