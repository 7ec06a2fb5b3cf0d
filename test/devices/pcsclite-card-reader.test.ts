/**
 * The PC/SC driver on the real stack (STYLE §12, the real-stack depth): a private pcscd with the
 * vpcd driver, the My Number card emulator on its vpcd ports, pcsclite in this process.
 */
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { ApduLink } from '../../src/iso7816';
import { certificateStatus } from '../../src/card/certificate-status';
import { CardError, CardNotRespondingError, CardRemovedError, NoCardError, SecurityStatusError, PinBlockedError, WrongPinError } from '../../src/card/errors';
import {
  readUserAuthCertificate,
  readUserAuthPinState,
  readUserAuthPinTriesLeft,
  signWithUserAuthKey,
  verifyUserAuthPin,
} from '../../src/card/jpki';
import type { CardReaderEvent, ReaderSlot } from '../../src/devices/card-reader/card-reader-driver';
import { PcscliteCardReaderDriver } from '../../src/devices/card-reader/pcsclite-driver';
import { createPersonaCard, startCardEmulator, type CardFaults, type EmulatedCard, type VpcdCardSocket } from '../../rig/emulator/index';
import { personas, type PersonaName } from '../../rig/personas/catalogue';
import { loadRigCredentials, type RigCredentials } from '../../rig/personas/credentials';
import type { PcscdInstance } from '../../rig/runner/pcscd-process';
import { randomChannelId, startLinkedPcscd } from './pcsc-rig';
import { waitFor } from '../wait-for';

class EventLog {
  readonly events: CardReaderEvent[] = [];
  private waiters: { match: (e: CardReaderEvent) => boolean; resolve: (e: CardReaderEvent) => void }[] = [];

  push = (e: CardReaderEvent): void => {
    this.events.push(e);
    for (const w of [...this.waiters]) {
      if (w.match(e)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  };

  /** Waits for the next matching event (one already seen does not count). */
  next(what: string, match: (e: CardReaderEvent) => boolean, timeoutMs = 5000): Promise<CardReaderEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }
}

/**
 * Counts the reader's ATR requests to `card`: pcscd's vpcd driver asks for the ATR at each of its
 * presence polls (~0.4 s apart; measured), so the count tells how often pcscd has looked. A test
 * spy on the card's `atr`, which the vpcd link reads for each request (rig/emulator/vpcd.ts).
 */
function countAtrRequests(card: EmulatedCard): { readonly count: number } {
  const atr = card.atr;
  let count = 0;
  Object.defineProperty(card, 'atr', {
    get: () => {
      count += 1;
      return atr;
    },
  });
  return {
    get count() {
      return count;
    },
  };
}

const inserted = (slot: ReaderSlot) => (e: CardReaderEvent) => e.type === 'card-inserted' && e.slot === slot;
const removed = (slot: ReaderSlot) => (e: CardReaderEvent) => e.type === 'card-removed' && e.slot === slot;

describe('PcscliteCardReaderDriver on pcscd + vpcd + the card emulator', function () {
  this.timeout(120_000);
  let pcscd: PcscdInstance;
  let channelId: number;
  let credentials: RigCredentials;
  let driver: PcscliteCardReaderDriver;
  let log: EventLog;
  const sockets: Partial<Record<ReaderSlot, VpcdCardSocket>> = {};

  before(async () => {
    credentials = await loadRigCredentials();
    channelId = randomChannelId();
    pcscd = await startLinkedPcscd(channelId);
    driver = new PcscliteCardReaderDriver({ apduTimeoutMs: 3000, backoff: { initialMs: 100, maxMs: 400 } });
    log = new EventLog();
    driver.onEvent(log.push);
    const readers = Promise.all([
      log.next('card reader', (e) => e.type === 'reader-added' && e.slot === 'card'),
      log.next('smartphone reader', (e) => e.type === 'reader-added' && e.slot === 'smartphone'),
    ]);
    await driver.start();
    await readers;
    sockets.card = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null });
    sockets.smartphone = await startCardEmulator({ port: pcscd.vpcdPorts[1], card: null });
  });

  after(async () => {
    await driver?.stop();
    await sockets.card?.stop();
    await sockets.smartphone?.stop();
    await pcscd?.stop();
  });

  async function place(slot: ReaderSlot, persona: PersonaName, options: { faults?: CardFaults; pin?: string } = {}): Promise<EmulatedCard> {
    const socket = sockets[slot];
    assert.ok(socket);
    if (socket.card) await take(slot);
    const seen = log.next(`card-inserted ${slot}`, inserted(slot));
    const card = createPersonaCard({ persona, credentials, ...options });
    await socket.insert(card);
    await seen;
    return card;
  }

