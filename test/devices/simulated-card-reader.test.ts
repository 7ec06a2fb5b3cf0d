import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ApduLink } from '../../src/iso7816';
import { CardNotRespondingError, CardRemovedError, NoCardError, ReaderUnavailableError } from '../../src/card/errors';
import { readUserAuthCertificate, readUserAuthPinTriesLeft, verifyUserAuthPin } from '../../src/card/jpki';
import type { CardReaderEvent } from '../../src/devices/card-reader/card-reader-driver';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { FakeJpkiCard, makeTestCertificate, type FakeKeys } from '../card/fake-jpki';

describe('SimulatedCardReaderDriver', () => {
  let keys: FakeKeys;
  before(async () => {
    keys = await makeTestCertificate();
  });

  function setup(): { driver: SimulatedCardReaderDriver; events: CardReaderEvent[] } {
    const driver = new SimulatedCardReaderDriver();
    const events: CardReaderEvent[] = [];
    driver.onEvent((e) => events.push(e));
    return { driver, events };
  }

  it('reports readers, insertion and removal per slot', async () => {
    const { driver, events } = setup();
    const card = new FakeJpkiCard(keys);
    driver.insert('card', card);
    await driver.start();
    driver.insert('smartphone', new FakeJpkiCard(keys));
    driver.remove('card');
    assert.deepEqual(
      events.map((e) => `${e.type}:${'slot' in e ? e.slot : ''}`),
      ['reader-added:card', 'card-inserted:card', 'reader-added:smartphone', 'card-inserted:smartphone', 'card-removed:card'],
    );
    const inserted = events[1];
    assert.ok(inserted?.type === 'card-inserted');
    assert.deepEqual(inserted.atr, card.atr);
    assert.equal(driver.cardIn('card'), undefined);
    assert.ok(driver.cardIn('smartphone'));
    await driver.stop();
  });

  it('reads through a transaction; NoCardError on an empty slot', async () => {
    const { driver } = setup();
    await driver.start();
    await assert.rejects(driver.transact('card', (ch) => readUserAuthCertificate(ch)), NoCardError);
    driver.insert('card', new FakeJpkiCard(keys));
    const read = await driver.transact('card', (ch) => readUserAuthCertificate(ch));
    assert.deepEqual(read.der, keys.certificate);
    await driver.stop();
  });

  it('removal mid-transaction rejects with CardRemovedError, then the next card reads cleanly', async () => {
    const { driver } = setup();
    await driver.start();
    const card = new FakeJpkiCard(keys);
    card.beforeAnswer = (n) => {
      if (n === 3) driver.remove('card');
    };
    driver.insert('card', card);
    await assert.rejects(driver.transact('card', (ch) => readUserAuthCertificate(ch)), CardRemovedError);
    driver.insert('card', new FakeJpkiCard(keys));
    const read = await driver.transact('card', (ch) => readUserAuthCertificate(ch));
    assert.deepEqual(read.der, keys.certificate);
    await driver.stop();
  });

  it('rejects at once on removal even while the transaction is still waiting on the card', async () => {
    const { driver } = setup();
    await driver.start();
    driver.insert('card', new FakeJpkiCard(keys));
    let released!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (released = r));
    const running = new Promise<void>((r) => (started = r));
    const tx = driver.transact('card', async (ch) => {
      started();
      await gate;
      return ch.transmit(Buffer.from('00A4040C0AD392F000260100000001', 'hex'));
    });
    const second = driver.transact('card', () => Promise.resolve('second ran'));
    await running;
    driver.remove('card');
    await assert.rejects(tx, CardRemovedError);
    released();
    // The queued transaction runs after the first settles, on an empty slot.
    await assert.rejects(second, NoCardError);
    await driver.stop();
  });

  it('a transaction function that throws before any await rejects its caller and frees the queue', async () => {
    const { driver } = setup();
    await driver.start();
    driver.insert('card', new FakeJpkiCard(keys));
    const bug = new Error('bug in fn');
    await assert.rejects(
      driver.transact('card', () => {
        throw bug;
      }),
      (e: unknown) => e === bug,
    );
    assert.equal(await driver.transact('card', () => Promise.resolve('next')), 'next');
    await driver.stop();
  });

  it('runs one transaction at a time, in call order', async () => {
    const { driver } = setup();
    await driver.start();
    driver.insert('card', new FakeJpkiCard(keys));
    const order: string[] = [];
    // `a` holds the reader until the test lets it go, so "b and c wait for a" is checked while a
    // is provably still running, not after some time that is hoped to be long enough.
    let releaseA!: () => void;
    const aHeld = new Promise<void>((resolve) => (releaseA = resolve));
    const a = driver.transact('card', async () => {
      order.push('a-start');
      await aHeld;
      order.push('a-end');
    });
    const b = driver.transact('smartphone', () => Promise.resolve(order.push('b')));
    const c = driver.transact('card', async () => {
      order.push('c-start');
      await nextTurn(); // c too spans an event-loop turn
      order.push('c-end');
    });
    // The queue is a promise chain: one event-loop turn runs every continuation that is ready.
    await nextTurn();
    assert.deepEqual(order, ['a-start'], 'b and c wait while a runs');
    releaseA();
    await a;
    await assert.rejects(b, NoCardError);
    await c;
    assert.deepEqual(order, ['a-start', 'a-end', 'c-start', 'c-end']);
    await driver.stop();
  });

  it('an exclusive transaction ends with a reset: the verified PIN does not outlive it', async () => {
    const { driver } = setup();
    await driver.start();
    const card = new FakeJpkiCard(keys);
    driver.insert('card', card);
    await driver.transact('card', (ch) => verifyUserAuthPin(ch, '1234'), { exclusive: true });
    const tries = await driver.transact('card', async (ch) => {
      const link = new ApduLink(ch);
      return readUserAuthPinTriesLeft(link);
    });
    assert.equal(tries, 3, 'fake answers 9000 to the query only while verified');
    await driver.stop();
  });

  it('maps the emulator faults: withdrawn → removal, mute → not responding', async () => {
    const { driver, events } = setup();
    await driver.start();
    const withdrawn = { atr: Buffer.from('3B00', 'hex'), transmit: (): Buffer => { throw Object.assign(new Error('x'), { name: 'CardWithdrawnFault' }); } };
    driver.insert('card', withdrawn);
    await assert.rejects(driver.transact('card', (ch) => ch.transmit(Buffer.from('00B00000', 'hex'))), CardRemovedError);
    assert.equal(events.at(-1)?.type, 'card-removed');
    const mute = { atr: Buffer.from('3B00', 'hex'), transmit: (): Buffer => { throw Object.assign(new Error('x'), { name: 'CardMuteFault' }); } };
    driver.insert('card', mute);
    await assert.rejects(driver.transact('card', (ch) => ch.transmit(Buffer.from('00B00000', 'hex'))), CardNotRespondingError);
    await driver.stop();
  });

  it('isolates a throwing listener and refuses work after stop', async () => {
    const { driver, events } = setup();
    driver.onEvent(() => {
      throw new Error('listener bug');
    });
    await driver.start();
    driver.insert('card', new FakeJpkiCard(keys));
    assert.equal(events.at(-1)?.type, 'card-inserted');
    await driver.stop();
    await driver.stop();
    await assert.rejects(driver.transact('card', () => Promise.resolve(1)), ReaderUnavailableError);
  });
});
