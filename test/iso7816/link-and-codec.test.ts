import assert from 'node:assert/strict';
import {
  ApduLink,
  decodeCommand,
  encodeCommand,
  expectOk,
  parseResponse,
  statusWordName,
  type CardChannel,
  MalformedCommandError,
  MalformedResponseError,
  UnexpectedStatusError,
} from '../../src/iso7816';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('APDU codec (ISO 7816-4)', () => {
  it('encodes the four short cases', () => {
    assert.deepEqual(encodeCommand({ ins: 0xb0, p1: 0, p2: 0 }), h('00 B0 00 00'));
    assert.deepEqual(encodeCommand({ ins: 0xb0, p1: 0, p2: 0, le: 4 }), h('00 B0 00 00 04'));
    assert.deepEqual(encodeCommand({ ins: 0xb0, p1: 0, p2: 0, le: 256 }), h('00 B0 00 00 00'));
    assert.deepEqual(
      encodeCommand({ ins: 0xa4, p1: 4, p2: 0x0c, data: h('D392F000260100000001') }),
      h('00 A4 04 0C 0A D392F000260100000001'),
    );
    assert.deepEqual(encodeCommand({ cla: 0x80, ins: 0x2a, p1: 0, p2: 0x80, data: h('0102'), le: 256 }), h('80 2A 00 80 02 0102 00'));
  });

  it('switches to extended length when Le > 256 or data > 255', () => {
    assert.deepEqual(encodeCommand({ ins: 0xb0, p1: 0, p2: 4, le: 0x0350 }), h('00 B0 00 04 00 03 50'));
    assert.deepEqual(encodeCommand({ ins: 0xb0, p1: 0, p2: 0, le: 65536 }), h('00 B0 00 00 00 00 00'));
    const data = Buffer.alloc(300, 0xaa);
    const enc = encodeCommand({ ins: 0x2a, p1: 0, p2: 0x80, data, le: 256 });
    assert.deepEqual(enc.subarray(0, 7), h('00 2A 00 80 00 01 2C'));
    assert.deepEqual(enc.subarray(7 + 300), h('01 00'));
    assert.deepEqual(encodeCommand({ ins: 0xb0, p1: 0, p2: 0, le: 4, extended: true }), h('00 B0 00 00 00 00 04'));
  });

  it('rejects out-of-range fields instead of sending garbage', () => {
    assert.throws(() => encodeCommand({ ins: 0x100, p1: 0, p2: 0 }), RangeError);
    assert.throws(() => encodeCommand({ ins: 0xb0, p1: 0, p2: 0, le: 0 }), RangeError);
    assert.throws(() => encodeCommand({ ins: 0xb0, p1: 0, p2: 0, le: 65537 }), RangeError);
  });

  it('decodes what it encodes, in every case', () => {
    const cases = [
      { ins: 0xb0, p1: 1, p2: 2 },
      { ins: 0xb0, p1: 1, p2: 2, le: 17 },
      { ins: 0xb0, p1: 1, p2: 2, le: 256 },
      { ins: 0xa4, p1: 2, p2: 0x0c, data: h('000A') },
      { ins: 0x2a, p1: 0, p2: 0x80, data: h('3031'), le: 256 },
      { ins: 0xb0, p1: 0, p2: 0, le: 1000 },
      { ins: 0xb0, p1: 0, p2: 0, le: 65536 },
      { ins: 0xd6, p1: 0, p2: 0, data: Buffer.alloc(600, 7) },
      { ins: 0x2a, p1: 0, p2: 0x80, data: Buffer.alloc(600, 7), le: 65536 },
    ];
    for (const c of cases) {
      const d = decodeCommand(encodeCommand(c));
      assert.equal(d.ins, c.ins);
      assert.equal(d.p1, c.p1);
      assert.deepEqual(d.data, c.data ?? Buffer.alloc(0));
      assert.equal(d.le, c.le);
    }
  });

  it('refuses truncated commands and responses', () => {
    assert.throws(() => decodeCommand(h('00 B0 00')), MalformedCommandError);
    assert.throws(() => decodeCommand(h('00 A4 04 0C 0A 01 02')), MalformedCommandError);
    assert.throws(() => parseResponse(h('90')), MalformedResponseError);
    assert.deepEqual(parseResponse(h('0102 9000')), { data: h('0102'), sw: 0x9000 });
  });

  it('names status words', () => {
    assert.equal(statusWordName(0x9000), 'success');
    assert.equal(statusWordName(0x6983), 'authentication method blocked');
    assert.equal(statusWordName(0x63c2), 'verification failed, 2 tries left');
    assert.equal(statusWordName(0x6110), '16 more bytes available');
    assert.equal(statusWordName(0x6c04), 'wrong Le, exact length 4');
  });

  it('expectOk throws a typed error carrying INS, SW and step', () => {
    assert.throws(
      () => expectOk({ data: Buffer.alloc(0), sw: 0x6f00 }, { ins: 0xb0, step: 'read' }),
      (e: unknown) => e instanceof UnexpectedStatusError && e.sw === 0x6f00 && e.ins === 0xb0 && e.step === 'read',
    );
  });
});

/** A scripted channel: answers in order and records what was sent. */
function scripted(answers: string[]): CardChannel & { sent: Buffer[] } {
  const sent: Buffer[] = [];
  return {
    sent,
    transmit(apdu: Buffer) {
      sent.push(apdu);
      const next = answers.shift();
      if (next === undefined) return Promise.reject(new Error('script exhausted'));
      return Promise.resolve(h(next));
    },
  };
}

describe('ApduLink 61xx / 6Cxx procedures', () => {
  it('follows 61xx with GET RESPONSE and concatenates', async () => {
    const ch = scripted(['0102 6103', '030405 9000']);
    const link = new ApduLink(ch);
    const res = await link.send({ ins: 0xb0, p1: 0, p2: 0, le: 256 });
    assert.deepEqual(res, { data: h('0102030405'), sw: 0x9000 });
    assert.deepEqual(ch.sent[1], h('00 C0 00 00 03'));
    assert.equal(link.counters.apdus, 2);
    assert.equal(link.counters.bytesReceived, 4 + 5);
  });

  it('re-sends with the exact Le after 6Cxx', async () => {
    const ch = scripted(['6C04', '30820350 9000']);
    const link = new ApduLink(ch);
    const res = await link.send({ ins: 0xb0, p1: 0, p2: 0, le: 256 });
    assert.deepEqual(res.data, h('30820350'));
    assert.deepEqual(ch.sent[1], h('00 B0 00 00 04'));
  });

  it('passes other status words through untouched', async () => {
    const link = new ApduLink(scripted(['63C2']));
    assert.equal((await link.send({ ins: 0x20, p1: 0, p2: 0x80 })).sw, 0x63c2);
  });
});
