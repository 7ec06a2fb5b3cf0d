/**
 * The certificate check the reader makes right after reading the card (SPEC §3 step 2, §4):
 * revocation from the backend overrides the dates, and the insurance-use registration is known
 * before the method screen (seed 003).
 */
import assert from 'node:assert/strict';
import { BackendRequestError } from '../../src/backend/errors';
import { startRig, type Rig } from './sim-fixture';

describe('backend: certificate check before identity', function () {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig.stop();
  });

  it('a valid certificate is usable and registered, and nothing is added to the reception record', async () => {
    const client = rig.client();
    const before = rig.sim.receptions.list().lastSeq;
    const r = await client.checkCertificate(rig.creds.persona('valid').userAuthCertificate);
    assert.deepEqual({ revocation: r.certificate.revocation, usability: r.certificate.usability, registered: r.insuranceUseRegistered }, { revocation: 'good', usability: 'usable', registered: true });
    assert.equal(rig.sim.receptions.list().lastSeq, before);
  });

  it('revoked overrides valid dates', async () => {
    const r = await rig.client().checkCertificate(rig.creds.persona('revoked').userAuthCertificate);
    assert.equal(r.certificate.revocation, 'revoked');
    assert.equal(r.certificate.usability, 'revoked');
  });

  it('reports grace, past grace and an unregistered card', async () => {
    const client = rig.client();
    assert.equal((await client.checkCertificate(rig.creds.persona('expired-grace').userAuthCertificate)).certificate.usability, 'grace-qualification-only');
    assert.equal((await client.checkCertificate(rig.creds.persona('expired-past-grace').userAuthCertificate)).certificate.usability, 'past-grace');
    assert.equal((await client.checkCertificate(rig.creds.persona('unregistered').userAuthCertificate)).insuranceUseRegistered, false);
  });

  it('refuses a certificate that is not DER with a typed protocol error', async () => {
    await assert.rejects(rig.client().checkCertificate(Buffer.from('not a certificate')), (e: unknown) => e instanceof BackendRequestError);
  });
});
