import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPcscd } from '../../rig/runner/pcscd-process';
import { waitFor } from '../wait-for';

/** Alive = exists and is not a zombie waiting for a reaper. */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

describe('rig: private pcscd', () => {
  it('opens both vpcd slots on its own ports and closes them when stopped', async () => {
    const pcscd = await startPcscd();
    try {
      assert.equal(await portOpen(pcscd.vpcdPorts[0]), true);
      assert.equal(await portOpen(pcscd.vpcdPorts[1]), true);
    } finally {
      await pcscd.stop();
    }
    assert.equal(await portOpen(pcscd.vpcdPorts[0]), false);
  });

  it('leaves no daemon behind when the process that started it exits without stopping it', async () => {
    const script = `const { startPcscd } = require(${JSON.stringify(join(__dirname, '../../rig/runner/pcscd-process.ts'))});
      startPcscd().then((p) => { console.log(JSON.stringify({ pid: p.pid, port: p.vpcdPorts[0] })); process.exit(0); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    const { pid, port } = JSON.parse(stdout.trim()) as { pid: number; port: number };
    // The starting process kills its daemons as it exits; the kill lands a moment later: wait for it.
    await waitFor(() => !alive(pid), { what: `pcscd ${pid} to exit after its parent did`, timeoutMs: 5000, intervalMs: 50 });
    assert.equal(await portOpen(port), false);
  });
});
