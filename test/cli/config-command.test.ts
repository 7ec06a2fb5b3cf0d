/** `fcr config check|hash-passcode` as a technician runs them (child processes). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkStaffPasscode } from '../../src/config';

const fcr = resolve(__dirname, '../../bin/fcr.js');
const example = resolve(__dirname, '../../hardware/config.example.json');
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
    assert.match(ok.stdout, /valid \(version 1, read as 3 after migrating 1 → 2, 2 → 3; `fcr config migrate .*good\.json` rewrites it\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ facility: { name: '○○病院', code: '12' }, mode: 'kiosk', staff: { passcode: hashed }, backend: { url: 'https://r.local' }, unknownKey: 1 }));
    const r = run(['check', bad]);
    assert.equal(r.status, 78);
    for (const field of ['facility.code', 'mode', 'unknownKey']) assert.ok(r.stderr.includes(field), `${field} in:\n${r.stderr}`);
  });

  it('check: a file newer than the device is refused with its version; an http backend with the reason', () => {
    const future = join(dir, 'future.json');
    writeFileSync(future, JSON.stringify({ version: 99 }));
    const r = run(['check', future]);
    assert.equal(r.status, 78);
    assert.match(r.stderr, /version: version 99 is newer than this device knows \(3\)/);
    const http = join(dir, 'http.json');
    writeFileSync(http, JSON.stringify({ ...(JSON.parse(readFileSync(example, 'utf8')) as object), backend: { url: 'http://r.local:8443' } }));
    const h = run(['check', http]);
    assert.equal(h.status, 78);
    assert.match(h.stderr, /backend\.url: must be https:/);
  });

  it('migrate: rewrites a version-1 file at version 3, the original kept as .v1.bak; a current file is left alone', () => {
    const old = join(dir, 'old.json');
    copyFileSync(resolve(__dirname, '../config/fixtures/v1-hardware-config.example.json'), old);
    const original = readFileSync(old, 'utf8');
    const r = run(['migrate', old]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /migrated 1 → 2, 2 → 3; the original is .*old\.json\.v1\.bak/);
    assert.equal(readFileSync(`${old}.v1.bak`, 'utf8'), original);
    const migrated = JSON.parse(readFileSync(old, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(migrated, { ...(JSON.parse(original) as object), version: 3 });
    const again = run(['migrate', old]);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /already version 3; nothing written/);
    assert.match(run(['check', old]).stdout, /valid \(version 3\)/);
  });

  it('migrate: an old file that stays invalid is reported and not touched', () => {
    const rigV1 = join(dir, 'rig-v1.json');
    copyFileSync(resolve(__dirname, '../config/fixtures/v1-rig-config.json'), rigV1);
    const before = readFileSync(rigV1, 'utf8');
    const r = run(['migrate', rigV1]);
    assert.equal(r.status, 78);
    assert.match(r.stderr, /staff\.passcode\.N/);
    assert.match(r.stderr, /removed "rig": true/);
    assert.equal(readFileSync(rigV1, 'utf8'), before);
  });
});

describe('the shipped example configuration', () => {
  it('hardware/config.example.json (what firmware/build puts on the state partition) is valid at the current version', () => {
    const r = run(['check', example]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid \(version 3\)/);
    // …and it is the file the image build writes (firmware/provision checks a facility's own file itself)
    const build = readFileSync(resolve(__dirname, '../../firmware/build'), 'utf8');
    assert.match(build, /make-state" "\$work\/state\.ext4" "\$repo\/hardware\/config\.example\.json"/);
    assert.match(readFileSync(resolve(__dirname, '../../firmware/provision'), 'utf8'), /fcr\.js" config check "\$config"/);
  });
});
