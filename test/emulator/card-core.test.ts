import assert from 'node:assert/strict';
import type { CardApplication, CommandApdu, ResponseApdu } from '../../rig/emulator/card-application';
import {
  EmulatedCard,
  CardMuteFault,
  CardNotPoweredError,
  CardWithdrawnFault,
} from '../../rig/emulator';
import { decodeCommand, encodeResponse, MalformedCommandError } from '../../src/iso7816';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A tiny application that echoes what it parsed, so the core's routing can be observed. */
class EchoApp implements CardApplication {
  readonly aid: Buffer;
  resets = 0;
  seen: CommandApdu[] = [];
  constructor(
    readonly name: string,
    aid: string,
  ) {
    this.aid = hex(aid);
  }
  handle(c: CommandApdu): ResponseApdu {
    this.seen.push(c);
    return { sw: 0x9000, data: Buffer.from(`${this.name}:${c.data.length}:${String(c.le)}`) };
  }
  reset(): void {
    this.resets += 1;
  }
}

function makeCard(): { card: EmulatedCard; a: EchoApp; b: EchoApp } {
  const a = new EchoApp('a', 'D392F000260100000001');
  const b = new EchoApp('b', 'D3921000310001010402');
  const card = new EmulatedCard({ applications: [a, b] });
  card.powerOn();
  return { card, a, b };
}
const sw = (r: Buffer): number => r.readUInt16BE(r.length - 2);
const body = (r: Buffer): string => r.subarray(0, r.length - 2).toString();

describe('emulated card core', () => {
  describe('command APDU codec (the one of src/iso7816, as the card reads it)', () => {
    it('parses the four ISO cases, short and extended', () => {
      assert.deepEqual(decodeCommand(hex('00A40000')), { cla: 0, ins: 0xa4, p1: 0, p2: 0, data: Buffer.alloc(0), le: undefined, extended: false });
      const c2 = decodeCommand(hex('00B0000000'));
      assert.equal(c2.le, 256, 'a short Le of 00 asks for 256 bytes (ISO 7816-4 §5.1)');
      const c3 = decodeCommand(hex('00A4020C02000A'));
      assert.deepEqual(c3.data, hex('000A'));
      assert.equal(c3.le, undefined);
      const c4 = decodeCommand(hex('802A00800301020300'));
      assert.deepEqual(c4.data, hex('010203'));
      assert.equal(c4.le, 256);
      const e2 = decodeCommand(hex('00B00000000000'));
      assert.equal(e2.extended, true);
      assert.equal(e2.le, 65536);
      const e4 = decodeCommand(hex('802A0080000003AABBCC0100'));
      assert.deepEqual(e4.data, hex('AABBCC'));
      assert.equal(e4.le, 256);
      assert.equal(e4.extended, true);
    });

    it('rejects lengths that do not add up', () => {
      for (const bad of ['00A4', '00A4020C0300', '00B0000000FF', '00B000000000']) {
        assert.throws(() => decodeCommand(hex(bad)), MalformedCommandError, bad);
      }
    });

    it('encodes data then the status word', () => {
      assert.deepEqual(encodeResponse({ data: hex('0102'), sw: 0x63c2 }), hex('010263C2'));
    });
  });

  describe('routing and power', () => {
    it('routes commands to the application selected by AID until another is selected', () => {
      const { card, a, b } = makeCard();
      assert.equal(sw(card.transmit(hex('00B0000000'))), 0x6986, 'nothing selected yet');
      assert.equal(sw(card.transmit(hex('00A4040C0AD392F000260100000001'))), 0x9000);
      assert.equal(body(card.transmit(hex('00B0000010'))), 'a:0:16');
      assert.equal(sw(card.transmit(hex('00A4040C0AD3921000310001010402'))), 0x9000);
      assert.equal(body(card.transmit(hex('00B0000000'))), 'b:0:256');
      assert.equal(a.seen.length, 1);
      assert.equal(b.seen.length, 1);
      assert.equal(card.apduCount, 5);
    });

    it('power off resets every application and forgets the selection; an unpowered card refuses APDUs', () => {
      const { card, a, b } = makeCard();
      card.transmit(hex('00A4040C0AD392F000260100000001'));
      card.powerOff();
      assert.equal(a.resets, 1);
      assert.equal(b.resets, 1);
      assert.throws(() => card.transmit(hex('00B0000000')), CardNotPoweredError);
      card.powerOn();
      assert.equal(sw(card.transmit(hex('00B0000000'))), 0x6986);
      card.reset();
      assert.equal(a.resets, 2);
    });

    it('refuses secure messaging and unknown classes', () => {
      const { card } = makeCard();
      card.transmit(hex('00A4040C0AD392F000260100000001'));
      assert.equal(sw(card.transmit(hex('0CB0000000'))), 0x6e00);
    });
  });

  describe('faults', () => {
    it('removeAfterApdus: N answers, then every APDU throws CardWithdrawnFault', () => {
      const { card } = makeCard();
      card.setFaults({ removeAfterApdus: 2 });
      card.transmit(hex('00A4040C0AD392F000260100000001'));
      card.transmit(hex('00B0000000'));
      assert.throws(() => card.transmit(hex('00B0000000')), (e: unknown) => e instanceof CardWithdrawnFault && e.apduNumber === 3);
      assert.equal(card.isWithdrawn, true);
      assert.throws(() => card.transmit(hex('00B0000000')), CardWithdrawnFault);
      card.setFaults({});
      assert.equal(card.isWithdrawn, false);
      assert.equal(sw(card.transmit(hex('00B0000000'))), 0x9000);
    });

    it('removeAfterApdus 0: gone at the first APDU; counts start at setFaults()', () => {
      const { card } = makeCard();
      card.transmit(hex('00A4040C0AD392F000260100000001'));
      card.setFaults({ removeAfterApdus: 0 });
      assert.throws(() => card.transmit(hex('00B0000000')), CardWithdrawnFault);
    });

    it('noAnswer: every APDU throws CardMuteFault (the card stays)', () => {
      const { card } = makeCard();
      card.setFaults({ noAnswer: true });
      assert.throws(() => card.transmit(hex('00A4040C0AD392F000260100000001')), CardMuteFault);
      assert.equal(card.isWithdrawn, false);
    });

    it('statusWordOverride replaces the answer after the first N APDUs', () => {
      const { card } = makeCard();
      card.setFaults({ statusWordOverride: { afterApdus: 1, sw: 0x6581 } });
      assert.equal(sw(card.transmit(hex('00A4040C0AD392F000260100000001'))), 0x9000);
      assert.deepEqual(card.transmit(hex('00B0000000')), hex('6581'));
    });

    it('truncateResponsesTo cuts the data and keeps the status word', () => {
      const { card } = makeCard();
      card.transmit(hex('00A4040C0AD392F000260100000001'));
      card.setFaults({ truncateResponsesTo: 2 });
      assert.deepEqual(card.transmit(hex('00B0000010')), Buffer.concat([Buffer.from('a:'), hex('9000')]));
    });

    it('delayMs is exposed for the transport to apply', () => {
      const { card } = makeCard();
      card.setFaults({ delayMs: 250 });
      assert.equal(card.faults.delayMs, 250);
      assert.equal(sw(card.transmit(hex('00A4040C0AD392F000260100000001'))), 0x9000);
    });
  });
});
