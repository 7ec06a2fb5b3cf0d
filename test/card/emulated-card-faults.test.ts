/**
 * The card client against the project's card emulator in-process (simulated reader): every
 * persona's PIN state, and every emulator fault ends in its typed error with a clean next read.
 * The same through pcscd is in test/devices/pcsclite-card-reader.test.ts.
 */
import assert from 'node:assert/strict';
import { ApduLink } from '../../src/iso7816';
import {
  CardError,
  CardNotRespondingError,
  CardRemovedError,
  MalformedResponseError,
  PinNotSetError,
  SecurityStatusError,
  UnexpectedStatusError,
} from '../../src/card/errors';
import {
  readUserAuthCaCertificate,
  readUserAuthCertificate,
  readUserAuthPinState,
  readUserAuthPinTriesLeft,
  signWithUserAuthKey,
  verifyUserAuthPin,
} from '../../src/card/jpki';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { createPersonaCard, type CardFaults } from '../../rig/emulator/index';
import { createLogger } from '../../src/log/logger';
import { personas } from '../../rig/personas/catalogue';
import { loadRigCredentials, type RigCredentials } from '../../rig/personas/credentials';

async function fullRead(driver: SimulatedCardReaderDriver): Promise<{ der: Buffer; tries: number }> {
  return driver.transact('card', async (ch) => {
    const link = new ApduLink(ch);
    const { der } = await readUserAuthCertificate(link);
    return { der, tries: await readUserAuthPinTriesLeft(link) };
  });
}

describe('card client × emulated card (in-process)', function () {
  this.timeout(60_000);
  let credentials: RigCredentials;
  let driver: SimulatedCardReaderDriver;

  before(async () => {
    credentials = await loadRigCredentials();
  });
  beforeEach(async () => {
    driver = new SimulatedCardReaderDriver();
    await driver.start();
  });
  afterEach(async () => {
    await driver.stop();
  });

  it('reads every persona with its own PIN state', async () => {
    for (const p of personas) {
      driver.insert('card', createPersonaCard({ persona: p.name, credentials }));
      const state = await driver.transact('card', async (ch) => {
        const link = new ApduLink(ch);
        const { der } = await readUserAuthCertificate(link);
        assert.deepEqual(der, credentials.persona(p.name).userAuthCertificate, p.name);
        return readUserAuthPinState(link);
      });
      assert.deepEqual(state, p.pinSet ? { set: true, triesLeft: p.pinTriesLeft } : { set: false }, p.name);
    }
  });

  it('reads the CA certificate on the card, and the user certificate chains to it', async () => {
    driver.insert('card', createPersonaCard({ persona: 'valid', credentials }));
    const { user, ca, apdus } = await driver.transact('card', async (ch) => {
      const link = new ApduLink(ch);
      const u = await readUserAuthCertificate(link);
      const c = await readUserAuthCaCertificate(link);
      return { user: u, ca: c, apdus: link.counters.apdus };
    });
    assert.deepEqual(ca.der, credentials.jpkiUserAuthCaCertificate);
    assert.equal(user.certificate.verify(ca.certificate.publicKey), true);
    assert.equal(user.certificate.checkIssued(ca.certificate), true);
    assert.equal(apdus, 4 + 3, 'the CA read reuses the application selection');
  });

  it('refuses to sign without VERIFY and a face-only card refuses VERIFY', async () => {
    driver.insert('card', createPersonaCard({ persona: 'valid', credentials }));
    await assert.rejects(
      driver.transact('card', (ch) => signWithUserAuthKey(ch, { data: Buffer.from('x'), hash: 'sha256' })),
      SecurityStatusError,
    );
    driver.insert('card', createPersonaCard({ persona: 'face-only', credentials }));
    await assert.rejects(driver.transact('card', (ch) => readUserAuthPinTriesLeft(ch)), PinNotSetError);
  });

  const faults: { name: string; faults: CardFaults; error: new (...a: never[]) => CardError }[] = [];
  for (let k = 0; k < 6; k++) faults.push({ name: `removal after ${k} APDUs`, faults: { removeAfterApdus: k }, error: CardRemovedError });
  faults.push({ name: 'mute card', faults: { noAnswer: true }, error: CardNotRespondingError });
  faults.push({ name: 'truncated header', faults: { truncateResponsesTo: 1 }, error: MalformedResponseError });
  for (let k = 0; k < 6; k++) {
    faults.push({ name: `6F00 after ${k} APDUs`, faults: { statusWordOverride: { afterApdus: k, sw: 0x6f00 } }, error: UnexpectedStatusError });
  }

  for (const f of faults) {
    it(`fault "${f.name}" ends in ${f.error.name}, then a clean card reads`, async () => {
      driver.insert('card', createPersonaCard({ persona: 'valid', credentials, faults: f.faults }));
      await assert.rejects(fullRead(driver), f.error);
      driver.insert('card', createPersonaCard({ persona: 'valid', credentials }));
      const { der, tries } = await fullRead(driver);
      assert.deepEqual(der, credentials.persona('valid').userAuthCertificate);
      assert.equal(tries, 3);
    });
  }

  it('a card that answers fewer bytes than asked is read on at the next offset, exactly', async () => {
    driver.insert('card', createPersonaCard({ persona: 'valid', credentials, faults: { truncateResponsesTo: 300 } }));
    const link = await driver.transact('card', async (ch) => {
      const l = new ApduLink(ch);
      const { der } = await readUserAuthCertificate(l);
      assert.deepEqual(der, credentials.persona('valid').userAuthCertificate);
      return l;
    });
    assert.equal(link.counters.apdus, 2 + 1 + Math.ceil((credentials.persona('valid').userAuthCertificate.length - 4) / 300));
  });

  it('logs command headers and status words at trace level, never the PIN or card data', async () => {
    const lines: string[] = [];
    const log = createLogger('test', { level: 'trace', sink: { write: (l) => lines.push(l) } });
    const traced = new SimulatedCardReaderDriver({ log });
    await traced.start();
    traced.insert('card', createPersonaCard({ persona: 'valid', credentials, pin: '5827' }));
    const cert = await traced.transact('card', async (ch) => {
      const link = new ApduLink(ch, log);
      const c = await readUserAuthCertificate(link);
      await verifyUserAuthPin(link, '5827');
      await signWithUserAuthKey(link, { data: Buffer.from('challenge'), hash: 'sha256' });
      return c;
    });
    await traced.stop();
    const text = lines.join('\n');
    assert.match(text, /00 A4 04 0C/, 'headers are traced');
    assert.match(text, /SW 9000 event=apdu sw=9000/, 'status words are traced, as themselves (nothing masks digits)');
    assert.doesNotMatch(text, /5827/);
    assert.doesNotMatch(text, /35383237/, 'PIN as hex');
    const serial = cert.certificate.serialNumber;
    assert.ok(!text.toUpperCase().includes(serial.toUpperCase()), 'certificate serial');
    assert.ok(!text.includes(cert.der.subarray(100, 116).toString('hex')), 'certificate bytes');
  });
});