  async function take(slot: ReaderSlot): Promise<void> {
    const socket = sockets[slot];
    assert.ok(socket);
    const seen = log.next(`card-removed ${slot}`, removed(slot));
    await socket.remove();
    await seen;
  }

  it('a card that does not answer reset: card-unresponsive (never card-inserted), then card-removed', async () => {
    const socket = sockets.card;
    assert.ok(socket);
    if (socket.card) await take('card');
    const before = log.events.length;
    const seen = log.next('card-unresponsive', (e) => e.type === 'card-unresponsive' && e.slot === 'card');
    await socket.insert(createPersonaCard({ persona: 'valid', credentials, faults: { noActivation: true } }));
    await seen;
    assert.equal(driver.cardIn('card'), undefined, 'a mute card is not a card to read');
    await assert.rejects(driver.transact('card', (ch) => readUserAuthCertificate(ch)), NoCardError);
    await take('card');
    assert.deepEqual(
      log.events.slice(before).filter((e) => e.type.startsWith('card-')).map((e) => e.type),
      ['card-unresponsive', 'card-removed'],
    );
  });

  it('reports insertion (with the ATR) and removal, and NoCardError on an empty slot', async () => {
    await assert.rejects(driver.transact('card', (ch) => readUserAuthCertificate(ch)), NoCardError);
    await place('card', 'valid');
    const ins = log.events.findLast((e) => e.type === 'card-inserted');
    assert.ok(ins?.type === 'card-inserted');
    assert.equal(ins.reader, 'Virtual PCD 00 00');
    assert.equal(ins.atr.toString('hex'), '3be000ff8131fe4514');
    assert.equal(driver.cardIn('card')?.reader, 'Virtual PCD 00 00');
    await take('card');
    assert.equal(driver.cardIn('card'), undefined);
    await assert.rejects(driver.transact('card', (ch) => readUserAuthCertificate(ch)), NoCardError);
  });

  const expectedStatus: Partial<Record<PersonaName, string>> = {
    valid: 'valid',
    'expiring-soon': 'expiring-soon',
    'expired-grace': 'grace',
    'expired-past-grace': 'expired',
  };

  for (const persona of personas) {
    it(`reads persona ${persona.name}: certificate serial, status and PIN state`, async () => {
      const slot: ReaderSlot = persona.slot === 1 ? 'smartphone' : 'card';
      await place(slot, persona.name);
      const link = { current: undefined as ApduLink | undefined };
      const read = await driver.transact(slot, async (ch) => {
        const l = new ApduLink(ch);
        link.current = l;
        const cert = await readUserAuthCertificate(l);
        const pin = await readUserAuthPinState(l);
        return { cert, pin };
      });
      const creds = credentials.persona(persona.name);
      assert.deepEqual(read.cert.der, creds.userAuthCertificate);
      assert.equal(read.cert.certificate.serialNumber.toUpperCase(), creds.userAuthSerial);
      assert.equal(link.current?.counters.apdus, 6, 'SELECT AP, SELECT EF, 2 × READ BINARY, SELECT PIN EF, VERIFY');
      const status = certificateStatus(read.cert.certificate, new Date());
      const want = expectedStatus[persona.name];
      if (want) assert.equal(status.status, want);
      else assert.equal(persona.userAuthCertificate.notAfterDays > 90 ? status.status : 'valid', 'valid');
      if (!persona.pinSet) assert.deepEqual(read.pin, { set: false });
      else assert.deepEqual(read.pin, { set: true, triesLeft: persona.pinTriesLeft });
      await take(slot);
    });
  }

  it('counts the PIN down to the lock; a right PIN then a signature that verifies', async () => {
    await place('card', 'valid', { pin: '4321' });
    const cert = await driver.transact('card', (ch) => readUserAuthCertificate(ch));
    const challenge = Buffer.from('backend challenge 7f3a');
    const signature = await driver.transact(
      'card',
      async (ch) => {
        const link = new ApduLink(ch);
        await verifyUserAuthPin(link, '4321');
        return signWithUserAuthKey(link, { data: challenge, hash: 'sha256' });
      },
      { exclusive: true },
    );
    assert.equal(verify('sha256', challenge, cert.certificate.publicKey, signature), true);
    for (const left of [2, 1, 0]) {
      await assert.rejects(
        driver.transact('card', (ch) => verifyUserAuthPin(ch, '0000'), { exclusive: true }),
        (e: unknown) => e instanceof WrongPinError && e.triesLeft === left,
      );
      assert.equal(await driver.transact('card', (ch) => readUserAuthPinTriesLeft(ch)), left);
    }
    await assert.rejects(driver.transact('card', (ch) => verifyUserAuthPin(ch, '4321'), { exclusive: true }), PinBlockedError);
    await take('card');
  });

