/**
 * The technician console over a real serial line: a `socat` pty pair stands in for the UART, the
 * console opens one end with `serialport`, the test types on the other as a technician would.
 */
import assert from 'node:assert/strict';
import { SerialPort } from 'serialport';
import { ReadlineParser } from '@serialport/parser-readline';
import { openSerialConsole, TechnicianShell, type ConsoleBackend } from '../../../src/devices/console/technician-console';
import { startPtyPair } from '../../../rig/runner/pty-pair';
import { silentLogger } from '../../../src/log/logger';
import { withTimeout } from '../../wait-for';
import { technicianConsoleBackend } from '../../../src/service/console-status';
import { staffGuidanceFor } from '../../../src/session/staff-guidance';
import type { ReaderService } from '../../../src/service/reader-service';
import type { FacilityConfig } from '../../../src/config';

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

  it('guidance prints the last counter session\'s staff guidance in Japanese, or says there is none', () => {
    let last: ReturnType<ReaderService['guidance']>;
    const service = { guidance: () => last } as unknown as ReaderService;
    const shell = new TechnicianShell(technicianConsoleBackend(service, () => 'closed', {} as FacilityConfig, false));
    assert.deepEqual(shell.handle('guidance'), ['no staff guidance since the service started', 'ok']);
    last = staffGuidanceFor({ kind: 'backend', detail: 'unavailable' });
    const lines = shell.handle('guidance');
    assert.equal(lines.at(-1), 'ok');
    // The seeds' own wording (seed 001 section title, seed 002 p.5–6 and seed 001 レセプト請求方法), typed from the seeds.
    assert.equal(lines[0], 'マイナ保険証で受付が出来ない場合の資格確認方法');
    const text = lines.join('\n');
    for (const w of ['マイナポータル画面（PDF含む）', '資格情報のお知らせ', '被保険者資格申立書', 'A→B→C']) assert.ok(text.includes(w), `${w} in ${text}`);
    assert.ok(text.indexOf('マイナポータル') < text.indexOf('被保険者資格申立書'), 'Mynaportal before the self-declaration (seed 002 order)');
    assert.match(shell.handle('guidance now')[0]!, /^error:/);
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
      // Listen before writing; the answer is complete at its `ok` or `error` line.
      const ask = (cmd: string): Promise<string[]> => {
        const answer: string[] = [];
        const complete = new Promise<string[]>((resolve) => {
          const onLine = (l: string): void => {
            answer.push(l);
            if (l !== 'ok' && !l.startsWith('error')) return;
            lines.off('data', onLine);
            resolve(answer);
          };
          lines.on('data', onLine);
        });
        terminal.write(cmd + '\r\n');
        return withTimeout(complete, { what: `the answer to ${cmd}`, describe: () => `received so far: ${JSON.stringify(answer)}` });
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
