/**
 * The device runs the compiled service (`npm run build` → dist/) with plain Node, no TypeScript
 * loader (issue 17). Builds dist/ as the image recipe does, then runs the device entry with a probe
 * preloaded that reports any TypeScript source or tsx module loaded.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '../..');
const entry = join(repo, 'bin', 'fcr-device.js');
const probe = join(__dirname, 'fixtures', 'no-typescript-probe.cjs');

function runCompiled(args: string[]): { status: number | null; stdout: string; stderr: string; loadedTypeScript: string[] } {
  // A clean environment: nothing inherited (NODE_OPTIONS from a tsx-run parent) can add a loader.
  const r = spawnSync(process.execPath, ['--require', probe, entry, ...args], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '' } });
  const m = /^loaded-typescript: (.*)$/m.exec(r.stderr);
  assert.ok(m, `the probe reports at exit:\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loadedTypeScript: JSON.parse(m[1]!) as string[] };
}

describe('the compiled service (dist/, no TypeScript loader)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, `npm run build:\n${b.stdout}${b.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'fcr-compiled-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the systemd unit starts the compiled entry from /opt/face-card-reader with plain node', () => {
    const unit = readFileSync(join(repo, 'systemd', 'face-card-reader.service'), 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
    assert.match(exec, /^\/usr\/bin\/node \/opt\/face-card-reader\/dist\/fcr\.js service run /);
    assert.doesNotMatch(exec, /tsx|--import|--loader/);
  });

  it('config check validates the example configuration from dist/ alone', () => {
    const r = runCompiled(['config', 'check', join(repo, 'hardware', 'config.example.json')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid/);
    assert.deepEqual(r.loadedTypeScript, []);
  });

  it('service run loads the device entry and refuses a bad configuration with exit 78', () => {
    const f = join(dir, 'invalid.json');
    writeFileSync(f, JSON.stringify({ facility: { name: '', code: '12' }, backend: { url: 'https://127.0.0.1:1' } }));
    const r = runCompiled(['service', 'run', '--headless', '--config', f]);
    assert.equal(r.status, 78, r.stderr);
    for (const field of ['facility.name', 'facility.code', 'staff']) assert.ok(r.stderr.includes(field), `${field} in:\n${r.stderr}`);
    assert.deepEqual(r.loadedTypeScript, []);
  });

  it('the probe itself sees TypeScript when the sources run through tsx', () => {
    const r = spawnSync(process.execPath, ['--require', probe, '--import', 'tsx', join(repo, 'bin', 'fcr.js'), 'config', 'check', join(repo, 'hardware', 'config.example.json')], { encoding: 'utf8', timeout: 30_000, cwd: repo });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /loaded-typescript: \[".*\.ts"/);
  });
});
