import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { ApduLink, type CardChannel } from '../../src/iso7816';
import {
  ApplicationNotFoundError,
  MalformedResponseError,
  PinBlockedError,
  PinFormatError,
  PinNotSetError,
  SecurityStatusError,
  WrongPinError,
} from '../../src/card/errors';
import {
  digestInfo,
  readUserAuthCertificate,
  readUserAuthPinState,
  readUserAuthPinTriesLeft,
  signWithUserAuthKey,
  verifyUserAuthPin,
} from '../../src/card/jpki';
import { FakeJpkiCard, makeTestCertificate, type FakeKeys } from './fake-jpki';

function channelOf(card: { transmit(apdu: Buffer): Buffer }): CardChannel {
  return { transmit: (apdu) => Promise.resolve(card.transmit(apdu)) };
}

describe('JPKI client (against an in-process fake card)', () => {
  let keys: FakeKeys;
  before(async () => {
    keys = await makeTestCertificate();
  });

  it('reads the user-auth certificate in 4 APDUs with exactly its bytes', async () => {
    const card = new FakeJpkiCard(keys);
    const link = new ApduLink(channelOf(card));
    const { der, certificate } = await readUserAuthCertificate(link);
    assert.deepEqual(der, keys.certificate);
    assert.equal(certificate.serialNumber.toUpperCase(), '0A1B2C');
    assert.deepEqual(card.log, ['00A4040C', '00A4020C', '00B00000', '00B00004']);
    assert.equal(link.counters.apdus, 4);
  });

  it('shares SELECTs across operations on one link: certificate + tries in 6 APDUs', async () => {
    const card = new FakeJpkiCard(keys);
    const link = new ApduLink(channelOf(card));
    await readUserAuthCertificate(link);
    assert.equal(await readUserAuthPinTriesLeft(link), 3);
    assert.equal(link.counters.apdus, 6);
  });

  it('skips repeated SELECTs for callers that pass the bare channel of a transaction too', async () => {
    const card = new FakeJpkiCard(keys);
    const ch = channelOf(card);
    await readUserAuthCertificate(ch);
    await readUserAuthPinTriesLeft(ch);
    await verifyUserAuthPin(ch, '1234');
    await signWithUserAuthKey(ch, { data: Buffer.from('n'), hash: 'sha256' });
    assert.deepEqual(card.log, ['00A4040C', '00A4020C', '00B00000', '00B00004', '00A4020C', '00200080', '00200080', '00A4020C', '802A0080']);
  });

  it('counts the PIN down to the lock, spending nothing when asking', async () => {
    const card = new FakeJpkiCard(keys);
    const ch = channelOf(card);
    await assert.rejects(verifyUserAuthPin(ch, '0000'), (e: unknown) => e instanceof WrongPinError && e.triesLeft === 2 && e.sw === 0x63c2);
    assert.equal(await readUserAuthPinTriesLeft(ch), 2);
    assert.equal(await readUserAuthPinTriesLeft(ch), 2);
    await assert.rejects(verifyUserAuthPin(ch, '0000'), (e: unknown) => e instanceof WrongPinError && e.triesLeft === 1);
    await assert.rejects(verifyUserAuthPin(ch, '9999'), (e: unknown) => e instanceof WrongPinError && e.triesLeft === 0);
    assert.equal(await readUserAuthPinTriesLeft(ch), 0);
    await assert.rejects(verifyUserAuthPin(ch, '1234'), PinBlockedError);
  });

  it('zeroes the VERIFY command that carried the PIN once it is sent', async () => {
    const card = new FakeJpkiCard(keys);
    const sent: Buffer[] = [];
    await verifyUserAuthPin({ transmit: (apdu) => (sent.push(apdu), Promise.resolve(card.transmit(apdu))) }, '1234');
    const verify = sent.at(-1);
    assert.ok(verify && verify.length === 9);
    assert.ok(verify.every((b) => b === 0), 'the PIN bytes no longer sit in memory');
  });

  it('a good PIN resets the counter; a malformed PIN never reaches the card', async () => {
    const card = new FakeJpkiCard(keys, '1234', 2);
    const ch = channelOf(card);
    await assert.rejects(verifyUserAuthPin(ch, '12345'), PinFormatError);
    await assert.rejects(verifyUserAuthPin(ch, '12a4'), PinFormatError);
    assert.equal(card.log.length, 0);
    await verifyUserAuthPin(ch, '1234');
    assert.equal(card.triesLeft, 3);
  });

  it('signs after VERIFY and the signature verifies against the certificate', async () => {
    const card = new FakeJpkiCard(keys);
    const link = new ApduLink(channelOf(card));
    const challenge = Buffer.from('challenge from the backend');
    await assert.rejects(signWithUserAuthKey(link, { data: challenge, hash: 'sha256' }), SecurityStatusError);
    await verifyUserAuthPin(link, '1234');
    const before = link.counters.apdus;
    const sig = await signWithUserAuthKey(link, { data: challenge, hash: 'sha256' });
    assert.equal(link.counters.apdus - before, 2, 'SELECT key EF + COMPUTE DIGITAL SIGNATURE, no SELECT AP again');
    const { certificate } = await readUserAuthCertificate(link);
    assert.equal(verify('sha256', challenge, certificate.publicKey, sig), true);
    assert.equal(verify('sha256', Buffer.from('other'), certificate.publicKey, sig), false);
  });

  it('builds the SHA-256 DigestInfo OpenSC sends (51 bytes, 3031… prefix)', () => {
    const di = digestInfo('sha256', Buffer.from('abc'));
    assert.equal(di.length, 51);
    assert.equal(di.subarray(0, 4).toString('hex'), '3031300d');
    assert.equal(di.subarray(19).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('reports a card without the PIN as not set', async () => {
    const card = new FakeJpkiCard(keys);
    card.pinSet = false;
    assert.deepEqual(await readUserAuthPinState(channelOf(card)), { set: false });
    await assert.rejects(verifyUserAuthPin(channelOf(card), '1234'), PinNotSetError);
  });

  it('names a card without JPKI and a truncated certificate with typed errors', async () => {
    const notMyNumber: CardChannel = { transmit: () => Promise.resolve(Buffer.from([0x6a, 0x82])) };
    await assert.rejects(readUserAuthCertificate(notMyNumber), ApplicationNotFoundError);
    const card = new FakeJpkiCard({ ...keys, certificate: keys.certificate.subarray(0, 300) });
    await assert.rejects(readUserAuthCertificate(channelOf(card)), MalformedResponseError);
    const garbage = new FakeJpkiCard({ ...keys, certificate: Buffer.alloc(64, 0xff) });
    await assert.rejects(readUserAuthCertificate(channelOf(garbage)), MalformedResponseError);
  });
});
