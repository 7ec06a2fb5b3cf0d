/** `Secret<T>` (issue 11 item 9): every way a value reaches text gives `[redacted]`; only `.reveal()` gives it. */
import assert from 'node:assert/strict';
import { format, inspect } from 'node:util';
import { secret } from '../../src/log/secret';

describe('Secret: a personal value that never stringifies', () => {
  const pin = secret('7395');

  it('template strings, String(), concatenation, JSON, util.inspect and util.format all redact', () => {
    const texts = [`${pin}`, String(pin), '' + pin, JSON.stringify({ pin }), inspect({ pin }), format('%s %o %j', pin, pin, pin), inspect(pin, { showHidden: true, depth: 5 })];
    for (const t of texts) {
      assert.ok(!t.includes('7395'), t);
      assert.match(t, /\[redacted\]/);
    }
  });

  it('reveal() gives the value; map() derives a secret without revealing it', () => {
    assert.equal(pin.reveal(), '7395');
    const bytes = pin.map((p) => Buffer.from(p, 'ascii'));
    assert.equal(`${bytes}`, '[redacted]');
    assert.deepEqual([...bytes.reveal()], [0x37, 0x33, 0x39, 0x35]);
  });

  it('spreading or cloning does not copy the value (it is never part of plain state)', () => {
    assert.ok(!JSON.stringify(structuredClone(pin)).includes('7395'));
    assert.ok(!inspect({ ...pin }).includes('7395'));
    assert.deepEqual(Object.keys(pin), []);
  });
});
