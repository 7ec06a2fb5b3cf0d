/**
 * In-process card reader hosting emulated cards (STYLE §12, the fast depth): same interface and
 * same rules as the PC/SC driver, no daemon. Used by unit tests of the flow and by the engine in
 * pure-simulation runs. Insert and remove cards with `insert(slot, card)` / `remove(slot)`.
 */
import { CardError, CardNotRespondingError, CardRemovedError, NoCardError, ReaderUnavailableError } from '../../src/iso7816';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../src/log/logger';
import { describeCommand } from '../../src/iso7816';
import {
  EventHub,
  TransactionQueue,
  type CardChannel,
  type CardReaderDriver,
  type CardReaderListener,
  type ReaderSlot,
  type TransactOptions,
} from '../../src/devices/card-reader/card-reader-driver';
import { ActiveTransaction } from '../../src/devices/card-reader/transaction';

/** What the simulated reader needs of a card: `EmulatedCard` from rig/emulator fits. */
export interface HostedCard {
  readonly atr: Buffer;
  /**
   * Throws an error named `CardWithdrawnFault` when the card leaves mid-APDU (the reader then
   * sees a removal) or `CardMuteFault` when it does not answer (the emulator's faults).
   */
  transmit(apdu: Buffer): Buffer;
  /**
   * `delayMs` holds each answer back (a slow card), applied here as a transport would;
   * `noActivation`: the chip never answers reset (a mute card).
   */
  readonly faults?: { delayMs?: number; noActivation?: boolean };
  powerOn?(): void;
  powerOff?(): void;
}

export interface SimulatedCardReaderOptions {
  readerNames?: Record<ReaderSlot, string>;
  log?: Logger;
}

export class SimulatedCardReaderDriver implements CardReaderDriver {
  private readonly hub: EventHub;
  private readonly queue = new TransactionQueue();
  private readonly cards = new Map<ReaderSlot, HostedCard>();
  private readonly mute = new Set<ReaderSlot>();
  private readonly active = new Map<ReaderSlot, ActiveTransaction>();
  private readonly names: Record<ReaderSlot, string>;
  private readonly log: Logger;
  private running = false;

  constructor(options: SimulatedCardReaderOptions = {}) {
    this.names = options.readerNames ?? { card: 'Simulated Reader 00', smartphone: 'Simulated Reader 01' };
    this.log = (options.log ?? silentLogger).child('card-reader');
    this.hub = new EventHub((e) => this.log.error(`event listener failed: ${(e as Error).name}`));
  }

  onEvent(listener: CardReaderListener): () => void {
    return this.hub.on(listener);
  }

  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    for (const slot of ['card', 'smartphone'] as const) {
      this.hub.emit({ type: 'reader-added', reader: this.names[slot], slot });
      const card = this.cards.get(slot);
      if (card) this.hub.emit({ type: 'card-inserted', slot, reader: this.names[slot], atr: Buffer.from(card.atr) });
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.running = false;
    for (const tx of this.active.values()) tx.abort(new ReaderUnavailableError('driver stopped'));
    return Promise.resolve();
  }

  cardIn(slot: ReaderSlot): { reader: string; atr: Buffer } | undefined {
    const card = this.cards.get(slot);
    return card ? { reader: this.names[slot], atr: Buffer.from(card.atr) } : undefined;
  }

  /** Places a card on the slot (replacing any card there, which is removed first). */
  insert(slot: ReaderSlot, card: HostedCard): void {
    if (this.cards.has(slot) || this.mute.has(slot)) this.remove(slot);
    // A chip that never activates (fault noActivation): on the reader, but as pcscd reports it,
    // present and mute — announced once, never transacted with (NoCardError).
    if (card.faults?.noActivation === true) {
      this.mute.add(slot);
      if (this.running) this.hub.emit({ type: 'card-unresponsive', slot, reader: this.names[slot] });
      return;
    }
    card.powerOn?.();
    this.cards.set(slot, card);
    if (this.running) this.hub.emit({ type: 'card-inserted', slot, reader: this.names[slot], atr: Buffer.from(card.atr) });
  }

  /** Takes the card away: a transaction in flight on the slot ends with CardRemovedError. */
  remove(slot: ReaderSlot): void {
    if (this.mute.delete(slot)) {
      if (this.running) this.hub.emit({ type: 'card-removed', slot, reader: this.names[slot] });
      return;
    }
    const card = this.cards.get(slot);
    if (!card) return;
    this.cards.delete(slot);
    card.powerOff?.();
    this.active.get(slot)?.abort(new CardRemovedError({ step: 'transaction' }));
    if (this.running) this.hub.emit({ type: 'card-removed', slot, reader: this.names[slot] });
  }

  transact<T>(slot: ReaderSlot, fn: (channel: CardChannel) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      void this.queue.run(async () => {
        if (!this.running) return reject(new ReaderUnavailableError('driver not started'));
        const card = this.cards.get(slot);
        if (!card) return reject(new NoCardError({ step: 'transaction' }));
        const tx = new ActiveTransaction();
        this.active.set(slot, tx);
        const raw = async (apdu: Buffer): Promise<Buffer> => {
          // The card may have been removed between two APDUs of this transaction.
          if (this.cards.get(slot) !== card) throw new CardRemovedError({ step: 'transmit' });
          this.log.trace(() => `${this.names[slot]} ${describeCommand(apdu)}`);
          let response: Buffer;
          try {
            response = card.transmit(apdu);
          } catch (e) {
            if (e instanceof CardError) throw e;
            if ((e as Error).name === 'CardWithdrawnFault') {
              this.remove(slot);
              throw new CardRemovedError({ step: 'transmit', ins: apdu[1] });
            }
            if ((e as Error).name === 'CardMuteFault') {
              // A mute card: the reader waits for its limit, then gives up (no real wait here).
              throw new CardNotRespondingError({ step: 'transmit', ins: apdu[1], timeoutMs: options.apduTimeoutMs ?? 0 });
            }
            throw new CardNotRespondingError({ step: 'transmit', ins: apdu[1], cause: e });
          }
          const delay = card.faults?.delayMs ?? 0;
          if (delay > 0) await sleep(delay);
          return response;
        };
        const { result, settled } = tx.run(() => fn(tx.channel(raw)));
        result.then(resolve, reject);
        await settled;
        if (this.active.get(slot) === tx) this.active.delete(slot);
        // Exclusive transactions end with a reset so a verified PIN does not outlive them (STYLE §14).
        if (options.exclusive && this.cards.get(slot) === card) {
          card.powerOff?.();
          card.powerOn?.();
        }
      }).catch(reject);
    });
  }
}
