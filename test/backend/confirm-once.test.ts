/**
 * One whole confirmation through the card layer (JPKI on an emulated card in the simulated
 * reader) and the backend client against the simulator: the card really signs the nonce.
 */
import assert from 'node:assert/strict';
import { WrongPinError } from '../../src/card/errors';
import { CardWaitTimeoutError, CertificateUnusableError, confirmOnce, consentsFor } from '../../rig/confirm-once';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { createPersonaCard } from '../../rig/emulator';
import type { PersonaName } from '../../rig/personas/catalogue';
import { startRig, type Rig } from './sim-fixture';

describe('confirmOnce: card → proof → backend → record', function () {
  let rig: Rig;
  let driver: SimulatedCardReaderDriver;
  before(async () => {
    rig = await startRig();
    driver = new SimulatedCardReaderDriver();
    await driver.start();
  });
  after(async () => {
    await driver.stop();
    await rig.stop();
  });
  afterEach(() => {
    driver.remove('card');
    driver.remove('smartphone');
  });

  const insert = (persona: PersonaName, slot: 'card' | 'smartphone' = 'card') =>
    driver.insert(slot, createPersonaCard({ persona, credentials: rig.creds }));

  it('PIN: qualified, consents recorded, and with --consent all the letters registered after the result', async () => {
    insert('valid');
    const r = await confirmOnce({ driver, backend: rig.client(), method: 'pin', pin: '1234', consent: 'all', waitForCardMs: 1000 });
    assert.equal(r.confirmation.status, 'qualified');
    assert.equal(r.localCertificateStatus, 'valid');
    if (r.confirmation.status !== 'qualified') return;
    // Registered after the result, bound to its reception, as the consent screens do.
    assert.equal(r.consentsRecorded?.mode, 'comprehensive');
    assert.ok(r.confirmation.referralLetters.length > 0);
    assert.deepEqual(r.consentsRecorded?.given.referralLetterIds, r.confirmation.referralLetters.map((l) => l.id));
    const recorded = rig.sim.receptions.get(r.confirmation.receptionSeq);
    assert.equal(recorded?.consents?.mode, 'comprehensive');
    assert.ok(r.timing.totalMs >= r.timing.cardMs);
  });

  it('a wrong PIN is the card’s typed error and nothing reaches the confirmation endpoint', async () => {
    insert('valid');
    const before = rig.sim.receptions.size;
    await assert.rejects(
      confirmOnce({ driver, backend: rig.client(), method: 'pin', pin: '9999', consent: 'none', waitForCardMs: 1000 }),
      (e: unknown) => e instanceof WrongPinError,
    );
    assert.equal(rig.sim.receptions.size, before);
  });

  it('a certificate past grace is refused on the reader before any PIN', async () => {
    insert('expired-past-grace');
    await assert.rejects(
      confirmOnce({ driver, backend: rig.client(), method: 'pin', pin: '1234', consent: 'all', waitForCardMs: 1000 }),
      CertificateUnusableError,
    );
  });

  it('grace period: consents are not sent', async () => {
    insert('expired-grace');
    const r = await confirmOnce({ driver, backend: rig.client(), method: 'pin', pin: '1234', consent: 'all', waitForCardMs: 1000 });
    assert.equal(r.localCertificateStatus, 'grace');
    assert.equal(r.confirmation.status, 'qualified');
    assert.ok(!r.confirmation.notices.includes('consents-not-recorded'));
    assert.equal(r.consentsRecorded, undefined);
    if (r.confirmation.status === 'qualified') assert.equal(rig.sim.receptions.get(r.confirmation.receptionSeq)?.consents, undefined);
  });

  it("revoked card: refused on the backend's certificate check whatever its dates, before any PIN or confirmation", async () => {
    insert('revoked');
    const before = rig.sim.receptions.size;
    await assert.rejects(
      confirmOnce({ driver, backend: rig.client(), method: 'pin', pin: '1234', consent: 'none', waitForCardMs: 1000 }),
      (e: unknown) => e instanceof CertificateUnusableError && e.status === 'revoked',
    );
    assert.equal(rig.sim.receptions.size, before);
  });

  it('Android phone on the smartphone reader', async () => {
    insert('android', 'smartphone');
    const r = await confirmOnce({ driver, backend: rig.client(), method: 'smartphone', platform: 'android', pin: '1234', consent: 'none', waitForCardMs: 1000 });
    assert.equal(r.confirmation.identityMethod, 'smartphone');
    assert.equal(r.confirmation.status, 'qualified');
  });

  it('visual check reads only the certificate', async () => {
    insert('face-only');
    const r = await confirmOnce({ driver, backend: rig.client(), method: 'visual', consent: ['healthCheckups'], waitForCardMs: 1000 });
    assert.equal(r.confirmation.identityMethod, 'visual');
  });

  it('no card: CardWaitTimeoutError', async () => {
    await assert.rejects(
      confirmOnce({ driver, backend: rig.client(), method: 'pin', pin: '1234', consent: 'none', waitForCardMs: 50 }),
      CardWaitTimeoutError,
    );
  });

  it('consent choices map to the SPEC §6 categories', () => {
    assert.equal(consentsFor('all').given.medicationOnly, false);
    assert.equal(consentsFor('all').given.clinicalAndMedication, true);
    assert.equal(consentsFor(['medicationOnly']).given.medicationOnly, true);
    assert.equal(consentsFor(['medicationOnly', 'clinicalAndMedication']).given.medicationOnly, false);
    assert.deepEqual(consentsFor('none').given, {
      surgeryDiagnosisInfection: false,
      clinicalAndMedication: false,
      medicationOnly: false,
      healthCheckups: false,
      referralLetterIds: [],
    });
  });
});
