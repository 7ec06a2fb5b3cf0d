/**
 * A mute card (on the reader, no answer to reset): the engine must not stay on the idle screen.
 * The patient is sent to the counter with the card-read cause staff are told; taking the card
 * away brings the idle screen back; a mute card during another session's screen changes nothing.
 */
import assert from 'node:assert/strict';
import { Driver } from './harness';

describe('session: a card that does not answer reset', () => {
  it('idle → counter (card-read / unreadable), one record; taking the card ends it', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    assert.equal(d.phase, 'idle');
    d.send({ type: 'card-unresponsive', slot: 'card' });
    assert.equal(d.phase, 'counter');
    assert.equal(d.screen.kind, 'counter');
    const records = d.of('record-result');
    assert.equal(records.length, 1);
    assert.deepEqual(records[0]?.outcome.error, { kind: 'card-read', detail: 'unreadable' });
    assert.ok(records[0]?.outcome.guidance, 'staff get guidance');
    assert.equal(d.of('read-card', d.all).length, 0, 'no read is started on a mute card');
    d.send({ type: 'card-removed', slot: 'card' });
    assert.equal(d.phase, 'idle');
    assert.equal(d.of('record-result', d.all).length, 1, 'the removal does not count the session twice');
  });

  it('ignored while another screen holds the panel', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.send({ type: 'card-inserted', slot: 'card' });
    assert.equal(d.phase, 'reading');
    d.send({ type: 'card-unresponsive', slot: 'card' });
    assert.equal(d.phase, 'reading');
  });
});
