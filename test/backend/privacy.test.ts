/**
 * Privacy (issue 3, SPEC §5): neither the client nor the simulator logs a qualification record,
 * a name, a certificate or a nonce, at any level — on success, on refusal and on faults.
 */
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log/logger';
import { pinRequest, startRig } from './sim-fixture';

describe('backend logs carry no personal data', () => {
  it('trace-level logs of client and simulator name calls, statuses and errors only', async () => {
    const lines: string[] = [];
    // The records BEFORE redaction (issue 11 item 9): a birth date or insurer number passed in a
    // field the output censors is still seen here.
    const logger = createLogger('test', { level: 'trace', sink: { write: () => undefined }, unredactedSink: { write: (l) => lines.push(l) } });
    const rig = await startRig({ logger: logger.child('sim') });
    try {
      const client = rig.client({ logger: logger.child('client'), maxAttempts: 2 });
      const ok = await client.confirm(await pinRequest(rig, client, 'valid'));
      assert.equal(ok.status, 'qualified');
      rig.sim.faults.inject({ fault: { kind: 'http-5xx', status: 503 } });
      const retried = await pinRequest(rig, client, 'qualification-invalid');
      await client.confirm(retried);
      rig.sim.faults.inject({ fault: { kind: 'schema-violation' }, path: '/v1/confirmations' });
      await assert.rejects(client.confirm(await pinRequest(rig, client, 'valid')));
      const cert = rig.creds.persona('valid').userAuthCertificate.toString('base64');
      const text = lines.join('\n');
      assert.ok(lines.length >= 5, 'the test must see log lines to mean anything');
      assert.match(text, /POST \/v1\/confirmations/);
      if (ok.status !== 'qualified') return;
      const forbidden = [
        ok.qualification.name,
        ok.qualification.nameKana,
        ok.qualification.insurerName,
        ok.qualification.insurerNumber,
        ok.qualification.birthDate,
        cert.slice(0, 24),
        retried.proof.method === 'pin' ? retried.proof.nonce.slice(0, 16) : 'unreachable',
        '山本',
      ];
      for (const f of forbidden) assert.ok(!text.includes(f), `log contains ${f}`);
    } finally {
      await rig.stop();
    }
  });
});
