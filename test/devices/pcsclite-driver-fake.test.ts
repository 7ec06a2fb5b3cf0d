/**
 * The PC/SC driver against a scripted pcsclite (injected through `loadPcsclite`): the paths the
 * vpcd rig cannot produce — a reader unplugged with a card in it, a card swapped between two polls
 * (pcsc-lite's event counter), pcscd unreachable at start, error codes mapped to typed errors.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CardNotRespondingError, CardRemovedError, NoCardError, ReaderUnavailableError } from '../../src/card/errors';
import type { CardReaderEvent } from '../../src/devices/card-reader/card-reader-driver';
import { PcscliteCardReaderDriver, pcscErrorCode, type PcscContext, type PcscReader } from '../../src/devices/card-reader/pcsclite-driver';

const PRESENT = 0x20;
const EMPTY = 0x10;
const ATR = Buffer.from('3BE000FF8131FE4514', 'hex');

type TransmitHandler = (apdu: Buffer, cb: (err: Error | null, res: Buffer) => void) => void;

class FakeReader extends EventEmitter {
  SCARD_SHARE_SHARED = 2;
  SCARD_SHARE_EXCLUSIVE = 1;
  SCARD_PROTOCOL_T0 = 1;
  SCARD_PROTOCOL_T1 = 2;
  SCARD_STATE_PRESENT = PRESENT;
  SCARD_STATE_MUTE = 0x200;
  SCARD_LEAVE_CARD = 0;
  SCARD_RESET_CARD = 1;
  connects: { share_mode?: number; protocol?: number }[] = [];
  disconnects: number[] = [];
  onTransmit: TransmitHandler = (_apdu, cb) => cb(null, Buffer.from([0x90, 0x00]));
  closed = false;
  constructor(readonly name: string) {
    super();
  }
  /** Protocols the card accepts (T=1 by default). */
  accepts = 2;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: Error | null, protocol: number) => void): void {
    this.connects.push(options);
    const ok = ((options.protocol ?? 0) & this.accepts) !== 0;
    setImmediate(() =>
      ok ? cb(null, options.protocol === 2 ? 2 : this.accepts) : cb(new Error('SCardConnect error: Card protocol mismatch.(0x8010000F)'), 0),
    );
  }
  disconnect(disposition: number, cb: (err: Error | null) => void): void {
    this.disconnects.push(disposition);
    setImmediate(() => cb(null));
  }
  transmit(data: Buffer, _len: number, _protocol: number, cb: (err: Error | null, response: Buffer) => void): void {
    this.onTransmit(data, cb);
  }
  close(): void {
    this.closed = true;
  }
  status(state: number, atr?: Buffer): void {
    this.emit('status', atr ? { state, atr } : { state });
  }
}