  it('an exclusive transaction resets the card: the verified PIN does not outlive it', async () => {
    const card = await place('card', 'valid');
    const polls = countAtrRequests(card);
    const sign = (ch: Parameters<typeof signWithUserAuthKey>[0]) => signWithUserAuthKey(ch, { data: Buffer.from('c'), hash: 'sha256' });
    // Shared access leaves the card as it is: a verified PIN would stay usable by anyone.
    await driver.transact('card', (ch) => verifyUserAuthPin(ch, '1234'));
    assert.ok((await driver.transact('card', sign)).length > 0);
    const before = log.events.length;
    await driver.transact('card', (ch) => verifyUserAuthPin(ch, '1234'), { exclusive: true });
    await assert.rejects(driver.transact('card', sign), SecurityStatusError);
    // The reset is done (this transaction queued behind it). Wait for two of pcscd's presence
    // polls after it: its poll thread publishes a poll's finding before it starts the next one,
    // so by the second, a reset taken for a removal would already have reached the driver.
    const since = polls.count;
    await waitFor(() => polls.count >= since + 2, { what: "pcscd's second presence poll after the reset", describe: () => `${polls.count - since} polls` });
    assert.deepEqual(log.events.slice(before), [], 'a reset is not a removal: no card events');
    await take('card');
  });

  it('ends in a typed error at every APDU step of a read when the card is pulled out, then reads cleanly', async () => {
    const steps = 6; // certificate (4) + PIN tries (2)
    for (let k = 0; k < steps; k++) {
      await place('card', 'valid', { faults: { removeAfterApdus: k } });
      const gone = log.next(`card-removed after ${k}`, removed('card'));
      const err = await driver
        .transact('card', async (ch) => {
          const link = new ApduLink(ch);
          await readUserAuthCertificate(link);
          return readUserAuthPinTriesLeft(link);
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof CardError, `step ${k}: ${String(err)}`);
      assert.ok(err instanceof CardRemovedError, `step ${k}: ${(err as Error).name}`);
      await gone;
      await sockets.card?.remove();
      await place('card', 'valid');
      const tries = await driver.transact('card', async (ch) => {
        const link = new ApduLink(ch);
        await readUserAuthCertificate(link);
        return readUserAuthPinTriesLeft(link);
      });
      assert.equal(tries, 3);
    }
    await take('card');
  });

  it('a mute card ends in CardNotRespondingError at the APDU limit; a slow one within it reads', async () => {
    await place('card', 'valid', { faults: { noAnswer: true } });
    await assert.rejects(
      driver.transact('card', (ch) => readUserAuthCertificate(ch), { apduTimeoutMs: 1500 }),
      CardNotRespondingError,
    );
    await take('card');
    await place('card', 'valid', { faults: { delayMs: 100 } });
    const read = await driver.transact('card', (ch) => readUserAuthCertificate(ch), { apduTimeoutMs: 1500 });
    assert.deepEqual(read.der, credentials.persona('valid').userAuthCertificate);
    await take('card');
  });

  it('recovers when pcscd restarts: readers and card go, come back, and the card reads', async () => {
    await place('card', 'valid');
    const lost = log.next('driver-error', (e) => e.type === 'driver-error', 5000);
    const cardGone = log.next('card-removed', removed('card'));
    const readerGone = log.next('reader-removed', (e) => e.type === 'reader-removed' && e.slot === 'card');
    await pcscd.stop();
    await Promise.all([lost, cardGone, readerGone]);
    await assert.rejects(driver.transact('card', (ch) => readUserAuthCertificate(ch)), NoCardError);
    const back = log.next('reader back', (e) => e.type === 'reader-added' && e.slot === 'card', 15000);
    const cardBack = log.next('card back', inserted('card'), 15000);
    pcscd = await startLinkedPcscd(channelId);
    await back;
    await cardBack; // the emulator reconnects to the new vpcd by itself
    const read = await driver.transact('card', (ch) => readUserAuthCertificate(ch));
    assert.deepEqual(read.der, credentials.persona('valid').userAuthCertificate);
    await take('card');
  });
});
