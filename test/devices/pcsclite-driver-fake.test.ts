/**
 * The PC/SC driver against a scripted pcsclite (injected through `loadPcsclite`): the paths the
 * vpcd rig cannot produce — a reader unplugged with a card in it, a card swapped between two polls
 * (pcsc-lite's event counter), pcscd unreachable at start, error codes mapped to typed errors.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import FakeTimers from '@sinonjs/fake-timers';
import { CardNotRespondingError, CardRemovedError, NoCardError, ReaderUnavailableError } from '../../src/card/errors';
import type { CardReaderEvent } from '../../src/devices/card-reader/card-reader-driver';
import { PcscliteCardReaderDriver, pcscErrorCode, type PcscContext, type PcscReader } from '../../src/devices/card-reader/pcsclite-driver';
import { withTimeout } from '../wait-for';

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
    // Fake setTimeout: the APDU's 10 s limit cannot expire during this test, so anything that
    // settles below settled without it. (setImmediate stays real: the fake reader answers on it.)
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { driver, events, addReader } = setup();
      await driver.start();
      const r = addReader('Virtual PCD 00 00');
      r.status(PRESENT | 0x10000, ATR);
      let inFlight!: () => void;
      const reached = new Promise<void>((resolve) => (inFlight = resolve));
      r.onTransmit = () => inFlight(); // the APDU reaches the reader; the answer never comes
      const tx = driver.transact('card', (ch) => ch.transmit(Buffer.from('00B0000004', 'hex')), { apduTimeoutMs: 10_000 });
      await withTimeout(reached, { what: 'the APDU to reach the reader' });
      r.emit('end');
      await assert.rejects(withTimeout(tx, { what: 'the transaction in flight to end when its reader went' }), CardRemovedError);
      assert.deepEqual(types(events).slice(-2), ['card-removed:card', 'reader-removed:card']);
      // The APDU in flight was released too, so the queue does not wait for the 10 s limit (the
      // clock is fake: only a release can let the next transaction run).
      const next = driver.transact('card', () => Promise.resolve(1));
      await assert.rejects(withTimeout(next, { what: 'the next transaction to run (still queued behind the dead APDU?)' }), NoCardError);
      assert.equal(clock.now, 0, 'no time passed on the fake clock');
      await driver.stop();
    } finally {
      clock.uninstall();
    }
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

  it('keeps retrying while pcscd is unreachable, with a doubling back-off, and recovers after the context dies', async () => {
    // The back-off runs on timers (node:timers/promises, which the fake clock also replaces).
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { driver, events, contexts, addReader } = setup({ failContexts: 3 });
      await driver.start();
      assert.equal(events[0]?.type, 'driver-error');
      // setup(): back-off 10 ms doubling to at most 40 ms. Failure 1 at start, failure 2 at 10 ms,
      // failure 3 at 10 + 20 ms, success at 10 + 20 + 40 ms — not a moment before.
      await clock.tickAsync(69);
      assert.equal(contexts.length, 0, 'no context before 70 ms of back-off');
      await clock.tickAsync(1);
      assert.equal(contexts.length, 1, 'context created after three failures');
      const r = addReader('Virtual PCD 00 00');
      r.status(PRESENT | 0x10000, ATR);
      contexts[0]?.emit('error', new Error('SCardGetStatusChange error: RPC transport error.(0x80100013)'));
      assert.deepEqual(types(events).slice(-3), ['card-removed:card', 'reader-removed:card', 'driver-error']);
      assert.ok(r.closed && contexts[0]?.closed, 'old reader and context closed');
      // A new loss starts the back-off from its first delay again.
      await clock.tickAsync(9);
      assert.equal(contexts.length, 1, 'not before the first back-off delay');
      await clock.tickAsync(1);
      assert.equal(contexts.length, 2, 'a new context');
      await driver.stop();
      await assert.rejects(driver.transact('card', () => Promise.resolve(1)), ReaderUnavailableError);
    } finally {
      clock.uninstall();
    }
  });
});
