/**
 * Where what was read from a card lives while the card is on the reader, and is wiped the moment
 * it leaves (SPEC §5 last paragraph: "Everything is wiped when the card is removed"; issue 2 §3
 * "session buffers are wiped on removal"). Buffers are zeroed in place, so every holder of the
 * same Buffer sees zeros — code keeps references, not copies.
 */
import type { CardReaderEvent, ReaderSlot } from '../devices/card-reader/card-reader-driver';

export interface CardEventSource {
  onEvent(listener: (event: CardReaderEvent) => void): () => void;
}

export class CardSessionVault {
  private readonly held = new Map<ReaderSlot, Buffer[]>();
  private readonly unsubscribe: () => void;

  constructor(source: CardEventSource) {
    this.unsubscribe = source.onEvent((e) => {
      if (e.type === 'card-removed' || e.type === 'card-inserted') this.wipe(e.slot);
      else if (e.type === 'reader-removed') this.wipe(e.slot);
      else if (e.type === 'driver-error') this.wipeAll();
    });
  }

  /** Registers buffers read from the card in `slot`; returns them for chaining. */
  keep<T extends Buffer[]>(slot: ReaderSlot, ...buffers: T): T {
    const list = this.held.get(slot) ?? [];
    list.push(...buffers);
    this.held.set(slot, list);
    return buffers;
  }

  /** Zeroes and forgets everything held for `slot`; returns how many buffers were wiped. */
  wipe(slot: ReaderSlot): number {
    const list = this.held.get(slot) ?? [];
    for (const b of list) b.fill(0);
    this.held.delete(slot);
    return list.length;
  }

  wipeAll(): void {
    for (const slot of [...this.held.keys()]) this.wipe(slot);
  }

  /** Wipes everything and stops listening (session timeout, shutdown). */
  dispose(): void {
    this.wipeAll();
    this.unsubscribe();
  }
}
