/**
 * Every `fcr` command answers the same way on the one parser (src/cli/args.ts): `--help` prints
 * its usage on stdout and exits 0, an unknown option is refused with the usage on stderr and
 * exit 2 — before the command does anything. Table-driven over both command tables, so a new
 * command is covered the day it is added; the actions of the commands that have some are listed
 * here with arguments that would otherwise be valid, so the unknown option is the only fault.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandTable } from '../../src/cli/command-table';
import { runCommand } from '../../src/cli/run';
import { parseDeviceArgs } from '../../src/service/device-args';
import { rigCommandTable } from '../../rig/cli/command-table';
import { parseRigStartArgs } from '../../rig/runner/rig-args';

const repo = resolve(__dirname, '../..');
const example = resolve(repo, 'hardware/config.example.json');
const table = { ...commandTable, ...rigCommandTable };

/** Commands with actions, each with arguments that are right apart from the option under test. */
const actions: string[][] = [
  ['config', 'check', example],
  ['config', 'migrate', example],
  ['config', 'hash-passcode'],
  ['firmware', 'verify', '/nonexistent-bundle', '--key', '/nonexistent.pem'],
  ['firmware', 'pack', '/nonexistent-src', '/nonexistent-out', '--version', '1.0.0', '--key', '/nonexistent.pem'],
  ['rig', 'start'],
  ['rig', 'insert', 'valid'],
  ['rig', 'remove'],
  ['rig', 'touch', '3', '4'],
  ['rig', 'screen'],
  ['card', 'face-scan', example],
];

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await runCommand(table, argv);
    return { code, out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

describe('every fcr command: --help and unknown options', function () {
  this.timeout(60_000);
  const rows = [...Object.keys(commandTable), ...Object.keys(rigCommandTable)].map((name) => name.split(' ')).concat(actions);

  it('covers both command tables', () => {
    assert.ok(Object.keys(commandTable).length >= 5 && Object.keys(rigCommandTable).length >= 6);
    for (const name of Object.keys(table)) assert.ok(rows.some((r) => r.join(' ') === name), name);
  });

  for (const argv of rows) {
    const name = argv.join(' ').replace(`${repo}/`, '');
    it(`fcr ${name} --help: usage on stdout, exit 0`, async () => {
      const r = await capture([...argv, '--help']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /usage:/);
    });
    it(`fcr ${name} --bogus: refused with the usage on stderr, exit 2`, async () => {
      const r = await capture([...argv, '--bogus']);
      assert.equal(r.code, 2, `exit ${r.code}\n${r.out}${r.err}`);
      assert.match(r.err, /usage:/);
      assert.match(r.err, /bogus/);
      assert.equal(r.out, '', 'nothing was done');
    });
  }

  it('fcr with no matching command: the command list, exit 0 when asked, 2 otherwise (on stderr)', async () => {
    const asked = await capture(['--help']);
    assert.equal(asked.code, 0);
    assert.match(asked.out, /usage: fcr <command>/);
    const typo = await capture(['confrim', '--pin', '1234']);
    assert.equal(typo.code, 2);
    assert.match(typo.err, /unknown command: confrim\n/);
    assert.ok(!typo.err.includes('1234'), 'the rest of a mistyped line (a PIN) is not echoed');
  });

  it('an action missing or unknown is a usage error; a missing argument too', async () => {
    for (const argv of [['config'], ['config', 'chek', example], ['firmware', 'verify', '--key', 'k.pem'], ['rig', 'insert'], ['rig', 'touch', '3'], ['card', 'face-scan']]) {
      const r = await capture(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /usage:/, argv.join(' '));
    }
    const stray = await capture(['card', 'read', '--json', '4321']);
    assert.equal(stray.code, 2);
    assert.match(stray.err, /too many arguments/);
    assert.ok(!stray.err.includes('4321'), 'a stray word (perhaps a PIN) is not echoed');
  });
});

describe('fcr service run arguments', () => {
  it("parses the systemd unit's ExecStart", () => {
    const unit = readFileSync(resolve(repo, 'systemd/face-card-reader.service'), 'utf8');
    const exec = (/^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '').split(/\s+/);
    const args = parseDeviceArgs(exec.slice(exec.indexOf('run') + 1));
    assert.deepEqual(args, { configFile: '/etc/face-card-reader/config.json', headless: false, panelTty: '/dev/tty1' });
  });

  it('refuses an option without its value instead of keeping the default', () => {
    let err = '';
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    try {
      assert.equal(parseDeviceArgs(['--config']), 2);
      assert.equal(parseDeviceArgs(['--headless', 'stray']), 2);
    } finally {
      process.stderr.write = write;
    }
    assert.match(err, /--config/);
  });
});

describe('fcr rig start arguments', () => {
  it('takes what npm start and the e2e harness pass', () => {
    assert.deepEqual(parseRigStartArgs([]), { headless: false, pcscd: true, configFile: undefined });
    assert.deepEqual(parseRigStartArgs(['--headless', '--no-pcscd', '--config', 'f.json']), { headless: true, pcscd: false, configFile: 'f.json' });
  });
});
