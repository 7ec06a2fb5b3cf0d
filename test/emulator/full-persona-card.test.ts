import assert from 'node:assert/strict';
import { createFullPersonaCard } from '../../rig/emulator/full-persona-card';
import { loadCardFaceRig } from '../../rig/personas/card-face-credentials';
import type { EmulatedCard } from '../../rig/emulator';
import { testRigCredentials, testRigDir } from './rig-fixture';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const sw = (card: EmulatedCard, apdu: string): string => {
  const r = card.transmit(hex(apdu));
  return r.readUInt16BE(r.length - 2).toString(16).toUpperCase();
};
const SELECT_JPKI = '00A4040C0AD392F000260100000001';
const SELECT_CARD_FACE = '00A4040C0AD3921000310001010402';
const SELECT_CARD_TEXT = '00A4040C0AD3921000310001010408';

describe('the whole persona card (JPKI + 券面 applications)', function () {
  this.timeout(180_000);

  it('a plastic card answers all three AIDs, keeps JPKI working, and the text PIN follows --pin', async () => {
    const credentials = await testRigCredentials();
    const cardFaceRig = await loadCardFaceRig({ dir: testRigDir() });
    const card = await createFullPersonaCard({ persona: 'valid', credentials, cardFaceRig, pin: '2468' });
    card.powerOn();
    assert.equal(sw(card, SELECT_CARD_FACE), '9000');
    assert.equal(sw(card, '00A4020C020003'), '9000');
    assert.equal(sw(card, SELECT_CARD_TEXT), '9000');
    assert.equal(sw(card, '00A4020C020011'), '9000');
    assert.equal(sw(card, '002000800431323334'), '63C2', 'the default PIN is wrong on this card');
    assert.equal(sw(card, '002000800432343638'), '9000');
    assert.equal(sw(card, SELECT_JPKI), '9000');
    assert.equal(sw(card, '00A4020C020018'), '9000');
    assert.equal(sw(card, '00200080'), '63C3', 'JPKI has its own counter');
  });

  it('a face-only card has no text PIN either; a smartphone carries JPKI only', async () => {
    const credentials = await testRigCredentials();
    const cardFaceRig = await loadCardFaceRig({ dir: testRigDir() });
    const faceOnly = await createFullPersonaCard({ persona: 'face-only', credentials, cardFaceRig });
    faceOnly.powerOn();
    assert.equal(sw(faceOnly, SELECT_CARD_TEXT), '9000');
    assert.equal(sw(faceOnly, '00A4020C020011'), '9000');
    assert.equal(sw(faceOnly, '00200080'), '6984');
    const phone = await createFullPersonaCard({ persona: 'android', credentials, cardFaceRig });
    phone.powerOn();
    assert.equal(sw(phone, SELECT_CARD_FACE), '6A82');
    assert.equal(sw(phone, SELECT_JPKI), '9000');
  });
});
