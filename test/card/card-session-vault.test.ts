import assert from 'node:assert/strict';
import { CardSessionVault } from '../../src/card/card-session-vault';
import { readUserAuthCertificate } from '../../src/card/jpki';
import { createCardReaderDriver, type CardReaderEvent } from '../../src/devices/card-reader/index';
import { SimulatedCardReaderDriver } from '../../src/devices/card-reader/simulated-driver';
import { FakeJpkiCard, makeTestCertificate } from './fake-jpki';

describe('CardSessionVault', () => {
  it('zeroes what was read from a card when that card is removed, not the other slot', async () => {
    const keys = await makeTestCertificate();
    const driver = new SimulatedCardReaderDriver();
    const vault = new CardSessionVault(driver);
    await driver.start();
    driver.insert('card', new FakeJpkiCard(keys));
    driver.insert('smartphone', new FakeJpkiCard(keys));
    const onCard = await driver.transact('card', (ch) => readUserAuthCertificate(ch));
    const onPhone = await driver.transact('smartphone', (ch) => readUserAuthCertificate(ch));
    vault.keep('card', onCard.der);
    vault.keep('smartphone', onPhone.der);
    assert.deepEqual(onCard.der, keys.certificate);
    driver.remove('card');
    assert.ok(onCard.der.every((b) => b === 0), 'card slot wiped');
    assert.deepEqual(onPhone.der, keys.certificate, 'smartphone slot untouched');
    vault.dispose();
    assert.ok(onPhone.der.every((b) => b === 0), 'dispose wipes the rest');
    await driver.stop();
  });

  it('wipes everything when the driver loses the reader service', () => {
    const listeners: ((e: CardReaderEvent) => void)[] = [];
    const vault = new CardSessionVault({
      onEvent: (l) => {
        listeners.push(l);
        return () => undefined;
      },
    });
    const a = Buffer.from('secret-a');
    const b = Buffer.from('secret-b');
    vault.keep('card', a);
    vault.keep('smartphone', b);
    for (const l of listeners) l({ type: 'driver-error', error: new Error('pcscd gone') });
    assert.ok(a.every((x) => x === 0) && b.every((x) => x === 0));
  });

  it('the factory builds the configured driver lazily', async () => {
    const d = await createCardReaderDriver({ kind: 'simulated' });
    assert.ok(d instanceof SimulatedCardReaderDriver);
    const p = await createCardReaderDriver({ kind: 'pcsc' });
    assert.equal(p.constructor.name, 'PcscliteCardReaderDriver');
    assert.equal(p.cardIn('card'), undefined);
  });
});
