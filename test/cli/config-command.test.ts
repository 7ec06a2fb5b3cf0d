/** `fcr config check|hash-passcode` as a technician runs them (child processes). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkStaffPasscode } from '../../src/config';

const fcr = resolve(__dirname, '../../bin/fcr.js');
const run = (args: string[], input?: string) => spawnSync(process.execPath, ['--import', 'tsx', fcr, 'config', ...args], { encoding: 'utf8', input, timeout: 30_000 });

describe('fcr config', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'fcr-config-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('hash-passcode reads the passcode on stdin and prints a hash that checks; the passcode is not echoed', async () => {
    const r = run(['hash-passcode'], '4826\n');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('4826'));
    const hash = JSON.parse(r.stdout) as Parameters<typeof checkStaffPasscode>[1];
    assert.equal(await checkStaffPasscode('4826', hash), true);
    assert.equal(await checkStaffPasscode('4827', hash), false);
    assert.equal(run(['hash-passcode'], '12\n').status, 2);
  });

  it('check: a valid file exits 0; a bad one exits 78 listing every invalid field', () => {
    const hashed = JSON.parse(run(['hash-passcode'], '4826').stdout) as unknown;
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ facility: { name: '○○病院', code: '1310000001' }, staff: { passcode: hashed }, backend: { url: 'https://r.local:8443' }, readers: { card: 'Virtual PCD 00 00', smartphone: 'Virtual PCD 00 01' } }));
    const ok = run(['check', good]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /valid/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ facility: { name: '○○病院', code: '12' }, mode: 'kiosk', staff: { passcode: hashed }, backend: { url: 'https://r.local' }, unknownKey: 1 }));
    const r = run(['check', bad]);
    assert.equal(r.status, 78);
    for (const field of ['facility.code', 'mode', 'unknownKey']) assert.ok(r.stderr.includes(field), `${field} in:\n${r.stderr}`);
  });
});

describe('the shipped example configuration', () => {
  it('hardware/config.example.json is valid against the one schema', () => {
    const r = run(['check', resolve(__dirname, '../../hardware/config.example.json')]);
    assert.equal(r.status, 0, r.stderr);
  });
});
