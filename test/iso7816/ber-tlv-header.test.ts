import assert from 'node:assert/strict';
import { derTotalLength, MalformedResponseError, parseTlvList, readTlvHeader } from '../../src/iso7816';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('TLV / DER header reading', () => {
  it('reads short, one-byte and two-byte lengths', () => {
    assert.deepEqual(readTlvHeader(h('30 05')), { tag: 0x30, headerLength: 2, length: 5 });
    assert.deepEqual(readTlvHeader(h('30 81 C8')), { tag: 0x30, headerLength: 3, length: 200 });
    assert.deepEqual(readTlvHeader(h('30 82 03 50')), { tag: 0x30, headerLength: 4, length: 0x350 });
    assert.deepEqual(readTlvHeader(h('30 83 01 00 00')), { tag: 0x30, headerLength: 5, length: 0x10000 });
  });

  it('reads multi-byte tags (DF27 photo, 5F20, FF20)', () => {
    assert.deepEqual(readTlvHeader(h('DF27 82 12 34')), { tag: 0xdf27, headerLength: 5, length: 0x1234 });
    assert.deepEqual(readTlvHeader(h('FF20 81 80')), { tag: 0xff20, headerLength: 4, length: 0x80 });
    assert.deepEqual(readTlvHeader(h('5F 20 03')), { tag: 0x5f20, headerLength: 3, length: 3 });
  });

  it('asks for more bytes when the header is cut, refuses impossible encodings', () => {
    assert.equal(readTlvHeader(h('30 82 03')), undefined);
    assert.equal(readTlvHeader(h('DF')), undefined);
    assert.equal(readTlvHeader(Buffer.alloc(0)), undefined);
    assert.throws(() => readTlvHeader(h('30 80')), MalformedResponseError);
    assert.throws(() => readTlvHeader(h('30 85 01 02 03 04 05')), MalformedResponseError);
  });

  it('gives a certificate file its total length from 4 bytes', () => {
    assert.equal(derTotalLength(h('30 82 03 50')), 0x354);
    assert.throws(() => derTotalLength(h('FF FF FF FF')), MalformedResponseError);
    assert.throws(() => derTotalLength(h('30 82')), MalformedResponseError);
    assert.throws(() => derTotalLength(Buffer.alloc(0)), MalformedResponseError);
  });

  it('splits consecutive records and detects truncation', () => {
    const t = parseTlvList(h('DF22 04 19580401 DF23 01 31 FF FF'));
    assert.deepEqual(t.map((x) => x.tag), [0xdf22, 0xdf23]);
    assert.deepEqual(t[0]?.value, h('19580401'));
    assert.throws(() => parseTlvList(h('DF22 08 1958')), MalformedResponseError);
  });
});
