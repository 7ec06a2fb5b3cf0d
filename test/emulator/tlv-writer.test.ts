import assert from 'node:assert/strict';
import { tlv } from '../../rig/emulator/card-face/tlv-writer';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** The emulator's own BER-TLV writer, against X.690 §8.1.3's length examples and the card's tag forms. */
describe("the emulator's TLV writer (X.690 §8.1.2-8.1.3)", () => {
  it('writes short and long definite lengths as X.690 gives them (38 → 26, 201 → 81 C9, 848 → 82 03 50)', () => {
    assert.deepEqual(tlv(0x04, Buffer.alloc(38)).subarray(0, 2), h('04 26'));
    assert.deepEqual(tlv(0x04, Buffer.alloc(201)).subarray(0, 3), h('04 81 C9'));
    assert.deepEqual(tlv(0x04, Buffer.alloc(0x350)).subarray(0, 4), h('04 82 03 50'));
    assert.deepEqual(tlv(0x04, Buffer.alloc(0)), h('04 00'));
  });

  it("writes the card's one- and two-byte tags big-endian", () => {
    assert.deepEqual(tlv(0x90, h('010001')), h('90 03 010001'));
    assert.deepEqual(tlv(0xdf27, h('AA')), h('DF27 01 AA'));
    assert.deepEqual(tlv(0xff20, tlv(0xdf21, h('0005'))), h('FF20 05 DF21 02 0005'));
  });
});
