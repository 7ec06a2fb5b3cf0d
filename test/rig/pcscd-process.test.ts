import assert from 'node:assert/strict';
import net from 'node:net';
import { startPcscd } from '../../src/rig/pcscd-process';

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
});
