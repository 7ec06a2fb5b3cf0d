import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RigCommandError, type RigActions } from '../../rig/runner/control-protocol';
import { handleRigLine, sendRigRequest, startRigControlServer } from '../../rig/runner/control-server';
import { silentLogger } from '../../src/log/logger';

function fakeActions(log: string[]): RigActions {
  return {
    insert: async (p) => {
      if (p === 'nobody') throw new RigCommandError('no persona nobody');
      log.push(`insert ${p}`);
    },
    remove: async () => void log.push('remove'),
    phone: async (k) => void log.push(`phone ${k}`),
    tap: async (l) => void log.push(`tap ${l}`),
    touch: async (c, r) => void log.push(`touch ${c},${r}`),
    pin: async (d) => void log.push(`pin ${d.length}`),
    face: async (k) => void log.push(`face ${k}`),
    staff: async () => void log.push('staff'),
    screen: async () => '○○○○病院\nマイナンバーカードを置いてください。',
    receptions: async () => [{ status: 'qualified' }],
    guidance: async () => ['マイナ保険証で受付が出来ない場合の資格確認方法'],
    backend: async (f) => void log.push(`backend ${f}`),
    visualMode: async (on) => void log.push(`visual ${on}`),
    visualConfirm: async () => void log.push('visual-confirm'),
    notices: async (clear) => ({ staffCalls: [], clear }),
    leds: async () => ({ green: 1, amber: 0, red: 0, buzzer: 'none' }),
    presence: async (on) => void log.push(`presence ${on}`),
  };
}

describe('rig control socket', () => {
  it('validates requests before acting and names the problem', async () => {
    const log: string[] = [];
    const a = fakeActions(log);
    assert.deepEqual(await handleRigLine(a, 'nope'), { ok: false, error: 'BadRequest', message: 'not JSON' });
    const bad = await handleRigLine(a, JSON.stringify({ command: 'pin', digits: '12a4' }));
    assert.equal(bad.ok, false);
    const unknown = await handleRigLine(a, JSON.stringify({ command: 'explode' }));
    assert.equal(unknown.ok, false);
    assert.deepEqual(log, []);
  });

  it('answers over a 0600 Unix socket, in order, and reports refused commands as typed errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigctl-'));
    const path = join(dir, 'control.sock');
    const log: string[] = [];
    const server = await startRigControlServer(path, fakeActions(log), silentLogger);
    try {
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.deepEqual(await sendRigRequest(path, { command: 'insert', persona: 'valid' }), { ok: true });
      assert.deepEqual(await sendRigRequest(path, { command: 'tap', label: '暗証番号を入力' }), { ok: true });
      const screen = await sendRigRequest(path, { command: 'screen' });
      assert.equal(screen.ok && screen.text?.split('\n')[0], '○○○○病院');
      const refused = await sendRigRequest(path, { command: 'insert', persona: 'nobody' });
      assert.deepEqual(refused, { ok: false, error: 'RigCommandError', message: 'no persona nobody' });
      assert.deepEqual(log, ['insert valid', 'tap 暗証番号を入力']);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
