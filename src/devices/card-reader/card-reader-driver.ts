/**
 * The card reader as the rest of the service sees it (STYLE §1, §17): one small promise-based
 * interface with two implementations that obey the same rules — `PcscliteCardReaderDriver` over
 * the real pcsc-lite daemon, and `SimulatedCardReaderDriver` hosting emulated cards in-process.
 *
 * Contract (both drivers enforce it; test/devices/card-reader-contract.ts checks both):
 * - Two slots (SPEC §1): `card` (the My Number card tray) and `smartphone` (the smartphone
 *   reader). Readers are mapped to slots by name (`slotMap`); unmapped readers are ignored.
 * - `start()` begins discovery; events follow for readers and cards already present.
 *   `stop()` is idempotent, ends every transaction with ReaderUnavailableError, and emits nothing after.
 * - `transact(slot, fn)` runs one transaction at a time per driver (queued in call order). It
 *   rejects with NoCardError when the slot has no card when its turn comes. If the card is
 *   removed while `fn` runs, `transact` rejects with CardRemovedError at once and every later
 *   `channel.transmit` of that transaction rejects with CardRemovedError too; the next
 *   transaction starts only after `fn` has settled.
 * - A listener that throws is isolated: it cannot break the driver or other listeners (STYLE §8).
 * - Nothing read from a card is logged: only command headers, lengths and status words, at trace.
 */
import type { CardChannel } from '../../iso7816';
import type { ReaderSlot } from '../../session/events';

export type { CardChannel } from '../../iso7816';
/** The two readers, as the session names them (one definition: src/session/events.ts). */
export type { ReaderSlot } from '../../session/events';

export type CardReaderEvent =
  | { type: 'card-inserted'; slot: ReaderSlot; reader: string; atr: Buffer }
  | { type: 'card-removed'; slot: ReaderSlot; reader: string }
  /** A card is on the reader but does not answer reset (pcscd: present and mute). Ends with card-removed. */
  | { type: 'card-unresponsive'; slot: ReaderSlot; reader: string }
  | { type: 'reader-added'; reader: string; slot: ReaderSlot }
  | { type: 'reader-removed'; reader: string; slot: ReaderSlot }
  | { type: 'driver-error'; error: Error };

export type CardReaderListener = (event: CardReaderEvent) => void;

export interface TransactOptions {
  /**
   * Hold the card exclusively and reset it at the end (STYLE §14): use for VERIFY + signature so
   * no other process can use the unlocked key, and the verified state ends with the transaction.
   */
  exclusive?: boolean;
  /** Per-APDU limit; CardNotRespondingError after it. Default from the driver (5 s). */
  apduTimeoutMs?: number;
}

export interface CardReaderDriver {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Returns the unsubscribe function. */
  onEvent(listener: CardReaderListener): () => void;
  transact<T>(slot: ReaderSlot, fn: (channel: CardChannel) => Promise<T>, options?: TransactOptions): Promise<T>;
  /** ATR of the card in the slot, undefined when empty. */
  cardIn(slot: ReaderSlot): { reader: string; atr: Buffer } | undefined;
}

/** Default reader names of the rig's vpcd (FACTS: `Virtual PCD 00 00` / `00 01`). */
export const defaultSlotMap: Record<string, ReaderSlot> = {
  'Virtual PCD 00 00': 'card',
  'Virtual PCD 00 01': 'smartphone',
};

export type SlotMap = Record<string, ReaderSlot> | ((readerName: string) => ReaderSlot | undefined);

export function slotFor(map: SlotMap, readerName: string): ReaderSlot | undefined {
  return typeof map === 'function' ? map(readerName) : map[readerName];
}

/** Listener set with fault isolation: a throwing listener is reported, never propagated. */
export class EventHub {
  private readonly listeners = new Set<CardReaderListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  on(listener: CardReaderListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: CardReaderEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        try {
          this.onListenerError(e);
        } catch {
          // nothing more can be done
        }
      }
    }
  }
}

/** Promise-chain mutex: one transaction at a time, in call order (STYLE §4, jsapdu async-mutex). */
export class TransactionQueue {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
