/**
 * The ISO 7816 codec against bytes written down from public descriptions, never from the
 * product's own encoder (house rule: independent oracles):
 * - ISO/IEC 7816-3 §12.1 / 7816-4 §5.1: the four command cases, short and extended, and the
 *   meaning of Le `00` (Ne = 256) and extended Le `0000` (Ne = 65536);
 * - the JPKI APDUs as OpenSC's `card-jpki.c` sends them (also in docs/card-client.md and SPEC §5);
 * - X.690 §8.1.3: the length-form examples of the standard itself (L = 38 → `26`, L = 201 → `81 C9`);
 * - ISO/IEC 7816-4 §5.2.2: `00` / `FF` before, between and after data objects are padding.
 */
import assert from 'node:assert/strict';
import {
  decodeCommand,
  encodeCommand,
  encodeLength,
  encodeTag,
  interpretStatus,
  MalformedCommandError,
  parseResponse,
  parseTemplate,
  parseTlvList,
  readTlvHeader,
  statusWordName,
  SW,
  TlvFormatError,
} from '../../src/iso7816';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const JPKI_AID = 'D3 92 F0 00 26 01 00 00 00 01';

describe('ISO 7816 command APDUs, from the published cases', () => {
  const cases: { name: string; bytes: string; cla: number; ins: number; p1: number; p2: number; data: string; le: number | undefined; extended: boolean }[] = [
    { name: 'case 1: VERIFY with no data (JPKI tries-left query)', bytes: '00 20 00 80', cla: 0, ins: 0x20, p1: 0, p2: 0x80, data: '', le: undefined, extended: false },
    { name: 'case 2 short: READ BINARY Le 04', bytes: '00 B0 00 00 04', cla: 0, ins: 0xb0, p1: 0, p2: 0, data: '', le: 4, extended: false },
    { name: 'case 2 short: Le 00 means 256', bytes: '00 B0 00 00 00', cla: 0, ins: 0xb0, p1: 0, p2: 0, data: '', le: 256, extended: false },
    { name: 'case 2 extended: 00 Le1 Le2', bytes: '00 B0 00 04 00 03 50', cla: 0, ins: 0xb0, p1: 0, p2: 4, data: '', le: 0x350, extended: true },
    { name: 'case 2 extended: Le 0000 means 65536', bytes: '00 B0 00 00 00 00 00', cla: 0, ins: 0xb0, p1: 0, p2: 0, data: '', le: 65536, extended: true },
    { name: 'case 3 short: SELECT the JPKI AP by AID', bytes: `00 A4 04 0C 0A ${JPKI_AID}`, cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: JPKI_AID, le: undefined, extended: false },
    { name: 'case 3 short: SELECT EF 000A', bytes: '00 A4 02 0C 02 00 0A', cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: '00 0A', le: undefined, extended: false },
    { name: 'case 3 short: VERIFY a 4-digit PIN', bytes: '00 20 00 80 04 31 32 33 34', cla: 0, ins: 0x20, p1: 0, p2: 0x80, data: '31 32 33 34', le: undefined, extended: false },
    { name: 'case 3 extended: 00 Lc1 Lc2 data', bytes: '00 D6 00 00 00 00 02 AA BB', cla: 0, ins: 0xd6, p1: 0, p2: 0, data: 'AA BB', le: undefined, extended: true },
    { name: 'case 4 short: COMPUTE DIGITAL SIGNATURE, Le 00 = 256', bytes: '80 2A 00 80 03 01 02 03 00', cla: 0x80, ins: 0x2a, p1: 0, p2: 0x80, data: '01 02 03', le: 256, extended: false },
    { name: 'case 4 extended: Lc and Le two bytes each', bytes: '80 2A 00 80 00 00 03 01 02 03 01 00', cla: 0x80, ins: 0x2a, p1: 0, p2: 0x80, data: '01 02 03', le: 256, extended: true },
    { name: 'case 4 extended: Le 0000 means 65536', bytes: '80 2A 00 80 00 00 01 FF 00 00', cla: 0x80, ins: 0x2a, p1: 0, p2: 0x80, data: 'FF', le: 65536, extended: true },
  ];

  for (const c of cases) {
    it(`decodes ${c.name}`, () => {
      assert.deepEqual(decodeCommand(h(c.bytes)), { cla: c.cla, ins: c.ins, p1: c.p1, p2: c.p2, data: h(c.data), le: c.le, extended: c.extended });
    });
    it(`encodes ${c.name}`, () => {
      const data = h(c.data);
      assert.deepEqual(
        encodeCommand({ cla: c.cla, ins: c.ins, p1: c.p1, p2: c.p2, ...(data.length > 0 ? { data } : {}), ...(c.le !== undefined ? { le: c.le } : {}), extended: c.extended }),
        h(c.bytes),
      );
    });
  }

  it('refuses bytes that fit no case, as a malformed *command*', () => {
    for (const bad of ['00 A4 04', '00 A4 02 0C 03 00', '00 B0 00 00 00 FF', '00 B0 00 00 00 00', '00 B0 00 00 00 00 00 00', '00 D6 00 00 00 00 02 AA']) {
      assert.throws(() => decodeCommand(h(bad)), MalformedCommandError, bad);
    }
  });
});

