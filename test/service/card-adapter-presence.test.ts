/**
 * The card adapter turns the driver's events into the service's presence events one to one; a
 * mute card (`card-unresponsive`) must reach the session as such, not vanish (the panel would
 * stay on the idle screen while a card lies on the reader).
 */
import assert from 'node:assert/strict';
import { CardAdapter } from '../../src/service/adapters/card-adapter';
import { SessionMemories } from '../../src/service/adapters/session-memory';
import type { CardReaderDriver, CardReaderEvent, CardReaderListener } from '../../src/devices/card-reader/card-reader-driver';
import type { CardPresenceEvent } from '../../src/service/ports';
import { silentLogger } from '../../src/log/logger';

describe('CardAdapter presence events', () => {
  it('maps inserted, unresponsive, removed and the readers coming and going', () => {
    let emit: CardReaderListener = () => undefined;
    const driver: CardReaderDriver = {
      start: async () => undefined,
      stop: async () => undefined,
      onEvent: (l) => ((emit = l), () => undefined),
      transact: () => Promise.reject(new Error('not used')),
      cardIn: () => undefined,
    };
    const adapter = new CardAdapter({ driver, sessions: new SessionMemories(), log: silentLogger, issueNonce: async () => ({ failed: 'unavailable' }) });
    const seen: CardPresenceEvent[] = [];
    adapter.onPresence((e) => seen.push(e));
    const events: CardReaderEvent[] = [
      { type: 'reader-added', reader: 'R0', slot: 'card' },
      { type: 'card-unresponsive', slot: 'card', reader: 'R0' },
      { type: 'card-removed', slot: 'card', reader: 'R0' },
      { type: 'card-inserted', slot: 'card', reader: 'R0', atr: Buffer.from('3b', 'hex') },
      { type: 'reader-removed', reader: 'R0', slot: 'card' },
    ];
    for (const e of events) emit(e);
    assert.deepEqual(seen, [
      { type: 'reader-available', slot: 'card' },
      { type: 'unresponsive', slot: 'card' },
      { type: 'removed', slot: 'card' },
      { type: 'inserted', slot: 'card' },
      { type: 'reader-unavailable', slot: 'card' },
    ]);
  });
});
