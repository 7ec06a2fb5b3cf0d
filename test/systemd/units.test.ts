import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const unitsDir = join(__dirname, '../../systemd');

function verify(file: string): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('systemd units', () => {
  const units = readdirSync(unitsDir).filter((f) => f.endsWith('.service'));

  it('ships the reader service unit', () => {
    assert.ok(units.includes('face-card-reader.service'));
  });

  for (const unit of units) {
    it(`${unit} passes systemd-analyze verify without warnings`, () => {
      const r = verify(join(unitsDir, unit));
      assert.equal(r.status, 0, r.output);
      assert.equal(r.output.trim(), '');
    });
  }

  it('the reader service is Type=notify with a watchdog and runs unprivileged', () => {
    const text = readFileSync(join(unitsDir, 'face-card-reader.service'), 'utf8');
    assert.match(text, /^Type=notify$/m);
    assert.match(text, /^WatchdogSec=\d+$/m);
    // The service notifies by datagram from its own PID (issue 12 item 8): no child may speak for it.
    assert.match(text, /^NotifyAccess=main$/m);
    assert.doesNotMatch(text, /^NotifyAccess=all$/m);
    assert.match(text, /^User=fcr$/m);
    assert.match(text, /^ProtectSystem=strict$/m);
    // The durable lockout and counters need one writable directory (issue 11 item 5).
    assert.match(text, /^StateDirectory=face-card-reader$/m);
  });

  it('the check itself catches a broken unit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unit-'));
    try {
      const f = join(dir, 'broken.service');
      writeFileSync(f, '[Service]\nType=notifyy\nExecStart=/nonexistent/binary\n');
      const r = verify(f);
      assert.ok(r.status !== 0 || r.output.trim() !== '', 'systemd-analyze must complain');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