class FakeContext extends EventEmitter {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

function setup(options: { failContexts?: number } = {}) {
  const contexts: FakeContext[] = [];
  let failures = options.failContexts ?? 0;
  const driver = new PcscliteCardReaderDriver({
    apduTimeoutMs: 200,
    backoff: { initialMs: 10, maxMs: 40 },
    loadPcsclite: () =>
      Promise.resolve(() => {
        if (failures > 0) {
          failures--;
          throw new Error('SCardEstablishContext error: Service not available.(0x8010001D)');
        }
        const c = new FakeContext();
        contexts.push(c);
        return c as unknown as PcscContext;
      }),
  });
  const events: CardReaderEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const addReader = (name: string): FakeReader => {
    const r = new FakeReader(name);
    const ctx = contexts.at(-1);
    assert.ok(ctx);
    ctx.emit('reader', r as unknown as PcscReader);
    return r;
  };
  return { driver, events, contexts, addReader };
}

const types = (events: CardReaderEvent[]): string[] => events.map((e) => e.type + ('slot' in e ? `:${e.slot}` : ''));

describe('PcscliteCardReaderDriver (scripted pcsclite)', () => {
  it('maps readers by name, ignores unknown ones, and turns PRESENT/EMPTY edges into events', async () => {
    const { driver, events, addReader } = setup();
    await driver.start();
    const r = addReader('Virtual PCD 00 00');
    const other = addReader('Some Other Reader');
    r.status(EMPTY);
    r.status(PRESENT | 0x10000, ATR);
    r.status(PRESENT | 0x10000, ATR); // same card, no new event
    r.status(EMPTY | 0x20000);
    assert.deepEqual(types(events), ['reader-added:card', 'card-inserted:card', 'card-removed:card']);
    await driver.stop();
    assert.ok(other.closed && r.closed, 'every reader closed on stop, mapped or not (else the process cannot exit)');
  });

  it('sees a card swapped between two polls by the event counter', async () => {
    const { driver, events, addReader } = setup();
    await driver.start();
    const r = addReader('Virtual PCD 00 00');
    r.status(PRESENT | 0x10000, ATR);
    r.status(PRESENT | 0x30000, ATR);
    assert.deepEqual(types(events), ['reader-added:card', 'card-inserted:card', 'card-removed:card', 'card-inserted:card']);
    await driver.stop();
  });

  it('a reader unplugged mid-transaction: CardRemovedError at once, card and reader reported gone', async () => {
    const { driver, events, addReader } = setup();
    await driver.start();
    const r = addReader('Virtual PCD 00 00');
    r.status(PRESENT | 0x10000, ATR);
    r.onTransmit = () => undefined; // the answer never comes
    const tx = driver.transact('card', (ch) => ch.transmit(Buffer.from('00B0000004', 'hex')), { apduTimeoutMs: 10_000 });
    await sleep(20);
    r.emit('end');
    await assert.rejects(tx, CardRemovedError);
    assert.deepEqual(types(events).slice(-2), ['card-removed:card', 'reader-removed:card']);
    // The APDU in flight was released too, so the queue does not wait for the 10 s limit.
    const next = driver.transact('card', () => Promise.resolve(1));
    const raced = await Promise.race([next.then(() => 'ran', () => 'rejected'), sleep(1000).then(() => 'still queued')]);
    assert.equal(raced, 'rejected');
    await assert.rejects(next, NoCardError);
    await driver.stop();
  });

  it('maps PC/SC codes: removed → CardRemovedError, unresponsive → CardNotRespondingError, timeout → CardNotRespondingError', async () => {
    const { driver, addReader } = setup();
    await driver.start();
    const r = addReader('Virtual PCD 00 00');
    r.status(PRESENT | 0x10000, ATR);
    const apdu = Buffer.from('00A4040C0AD392F000260100000001', 'hex');
    r.onTransmit = (_a, cb) => cb(new Error('SCardTransmit error: Card was removed.(0x80100069)'), Buffer.alloc(0));
    await assert.rejects(driver.transact('card', (ch) => ch.transmit(apdu)), CardRemovedError);
    r.onTransmit = (_a, cb) => cb(new Error('SCardTransmit error: Card is unresponsive.(0x80100066)'), Buffer.alloc(0));
    await assert.rejects(driver.transact('card', (ch) => ch.transmit(apdu)), CardNotRespondingError);
    r.onTransmit = () => undefined;
    await assert.rejects(driver.transact('card', (ch) => ch.transmit(apdu)), (e: unknown) => e instanceof CardNotRespondingError && e.timeoutMs === 200);
    assert.equal(pcscErrorCode(new Error('x (0x8010001D)')), 0x8010001d);
    await driver.stop();
  });

  it('connects shared with T=1, exclusive with a reset at the end', async () => {
    const { driver, addReader } = setup();
    await driver.start();
    const r = addReader('Virtual PCD 00 00');
    r.status(PRESENT | 0x10000, ATR);
    await driver.transact('card', (ch) => ch.transmit(Buffer.from('00B0000004', 'hex')));
    await driver.transact('card', (ch) => ch.transmit(Buffer.from('00B0000004', 'hex')), { exclusive: true });
    assert.deepEqual(r.connects, [
      { share_mode: 2, protocol: 2 },
      { share_mode: 1, protocol: 2 },
    ]);
    assert.deepEqual(r.disconnects, [r.SCARD_LEAVE_CARD, r.SCARD_RESET_CARD]);
    await driver.stop();
  });

  it('falls back from T=1 to whatever the card speaks', async () => {
    const { driver, addReader } = setup();
    await driver.start();
    const r = addReader('Virtual PCD 00 00');
    r.accepts = 1; // T=0 only
    r.status(PRESENT | 0x10000, ATR);
    const res = await driver.transact('card', (ch) => ch.transmit(Buffer.from('00B0000004', 'hex')));
    assert.deepEqual(res, Buffer.from([0x90, 0x00]));
    assert.deepEqual(r.connects.map((c) => c.protocol), [2, 3]);
    await driver.stop();
  });

  it('keeps retrying while pcscd is unreachable, and recovers after the context dies', async () => {
    const { driver, events, contexts, addReader } = setup({ failContexts: 3 });
    await driver.start();
    assert.equal(events[0]?.type, 'driver-error');
    for (let i = 0; i < 100 && contexts.length === 0; i++) await sleep(10);
    assert.equal(contexts.length, 1, 'context created after three failures');
    const r = addReader('Virtual PCD 00 00');
    r.status(PRESENT | 0x10000, ATR);
    contexts[0]?.emit('error', new Error('SCardGetStatusChange error: RPC transport error.(0x80100013)'));
    assert.deepEqual(types(events).slice(-3), ['card-removed:card', 'reader-removed:card', 'driver-error']);
    assert.ok(r.closed && contexts[0]?.closed, 'old reader and context closed');
    for (let i = 0; i < 100 && contexts.length === 1; i++) await sleep(10);
    assert.equal(contexts.length, 2, 'a new context');
    await driver.stop();
    await assert.rejects(driver.transact('card', () => Promise.resolve(1)), ReaderUnavailableError);
  });
});
