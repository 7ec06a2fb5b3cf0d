import assert from 'node:assert/strict';
import { parseCommandLine } from '../../src/cli/args';

describe('fcr command-line parsing', () => {
  const options = { pin: { type: 'string' as const }, json: { type: 'boolean' as const, default: false } };
  let out = '';
  let err = '';
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  beforeEach(() => {
    out = '';
    err = '';
    process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  });
  afterEach(() => {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  });

  it('returns the typed values', () => {
    const r = parseCommandLine(['--pin', '1234', '--json'], options, 'usage: x');
    assert.notEqual(typeof r, 'number');
    if (typeof r !== 'number') assert.deepEqual({ ...r.values }, { pin: '1234', json: true });
  });

  it('an unknown option or a stray argument: exit 2 with the usage on stderr', () => {
    assert.equal(parseCommandLine(['--pni', '1'], options, 'usage: x'), 2);
    assert.match(err, /usage: x/);
    assert.equal(parseCommandLine(['stray'], options, 'usage: x'), 2);
  });

  it('--help and -h: exit 0 with the usage on stdout', () => {
    assert.equal(parseCommandLine(['--help'], options, 'usage: x'), 0);
    assert.equal(parseCommandLine(['-h'], options, 'usage: x'), 0);
    assert.match(out, /usage: x/);
  });
});
