/**
 * Configuration versions and migrations (src/config/migrations.ts), each step on a real file of
 * the old version (test/config/fixtures/README.md). The expected results are written out here by
 * hand, not derived from the migration code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_VERSION, ConfigError, migrateConfig, migrationSteps, readConfig, readConfigFile, type RawConfig } from '../../src/config';

const fixture = (name: string): RawConfig => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as RawConfig;
const example = resolve(__dirname, '../../hardware/config.example.json');

describe('configuration versions and migrations', () => {
  it('the chain is complete: one step per version, each to the next, ending at the current version', () => {
    assert.equal(CONFIG_VERSION, 3);
    assert.deepEqual(
      migrationSteps.map((s) => [s.from, s.to]),
      Array.from({ length: CONFIG_VERSION - 1 }, (_, i) => [i + 1, i + 2]),
    );
  });

  it('1 → 2 on the version-1 hardware example: adds the version, changes nothing else', () => {
    const v1 = fixture('v1-hardware-config.example.json');
    const before = structuredClone(v1);
    const { output, applied } = migrateConfig(v1, 1);
    assert.deepEqual(v1, before, 'the input is not modified');
    assert.deepEqual(applied, [
      { from: 1, to: 2, notes: [] },
      { from: 2, to: 3, notes: [] },
    ]);
    assert.deepEqual(output, { ...before, version: 3 });
    // and the result is what the current example file says, but for sections added since within
    // version 2 with defaults (metrics, issue 17): they need no migration
    const { metrics: _metrics, ...current } = JSON.parse(readFileSync(example, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(output, current);
  });

  it('1 → 2 on the rig\'s version-1 file: removes the rig flag and says the readers now need naming', () => {
    const { output, applied } = migrateConfig(fixture('v1-rig-config.json'), 1);
    assert.equal(output.rig, undefined);
    assert.equal(output.version, 3);
    assert.deepEqual(output.backend, { url: 'http://127.0.0.1:8443/' }, 'what it cannot fix is left for the schema to report');
    assert.equal(applied.length, 2);
    assert.match(applied[0]!.notes.join('\n'), /removed "rig": true/);
    assert.match(applied[0]!.notes.join('\n'), /readers/);
  });

  it('2 → 3 on a version-2 file with a tuned face attempt: spoofFrames goes with a note, the rest stays and is valid', () => {
    const v2 = fixture('v2-face-tuned-config.json');
    const before = structuredClone(v2);
    const { output, applied } = migrateConfig(v2, 2);
    assert.deepEqual(v2, before, 'the input is not modified');
    assert.equal(applied.length, 1);
    assert.match(applied[0]!.notes[0] ?? '', /removed "face\.attempt\.spoofFrames": 3/);
    assert.deepEqual((output.face as { attempt: unknown }).attempt, { maxFrames: 8, timeoutMs: 20000 });
    const r = readConfig(v2, 'tuned.json');
    assert.equal(r.fileVersion, 2);
    assert.equal(r.config.face?.attempt.maxFrames, 8);
    assert.equal(r.config.face?.attempt.burstMs, 3000);
  });

  it('a file without version is read as version 1 and reported as migrated', () => {
    const r = readConfig(fixture('v1-hardware-config.example.json'), 'old.json');
    assert.equal(r.fileVersion, 1);
    assert.deepEqual(r.migrations.map((m) => [m.from, m.to]), [
      [1, 2],
      [2, 3],
    ]);
    assert.equal(r.config.version, 3);
    assert.equal(r.config.facility.code, '1310000001');
  });

  it('a current file is not migrated', () => {
    const r = readConfigFile(example);
    assert.equal(r.fileVersion, CONFIG_VERSION);
    assert.deepEqual(r.migrations, []);
  });

  it('an old file that cannot become valid: every issue, and the migration named in the error', () => {
    assert.throws(
      () => readConfig(fixture('v1-rig-config.json'), 'rig-v1.json'),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        const paths = e.issues.map((i) => i.path).sort();
        assert.deepEqual(paths, ['backend.url', 'readers', 'staff.passcode.N']);
        assert.match(e.message, /migrating version 1 → 3/);
        assert.match(e.message, /re-hash/);
        assert.match(e.message, /https:/);
        return true;
      },
    );
  });

  it('a version newer than the device knows is one clear ConfigError', () => {
    const newer = { ...fixture('v1-hardware-config.example.json'), version: CONFIG_VERSION + 1, someFutureSection: {} };
    assert.throws(
      () => readConfig(newer, 'future.json'),
      (e: unknown) => e instanceof ConfigError && e.issues.length === 1 && e.issues[0]!.path === 'version' && /newer than this device knows \(3\)/.test(e.issues[0]!.message),
    );
  });

  it('a version that is not a whole number is refused', () => {
    for (const version of [0, 1.5, '2', null]) {
      assert.throws(
        () => readConfig({ ...fixture('v1-hardware-config.example.json'), version }),
        (e: unknown) => e instanceof ConfigError && e.issues[0]?.path === 'version',
        JSON.stringify(version),
      );
    }
  });
});
