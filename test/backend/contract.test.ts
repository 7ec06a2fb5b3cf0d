/**
 * Contract tests: the real client against the real simulator over mutual TLS on loopback, for
 * every result status (issue 3 §4). Faults are in faults.test.ts.
 */
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { NonceError, ProofRejectedError } from '../../src/backend/errors';
import type { ConfirmationResponse } from '../../src/backend/protocol';
import { allConsents, faceRequest, noConsents, pinRequest, serialOf, startRig, type Rig } from './sim-fixture';

function expectStatus<S extends ConfirmationResponse['status']>(r: ConfirmationResponse, s: S): Extract<ConfirmationResponse, { status: S }> {
  assert.equal(r.status, s);
  return r as Extract<ConfirmationResponse, { status: S }>;
}

describe('backend contract: client against simulator', function () {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig.stop();
  });

  it('qualified by PIN: qualification, previous consent, this facility’s letters, and the reception record', async () => {
    const client = rig.client();
    const before = rig.sim.receptions.list().lastSeq;
    const r = expectStatus(await client.confirm(await pinRequest(rig, client, 'valid')), 'qualified');
    assert.equal(r.identityMethod, 'pin');
    assert.equal(r.certificate.revocation, 'good');
    assert.equal(r.certificate.usability, 'usable');
    assert.equal(r.qualification.name, '山田　太郎');
    assert.equal(r.qualification.limitCategory?.category, 'A03');
    assert.equal(r.qualification.facilityPatientId, 'P0012345');
    assert.deepEqual(r.previousConsents.map((c) => c.source), ['previous-visit']);
    // Three letters for this facility; the one addressed elsewhere is not shown.
    assert.deepEqual(r.referralLetters.map((l) => l.id), ['valid-01', 'valid-02', 'valid-03']);
    const list = await client.listReceptions(before);
    assert.equal(list.entries.length, 1);
    assert.equal(list.entries[0]?.seq, r.receptionSeq);
    assert.equal(list.entries[0]?.status, 'qualified');
    assert.equal(list.entries[0]?.identityMethod, 'pin');
  });

  it('invalid: the lost qualification (for claim route B), no staff guidance (the reader decides it)', async () => {
    const client = rig.client();
    const r = expectStatus(await client.confirm(await pinRequest(rig, client, 'qualification-invalid')), 'invalid');
    assert.equal(r.lostQualification.reasonOfLoss, 'new-insurance');
    assert.equal(r.lostQualification.qualification.qualificationEnd, '2026-09-30');
    assert.equal('fallback' in r, false);
  });

  it('no-record: no qualification', async () => {
    const client = rig.client();
    const r = expectStatus(await client.confirm(await pinRequest(rig, client, 'no-record')), 'no-record');
    assert.equal('qualification' in r, false);
  });

  it('revoked: refused whatever its dates (revocation overrides)', async () => {
    const client = rig.client();
    const r = expectStatus(await client.confirm(await pinRequest(rig, client, 'revoked')), 'certificate-refused');
    assert.equal(r.certificate.revocation, 'revoked');
    assert.equal(r.certificate.usability, 'revoked');
    const entry = (await client.listReceptions()).entries.find((e) => e.seq === r.receptionSeq);
    assert.equal(entry?.status, 'certificate-refused');
    assert.equal(entry?.qualification, undefined);
  });

  it('past grace: refused; inside grace: qualification only, consents not recorded, no letters', async () => {
    const client = rig.client();
    const past = expectStatus(await client.confirm(await pinRequest(rig, client, 'expired-past-grace')), 'certificate-refused');
    assert.equal(past.certificate.usability, 'past-grace');
    assert.equal(past.certificate.revocation, 'good');
    const grace = expectStatus(
      await client.confirm(await pinRequest(rig, client, 'expired-grace', { consents: allConsents() })),
      'qualified',
    );
    assert.equal(grace.certificate.usability, 'grace-qualification-only');
    assert.ok(grace.notices.includes('certificate-grace-qualification-only'));
    assert.ok(grace.notices.includes('consents-not-recorded'));
    assert.equal(grace.consentsRecorded, undefined);
    assert.deepEqual(grace.referralLetters, []);
    // Card confirmation: the specified-disease info is released.
    assert.equal(grace.qualification.specifiedDiseases[0]?.category, '1');
  });

  it('expiring soon: renewal notice and the Mynaportal consent settings', async () => {
    const client = rig.client();
    const r = expectStatus(await client.confirm(await pinRequest(rig, client, 'expiring-soon')), 'qualified');
    assert.equal(r.certificate.usability, 'expiring-soon');
    assert.deepEqual(r.notices, ['certificate-expiring-soon']);
    assert.equal(r.previousConsents[0]?.source, 'mynaportal');
    assert.equal(r.previousConsents[0]?.given.medicationOnly, true);
    assert.equal(r.qualification.insurerNumber.length, 6);
  });

  it('kind ② (home-consent): the reception marks the kind and the viewing limit, the day after the consultation in Japan (seed 001)', async () => {
    const client = rig.client();
    const saved = rig.clock.ms;
    // 2026-03-31 23:30 in Japan (14:30 UTC): the consultation day is the 31st, viewable until 1 April.
    rig.clock.ms = Date.parse('2026-03-31T14:30:00Z');
    try {
      const r = expectStatus(await client.confirm(await pinRequest(rig, client, 'valid', { confirmationKind: 'home-consent', consents: allConsents() })), 'qualified');
      const entry = (await client.listReceptions()).entries.find((e) => e.seq === r.receptionSeq);
      assert.equal(entry?.confirmationKind, 'home-consent');
      assert.equal(entry?.medicalInfoViewableUntil, '2026-04-01');
      const standard = expectStatus(await client.confirm(await pinRequest(rig, client, 'valid', { consents: allConsents() })), 'qualified');
      const plain = (await client.listReceptions()).entries.find((e) => e.seq === standard.receptionSeq);
      assert.equal(plain?.confirmationKind, undefined);
      assert.equal(plain?.medicalInfoViewableUntil, undefined);
    } finally {
      rig.clock.ms = saved;
    }
  });

  it('qualification-only kind: consents are not recorded', async () => {
    const client = rig.client();
    const r = expectStatus(
      await client.confirm(await pinRequest(rig, client, 'pin-one-try', { confirmationKind: 'qualification-only', consents: allConsents() })),
      'qualified',
    );
    assert.equal(r.consentsRecorded, undefined);
    assert.ok(r.notices.includes('consents-not-recorded'));
    assert.equal(r.qualification.personalFamily, 'dependent');
    assert.equal(r.qualification.branchNumber, '02');
  });

  it('unregistered card: no-record until the first-time registration, then qualified', async () => {
    const client = rig.client();
    const first = expectStatus(await client.confirm(await pinRequest(rig, client, 'unregistered')), 'no-record');
    assert.ok(first.notices.includes('not-registered-for-insurance'));
    const req = await pinRequest(rig, client, 'unregistered');
    const reg = await client.registerInsuranceUse({ userAuthCertificate: req.userAuthCertificate, proof: req.proof as never, termsAccepted: true });
    assert.equal(reg.alreadyRegistered, false);
    expectStatus(await client.confirm(await pinRequest(rig, client, 'unregistered')), 'qualified');
  });

  it('consents sent with the request become the previous consent; consented letters are not shown again', async () => {
    const client = rig.client();
    const first = expectStatus(await client.confirm(await pinRequest(rig, client, 'face-only')), 'qualified');
    assert.equal(first.referralLetters.length, 12);
    assert.equal(first.previousConsents.length, 2);
    const consents = allConsents(['face-01', 'face-02']);
    const second = expectStatus(await client.confirm(await pinRequest(rig, client, 'face-only', { consents })), 'qualified');
    assert.deepEqual(second.consentsRecorded, consents);
    // The answer shows what was on record before this visit, not what was just sent.
    assert.notEqual(second.previousConsents[0]?.at, second.receivedAt);
    const third = expectStatus(await client.confirm(await pinRequest(rig, client, 'face-only')), 'qualified');
    assert.equal(third.referralLetters.length, 10);
    assert.equal(third.previousConsents[0]?.source, 'previous-visit');
    assert.equal(third.previousConsents[0]?.at, second.receivedAt);
    const entry = (await client.listReceptions(second.receptionSeq - 1)).entries[0];
    assert.deepEqual(entry?.consents, consents);
  });

  it('consents registered after the result are bound to the reception', async () => {
    const client = rig.client();
    const r = expectStatus(await client.confirm(await pinRequest(rig, client, 'valid')), 'qualified');
    const reg = await client.registerConsent({ receptionSeq: r.receptionSeq, consents: noConsents });
    assert.equal(reg.receptionSeq, r.receptionSeq);
    const entry = (await client.listReceptions(r.receptionSeq - 1)).entries[0];
    assert.deepEqual(entry?.consents, noConsents);
    // …and become the holder's previous consent at this facility.
    const next = expectStatus(await client.confirm(await pinRequest(rig, client, 'valid')), 'qualified');
    assert.equal(next.previousConsents[0]?.at, reg.recordedAt);
    assert.equal(next.previousConsents[0]?.given.surgeryDiagnosisInfection, false);
  });

  it('limit information withheld only when the old screen said no', async () => {
    const client = rig.client();
    const r = expectStatus(
      await client.confirm(await pinRequest(rig, client, 'valid', { consents: { ...noConsents, limitInfo: false } })),
      'qualified',
    );
    assert.equal(r.qualification.limitCategory, undefined);
  });

  it('smartphone: phone signs the nonce; specified-disease info is released (a phone certificate is マイナ保険証, seed 002 p.3)', async () => {
    const client = rig.client();
    const { nonce } = await client.issueNonce();
    const p = rig.creds.persona('android');
    const r = expectStatus(
      await client.confirm({
        confirmationKind: 'standard',
        userAuthCertificate: p.userAuthCertificate.toString('base64'),
        proof: {
          method: 'smartphone',
          platform: 'android',
          nonce,
          signature: sign('sha256', Buffer.from(nonce, 'base64'), p.userAuthKey).toString('base64'),
          certificateSerial: serialOf(p.userAuthCertificate),
        },
      }),
      'qualified',
    );
    assert.equal(r.identityMethod, 'smartphone');
    assert.deepEqual(r.qualification.specifiedDiseases, [{ category: '2', validFrom: '2020-04-01', selfPayLimitYen: 10000 }]);
    assert.equal(r.qualification.publicSubsidies.length, 2);
  });

  it('face: a statement signed by the device key is accepted; a forged one is refused', async () => {
    const client = rig.client();
    const ok = expectStatus(await client.confirm(await faceRequest(rig, client, 'valid')), 'qualified');
    assert.equal(ok.identityMethod, 'face');
    const forged = await faceRequest(rig, client, 'valid');
    if (forged.proof.method !== 'face') throw new Error('unreachable');
    forged.proof = { ...forged.proof, statement: forged.proof.statement.replace('0.91', '0.99') };
    await assert.rejects(client.confirm(forged), (e: unknown) => e instanceof ProofRejectedError && e.reason === 'proof-invalid');
    const lowLiveness = await faceRequest(rig, client, 'valid', { liveness: { passed: false, score: 0.1 } });
    await assert.rejects(client.confirm(lowLiveness), ProofRejectedError);
  });

  it('visual check by staff', async () => {
    const client = rig.client();
    const p = rig.creds.persona('face-only');
    const r = await client.confirm({
      confirmationKind: 'standard',
      userAuthCertificate: p.userAuthCertificate.toString('base64'),
      proof: { method: 'visual', staffId: 'staff-07', passcodeChecked: true, trigger: 'panel', certificateSerial: serialOf(p.userAuthCertificate) },
    });
    assert.equal(r.identityMethod, 'visual');
  });

  it('a proof naming another certificate is refused (a staff check cannot confirm another patient)', async () => {
    const client = rig.client();
    const other = serialOf(rig.creds.persona('valid').userAuthCertificate);
    const p = rig.creds.persona('face-only');
    await assert.rejects(
      client.confirm({
        confirmationKind: 'standard',
        userAuthCertificate: p.userAuthCertificate.toString('base64'),
        proof: { method: 'visual', staffId: 'staff-07', passcodeChecked: true, trigger: 'panel', certificateSerial: other },
      }),
      (e: unknown) => e instanceof ProofRejectedError && e.reason === 'proof-invalid',
    );
    const pin = await pinRequest(rig, client, 'expiring-soon');
    if (pin.proof.method !== 'pin') throw new Error('unreachable');
    pin.proof = { ...pin.proof, certificateSerial: other };
    await assert.rejects(client.confirm(pin), (e: unknown) => e instanceof ProofRejectedError && e.reason === 'proof-invalid');
  });

  it('a signature by another key is refused and recorded as refused', async () => {
    const client = rig.client();
    const req = await pinRequest(rig, client, 'valid');
    if (req.proof.method !== 'pin') throw new Error('unreachable');
    req.proof.signature = sign('sha256', Buffer.from(req.proof.nonce, 'base64'), rig.creds.persona('revoked').userAuthKey).toString('base64');
    await assert.rejects(client.confirm(req), ProofRejectedError);
    const last = (await client.listReceptions()).entries.at(-1);
    assert.equal(last?.status, 'refused');
    assert.equal(last?.error, 'proof-invalid');
  });

  it('a nonce is single-use', async () => {
    const client = rig.client();
    const req = await pinRequest(rig, client, 'valid');
    await client.confirm(req);
    // Same proof, new idempotency key: a replayed signature.
    await assert.rejects(client.confirm({ ...req, idempotencyKey: 'replayed-request-0001' }), (e: unknown) => e instanceof NonceError && e.problem === 'reused');
  });

  it('a nonce expires', async () => {
    const client = rig.client();
    const req = await pinRequest(rig, client, 'valid');
    rig.clock.advance(61_000);
    await assert.rejects(client.confirm(req), (e: unknown) => e instanceof NonceError && e.problem === 'expired');
  });

  it('an unknown nonce is refused', async () => {
    const client = rig.client();
    const req = await pinRequest(rig, client, 'valid');
    if (req.proof.method !== 'pin') throw new Error('unreachable');
    const fake = Buffer.alloc(32, 7).toString('base64');
    req.proof = { ...req.proof, nonce: fake, signature: sign('sha256', Buffer.from(fake, 'base64'), rig.creds.persona('valid').userAuthKey).toString('base64') };
    await assert.rejects(client.confirm(req), (e: unknown) => e instanceof NonceError && e.problem === 'unknown');
  });

  it('the same idempotency key replays the answer without a second reception entry', async () => {
    const client = rig.client();
    const req = { ...(await pinRequest(rig, client, 'valid')), idempotencyKey: 'same-key-for-both-0001' };
    const a = await client.confirm(req);
    const size = rig.sim.receptions.size;
    const b = await client.confirm(req);
    assert.deepEqual(b, a);
    assert.equal(rig.sim.receptions.size, size);
  });

  it('GET /receptions?since lists only newer entries in arrival order', async () => {
    const client = rig.client();
    const start = (await client.listReceptions()).lastSeq;
    const r1 = await client.confirm(await pinRequest(rig, client, 'valid'));
    const r2 = await client.confirm(await pinRequest(rig, client, 'no-record'));
    const list = await client.listReceptions(start);
    assert.deepEqual(list.entries.map((e) => e.seq), [r1.receptionSeq, r2.receptionSeq]);
    assert.deepEqual(list.entries.map((e) => e.status), ['qualified', 'no-record']);
    assert.equal(list.lastSeq, r2.receptionSeq);
    assert.deepEqual((await client.listReceptions(list.lastSeq)).entries, []);
  });
});
