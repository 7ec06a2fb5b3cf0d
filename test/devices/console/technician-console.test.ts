/**
 * The technician console over a real serial line: a `socat` pty pair stands in for the UART, the
 * console opens one end with `serialport`, the test types on the other as a technician would.
 */
import assert from 'node:assert/strict';
import { SerialPort } from 'serialport';
import { ReadlineParser } from '@serialport/parser-readline';
import { openSerialConsole, TechnicianShell, type ConsoleBackend } from '../../../src/devices/console/technician-console';
import { startPtyPair } from '../../../src/rig/pty-pair';
import { silentLogger } from '../../../src/log/logger';

let hangs = 0;
const backend: ConsoleBackend = {
  status: () => ({ screen: 'method', cardPresent: true, phonePresent: false, backendCircuit: 'closed', faceAvailable: false, facility: '○○○○病院', mode: 'standard', uptimeSeconds: 42 }),
  counters: () => ({ day: '2026-11-23', byMethod: { pin: 3, face: 5 }, byStatus: { qualified: 7, invalid: 1 }, errors: { backend: 1 } }),
  version: () => 'face-card-reader 0.1.0',
  hangEventLoop: () => void hangs++,
};

describe('technician console', () => {
  it('the shell answers status and counters without personal data, and rejects unknown commands', () => {
    const shell = new TechnicianShell(backend);
    assert.deepEqual(shell.handle('counters'), ['day: 2026-11-23', 'by method: pin=3 face=5', 'by result: qualified=7 invalid=1', 'errors: backend=1', 'ok']);
    assert.ok(shell.handle('status').includes('screen: method'));
    assert.match(shell.handle('reboot')[0]!, /^error: unknown command/);
    assert.match(shell.handle('status now')[0]!, /^error:/);
    assert.deepEqual(shell.handle('   '), []);
  });

  it('watchdog-test asks the service to hang, once per command, and says so', () => {
    const shell = new TechnicianShell(backend);
    const before = hangs;
    assert.equal(shell.handle('watchdog-test').at(-1), 'ok');
    assert.equal(hangs, before + 1);
    assert.equal(shell.handle('watchdog-test now')[0]?.startsWith('error:'), true);
    assert.equal(hangs, before + 1);
  });

  it('works over a serial line (socat pty pair, serialport on both ends)', async function () {
    this.timeout(20_000);
    const pty = await startPtyPair();
    const console_ = await openSerialConsole({ path: pty.deviceEnd, shell: new TechnicianShell(backend), log: silentLogger });
    const terminal = new SerialPort({ path: pty.technicianEnd, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => terminal.open((e) => (e ? rej(e) : res())));
    try {
      const lines = terminal.pipe(new ReadlineParser({ delimiter: '\r\n' }));
      const received: string[] = [];
      lines.on('data', (l: string) => received.push(l));
      const ask = async (cmd: string): Promise<string[]> => {
        const from = received.length;
        terminal.write(cmd + '\r\n');
        const end = Date.now() + 5000;
        while (!received.slice(from).some((l) => l === 'ok' || l.startsWith('error'))) {
          if (Date.now() > end) throw new Error(`no answer to ${cmd}: ${JSON.stringify(received.slice(from))}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        return received.slice(from);
      };
      assert.deepEqual(await ask('version'), ['face-card-reader 0.1.0', 'ok']);
      const status = await ask('status');
      assert.ok(status.includes('backend circuit: closed'), status.join('|'));
      assert.match((await ask('bogus')).at(-1)!, /^error/);
    } finally {
      await new Promise<void>((r) => terminal.close(() => r()));
      await console_.close();
      await pty.stop();
    }
  });
});
