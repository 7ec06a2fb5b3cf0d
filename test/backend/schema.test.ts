/**
 * Malformed answers (issue 3 §1: "unknown or missing fields give a typed error, never a
 * half-filled screen"): the schemas alone, then the same bodies served by the simulator to the
 * real client, which must answer BackendProtocolError naming the field.
 */
import assert from 'node:assert/strict';
import { BackendProtocolError } from '../../src/backend/errors';
import { confirmationResponseSchema, issuePathOfIssue, type ConfirmationResponse } from '../../src/backend/protocol';
import { pinRequest, startRig, type Rig } from './sim-fixture';

type Json = Record<string, unknown>;

/** Mutations of a genuine qualified answer and the issue path each must be reported at. */
const cases: { name: string; mutate: (r: Json) => void; path: string }[] = [
  { name: 'unknown top-level field', mutate: (r) => (r.extra = 1), path: 'extra' },
  { name: 'missing qualification', mutate: (r) => delete r.qualification, path: 'qualification' },
  { name: 'unknown status', mutate: (r) => (r.status = 'qualified-ish'), path: 'status' },
  { name: 'branch number as a number (leading zero lost)', mutate: (r) => ((r.qualification as Json).branchNumber = 0), path: 'qualification.branchNumber' },
  { name: 'burden ratio not 0/10/20/30', mutate: (r) => ((r.qualification as Json).burdenPercent = 25), path: 'qualification.burdenPercent' },
  { name: 'XML-style date', mutate: (r) => ((r.qualification as Json).birthDate = '19580401'), path: 'qualification.birthDate' },
  { name: 'unknown limit category code', mutate: (r) => (((r.qualification as Json).limitCategory as Json).category = 'Z99'), path: 'qualification.limitCategory.category' },
  { name: 'unknown field inside the qualification', mutate: (r) => ((r.qualification as Json).myNumber = '123456789012'), path: 'qualification.myNumber' },
  { name: 'referral letter without issuer', mutate: (r) => delete ((r.referralLetters as Json[])[0] as Json).issuerName, path: 'referralLetters[0].issuerName' },
  { name: 'revocation status unknown', mutate: (r) => ((r.certificate as Json).revocation = 'unknown'), path: 'certificate.revocation' },
  { name: 'reception number zero', mutate: (r) => (r.receptionSeq = 0), path: 'receptionSeq' },
  { name: 'lost qualification on a qualified answer', mutate: (r) => (r.lostQualification = {}), path: 'lostQualification' },
];

describe('answer schemas', function () {
  let rig: Rig;
  let genuine: ConfirmationResponse;
  before(async () => {
    rig = await startRig();
    const client = rig.client();
    genuine = await client.confirm(await pinRequest(rig, client, 'valid'));
    assert.equal(genuine.status, 'qualified');
  });
  after(async () => {
    await rig.stop();
  });
  afterEach(() => rig.sim.faults.clear());

  it('the genuine answer parses', () => {
    assert.equal(confirmationResponseSchema.safeParse(structuredClone(genuine)).success, true);
  });

  for (const c of cases) {
    it(`schema: ${c.name} → refused at ${c.path}`, () => {
      const body = structuredClone(genuine) as unknown as Json;
      c.mutate(body);
      const r = confirmationResponseSchema.safeParse(body);
      assert.equal(r.success, false);
      if (!r.success) assert.ok(r.error.issues.some((i) => issuePathOfIssue(i) === c.path), JSON.stringify(r.error.issues.map(issuePathOfIssue)));
    });
  }

  for (const c of cases.slice(0, 6)) {
    it(`client: ${c.name} → BackendProtocolError`, async () => {
      const client = rig.client();
      const req = await pinRequest(rig, client, 'valid');
      const body = structuredClone(genuine) as unknown as Json;
      c.mutate(body);
      rig.sim.faults.inject({ fault: { kind: 'replace-body', text: JSON.stringify(body) }, path: '/v1/confirmations' });
      await assert.rejects(client.confirm(req), (e: unknown) => e instanceof BackendProtocolError && e.issues.some((i) => i.path === c.path));
    });
  }

  const raw: { name: string; text: string; status?: number }[] = [
    { name: 'empty body', text: '' },
    { name: 'JSON null', text: 'null' },
    { name: 'an array', text: '[]' },
    { name: 'HTML error page', text: '<html>502</html>', status: 404 },
    { name: 'error body with an unknown code', text: '{"error":{"code":"teapot","message":"x"}}', status: 418 },
  ];
  for (const c of raw) {
    it(`client: ${c.name} → BackendProtocolError`, async () => {
      const client = rig.client();
      const req = await pinRequest(rig, client, 'valid');
      rig.sim.faults.inject({ fault: { kind: 'replace-body', text: c.text, ...(c.status ? { status: c.status } : {}) }, path: '/v1/confirmations' });
      await assert.rejects(client.confirm(req), BackendProtocolError);
    });
  }
});