describe('ISO 7816 responses and status words', () => {
  it('splits data and SW1 SW2', () => {
    assert.deepEqual(parseResponse(h('30 82 90 00')), { data: h('30 82'), sw: 0x9000 });
    assert.deepEqual(parseResponse(h('63 C2')), { data: Buffer.alloc(0), sw: 0x63c2 });
  });

  it('names the status words with the values ISO 7816-4 gives them', () => {
    const published: [keyof typeof SW, number][] = [
      ['OK', 0x9000],
      ['WRONG_LENGTH', 0x6700],
      ['SECURITY_NOT_SATISFIED', 0x6982],
      ['AUTHENTICATION_BLOCKED', 0x6983],
      ['REFERENCE_DATA_NOT_USABLE', 0x6984],
      ['FILE_NOT_FOUND', 0x6a82],
      ['WRONG_P1P2', 0x6a86],
      ['REFERENCE_NOT_FOUND', 0x6a88],
      ['INS_NOT_SUPPORTED', 0x6d00],
      ['CLA_NOT_SUPPORTED', 0x6e00],
    ];
    for (const [name, value] of published) assert.equal(SW[name], value, name);
  });

  it('reads the counting families as typed meanings: 61xx, 6Cxx (00 = 256) and 63Cx', () => {
    assert.deepEqual(interpretStatus(0x9000), { kind: 'ok' });
    assert.deepEqual(interpretStatus(0x6110), { kind: 'more-data', available: 16 });
    assert.deepEqual(interpretStatus(0x6100), { kind: 'more-data', available: 256 });
    assert.deepEqual(interpretStatus(0x6c04), { kind: 'wrong-le', exactLength: 4 });
    assert.deepEqual(interpretStatus(0x6c00), { kind: 'wrong-le', exactLength: 256 });
    assert.deepEqual(interpretStatus(0x63c2), { kind: 'verify-failed', triesLeft: 2 });
    assert.deepEqual(interpretStatus(0x63c0), { kind: 'verify-failed', triesLeft: 0 });
    assert.deepEqual(interpretStatus(0x6a82), { kind: 'named', name: 'FILE_NOT_FOUND' });
    assert.deepEqual(interpretStatus(0x6a42), { kind: 'unknown' });
    assert.equal(statusWordName(0x6a82), 'file or application not found');
  });
});

describe('BER-TLV (X.690 §8.1, ISO 7816-4 §5.2.2)', () => {
  it('reads and writes the length forms of X.690 §8.1.3 (its own examples: 38 → 26, 201 → 81 C9)', () => {
    assert.deepEqual(encodeLength(38), h('26'));
    assert.deepEqual(encodeLength(201), h('81 C9'));
    assert.deepEqual(encodeLength(0x0350), h('82 03 50'));
    assert.deepEqual(readTlvHeader(h('04 26')), { tag: 0x04, headerLength: 2, length: 38 });
    assert.deepEqual(readTlvHeader(h('04 81 C9')), { tag: 0x04, headerLength: 3, length: 201 });
    // Long form with a non-minimal length is BER (not DER) but legal: 81 05 = 5.
    assert.deepEqual(readTlvHeader(h('04 81 05')), { tag: 0x04, headerLength: 3, length: 5 });
    // ISO 7816-4 length fields go up to five bytes: 84 and four bytes.
    assert.deepEqual(readTlvHeader(h('DF27 84 01 00 00 00')), { tag: 0xdf27, headerLength: 7, length: 0x01000000 });
  });

  it('refuses the length forms ISO 7816 does not allow: indefinite 80, 85 and more, reserved FF', () => {
    for (const bad of ['30 80', '30 85 00 00 00 00 01', '30 FF']) assert.throws(() => readTlvHeader(h(bad)), TlvFormatError, bad);
  });

  it('reads one-, two- and three-byte tags (X.690 §8.1.2.4) and refuses a four-byte one', () => {
    assert.equal(readTlvHeader(h('30 00'))?.tag, 0x30);
    assert.equal(readTlvHeader(h('5F 20 00'))?.tag, 0x5f20);
    assert.equal(readTlvHeader(h('7F 21 00'))?.tag, 0x7f21);
    // Context-specific tag number 129: 9F, then 81 01 (base-128, bit 8 = more).
    assert.deepEqual(readTlvHeader(h('9F 81 01 01')), { tag: 0x9f8101, headerLength: 4, length: 1 });
    assert.deepEqual(encodeTag(0x9f8101), h('9F 81 01'));
    assert.throws(() => readTlvHeader(h('9F 81 81 01 00')), TlvFormatError);
    // 80 as the first subsequent byte would be a leading zero (X.690 §8.1.2.4.2 c).
    assert.throws(() => readTlvHeader(h('9F 80 01 00')), TlvFormatError);
  });

  it('skips 00 / FF padding before, between and after objects instead of stopping at it', () => {
    const list = parseTlvList(h('00 DF22 04 19580401 FF FF DF23 01 31 00 00 DF25 00 FF'));
    assert.deepEqual(
      list.map((o) => [o.tag, o.offset]),
      [
        [0xdf22, 1],
        [0xdf23, 10],
        [0xdf25, 16],
      ],
    );
    assert.deepEqual(list[0]?.raw, h('DF22 04 19580401'));
  });

  it('with padding none, an FF byte starts a tag (the card\'s FF10 / FF20 templates in a row)', () => {
    const list = parseTlvList(h('FF10 03 DF11 00 FF20 00'), { padding: 'none' });
    assert.deepEqual(list.map((o) => o.tag), [0xff10, 0xff20]);
  });

  it('reads the FF20 template of EF 0002 and its children, padding between children skipped', () => {
    const file = h('FF20 0C DF21 02 0005 FF DF22 01 31 00 00');
    const { outer, children } = parseTemplate(file, 0xff20);
    assert.equal(outer.value.length, 12);
    assert.deepEqual(children.map((c) => [c.tag, c.offset]), [
      [0xdf21, 3],
      [0xdf22, 9],
    ]);
  });

  it('refuses an object that runs past the end of its list or template', () => {
    assert.throws(() => parseTlvList(h('DF22 08 1958')), TlvFormatError);
    assert.throws(() => parseTemplate(h('FF20 03 DF22 05 31'), 0xff20), TlvFormatError);
  });
});
