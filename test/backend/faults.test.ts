/**
 * Every injected fault against the real client (issue 3 §4), TLS refusals, plain HTTP refused,
 * and malformed / schema-violating answers. Timeouts are short but asserted only by error class.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { BackendClient } from '../../src/backend/client';
import {
  BackendProtocolError,
  BackendTimeoutError,
  BackendUnavailableError,
  InsecureTransportError,
  TlsError,
} from '../../src/backend/errors';
import { parseFaultSpec } from '../../rig/backend-simulator/faults';
import { pinRequest, startRig, type Rig } from './sim-fixture';

describe('backend faults', function () {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ adminPort: 0 });
  });
  after(async () => {
    await rig.stop();
  });
  afterEach(() => {
    rig.sim.faults.clear();
    rig.sim.faults.latencyMs = 0;
  });

  it('a 5xx once is retried with the same idempotency key and answered once', async () => {
    const client = rig.client();
    const req = await pinRequest(rig, client, 'valid');
    const size = rig.sim.receptions.size;
    rig.sim.faults.inject({ fault: { kind: 'http-5xx', status: 503 }, path: '/v1/confirmations' });
    const r = await client.confirm(req);
    assert.equal(r.status, 'qualified');
    assert.equal(rig.sim.receptions.size, size + 1);
    assert.equal(client.circuitState(), 'closed');
  });

  it('5xx on every attempt: BackendUnavailableError with the HTTP status', async () => {
    const client = rig.client({ maxAttempts: 2 });
    const req = await pinRequest(rig, client, 'valid');
    rig.sim.faults.inject({ fault: { kind: 'http-5xx', status: 502 }, times: 'always' });
    await assert.rejects(client.confirm(req), (e: unknown) => e instanceof BackendUnavailableError && e.detail.httpStatus === 502 && e.context.attempt === 2);
  });

  it('connection reset after processing: the retry replays the stored answer (no nonce reuse, one entry)', async () => {
    const client = rig.client();
    const req = await pinRequest(rig, client, 'valid');
    const size = rig.sim.receptions.size;
    rig.sim.faults.inject({ fault: { kind: 'connection-reset', when: 'after' }, path: '/v1/confirmations' });
    const r = await client.confirm(req);
    assert.equal(r.status, 'qualified');
    assert.equal(rig.sim.receptions.size, size + 1);
  });

  it('connection reset with no retry left: BackendUnavailableError', async () => {
    const client = rig.client({ maxAttempts: 1 });
    const req = await pinRequest(rig, client, 'valid');
    rig.sim.faults.inject({ fault: { kind: 'connection-reset', when: 'before' } });
    await assert.rejects(client.confirm(req), BackendUnavailableError);
  });

  it('latency beyond the timeout: BackendTimeoutError', async () => {
    const client = rig.client({ timeoutMs: 150, maxAttempts: 1 });
    const req = await pinRequest(rig, client, 'valid');
    rig.sim.faults.inject({ fault: { kind: 'latency', ms: 600 } });
    await assert.rejects(client.confirm(req), (e: unknown) => e instanceof BackendTimeoutError && e.timeoutMs === 150);
  });

  it('latency within the timeout is just slower', async () => {
    const client = rig.client({ timeoutMs: 3000 });
    rig.sim.faults.latencyMs = 50;
    const r = await client.confirm(await pinRequest(rig, client, 'valid'));
    assert.equal(r.status, 'qualified');
  });

  it('a slow-drip body that never completes in time: BackendTimeoutError', async () => {
    const client = rig.client({ timeoutMs: 300, maxAttempts: 1 });
    const req = await pinRequest(rig, client, 'valid');
    rig.sim.faults.inject({ fault: { kind: 'slow-drip', bytes: 8, intervalMs: 100 } });
    await assert.rejects(client.confirm(req), BackendTimeoutError);
  });

  it('a truncated JSON body: BackendProtocolError, not retried', async () => {
    const client = rig.client();
    const req = await pinRequest(rig, client, 'valid');
    rig.sim.faults.inject({ fault: { kind: 'malformed-body' }, path: '/v1/confirmations' });
    await assert.rejects(client.confirm(req), (e: unknown) => e instanceof BackendProtocolError && e.context.attempt === 1);
  });

  it('a schema-violating body: BackendProtocolError naming the field', async () => {
    const client = rig.client();
    const req = await pinRequest(rig, client, 'valid');
    rig.sim.faults.inject({ fault: { kind: 'schema-violation' }, path: '/v1/confirmations' });
    await assert.rejects(client.confirm(req), (e: unknown) => e instanceof BackendProtocolError && e.issuePath === 'qualification.insurerNumber');
  });

  it('a schema-violating nonce answer: BackendProtocolError', async () => {
    const client = rig.client();
    rig.sim.faults.inject({ fault: { kind: 'schema-violation' }, path: '/v1/nonces' });
    await assert.rejects(client.issueNonce(), (e: unknown) => e instanceof BackendProtocolError && e.issuePath === 'unexpectedField');
  });

  it('a server certificate from a CA the client does not pin: TlsError', async () => {
    const client = rig.client();
    rig.sim.faults.inject({ fault: { kind: 'tls-failure' } });
    await assert.rejects(client.issueNonce(), (e: unknown) => e instanceof TlsError && e.tlsCode !== undefined);
    // The next handshake is genuine again.
    assert.ok((await client.issueNonce()).nonce.length > 0);
  });

  it('TLS without a client certificate is refused by the server', async () => {
    const err = await new Promise<Error>((resolve) => {
      const req = https.request(
        { host: '127.0.0.1', port: Number(new URL(rig.sim.url).port), path: '/v1/nonces', method: 'POST', ca: rig.sim.pki.caCertPem, agent: false },
        (res) => {
          res.resume();
          resolve(new Error(`unexpected answer ${res.statusCode}`));
        },
      );
      req.on('error', resolve);
      req.end('{}');
    });
    assert.doesNotMatch(err.message, /unexpected answer/);
  });

  it('a client certificate from another CA is refused (server pins devices by the facility CA)', async () => {
    const { generateFacilityPki } = await import('../../rig/backend-simulator/facility-pki');
    const other = await generateFacilityPki();
    const client = new BackendClient({ ...rig.sim.clientConfig(), certPem: other.device.certPem, keyPem: other.device.keyPem, maxAttempts: 1 });
    await assert.rejects(client.issueNonce(), (e: unknown) => e instanceof TlsError || e instanceof BackendUnavailableError);
  });

  it('plain http is refused before anything is sent', () => {
    assert.throws(() => new BackendClient({ ...rig.sim.clientConfig(), baseUrl: rig.sim.url.replace('https:', 'http:') }), InsecureTransportError);
  });

  it('faults can be set at run time on the loopback admin port', async () => {
    const admin = rig.sim.adminUrl;
    assert.ok(admin);
    const body = JSON.stringify({ inject: [{ fault: { kind: 'http-5xx' }, times: 2, path: '/v1/nonces' }] });
    const state = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${admin}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.match(state, /"left":2/);
    const client = rig.client({ maxAttempts: 3 });
    assert.ok((await client.issueNonce()).nonce);
    assert.deepEqual(rig.sim.faults.state().rules, []);
  });

  it('--fault specs parse', () => {
    assert.deepEqual(parseFaultSpec('http-5xx:502*2'), { fault: { kind: 'http-5xx', status: 502 }, times: 2 });
    assert.deepEqual(parseFaultSpec('slow-drip:50@/v1/confirmations'), {
      fault: { kind: 'slow-drip', bytes: 1, intervalMs: 50 },
      times: 1,
      path: '/v1/confirmations',
    });
    assert.deepEqual(parseFaultSpec('tls-failure*always'), { fault: { kind: 'tls-failure' }, times: 'always' });
    assert.throws(() => parseFaultSpec('explode'));
  });
});
