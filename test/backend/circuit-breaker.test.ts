import assert from 'node:assert/strict';
import { CircuitBreaker, type CircuitTransition } from '../../src/backend/circuit-breaker';
import { BackendUnavailableError } from '../../src/backend/errors';
import { pinRequest, startRig } from './sim-fixture';

describe('circuit breaker', () => {
  function make() {
    let t = 1_000_000;
    const transitions: CircuitTransition[] = [];
    const b = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000, now: () => t });
    b.onChange((x) => transitions.push(x));
    return { b, transitions, advance: (ms: number) => (t += ms) };
  }

  it('opens after the threshold of consecutive failures, not before', () => {
    const { b, transitions } = make();
    b.onFailure();
    b.onFailure();
    assert.equal(b.state(), 'closed');
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    assert.equal(b.state(), 'closed');
    b.onFailure();
    assert.equal(b.state(), 'open');
    assert.equal(b.tryAcquire(), false);
    assert.deepEqual(transitions, [{ from: 'closed', to: 'open', cause: 'failure-threshold' }]);
  });

  it('half-opens after the cooldown, lets exactly one probe through, closes on success', () => {
    const { b, transitions, advance } = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(9_999);
    assert.equal(b.state(), 'open');
    assert.equal(b.retryInMs(), 1);
    advance(1);
    assert.equal(b.state(), 'half-open');
    assert.equal(b.tryAcquire(), true);
    assert.equal(b.tryAcquire(), false);
    b.onSuccess();
    assert.equal(b.state(), 'closed');
    assert.deepEqual(transitions.map((x) => x.cause), ['failure-threshold', 'cooldown-elapsed', 'probe-succeeded']);
  });

  it('a failed probe re-opens for a full cooldown', () => {
    const { b, advance } = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(10_000);
    assert.equal(b.tryAcquire(), true);
    b.onFailure();
    assert.equal(b.state(), 'open');
    advance(9_000);
    assert.equal(b.state(), 'open');
    advance(1_000);
    assert.equal(b.state(), 'half-open');
  });

  it('a listener that throws does not break the breaker', () => {
    const b = new CircuitBreaker({ failureThreshold: 1 });
    b.onChange(() => {
      throw new Error('panel broken');
    });
    b.onFailure();
    assert.equal(b.state(), 'open');
  });

  it('client against simulator: repeated 5xx opens it, calls then fail fast without reaching the backend, and a probe closes it', async () => {
    const rig = await startRig();
    try {
      let t = 0;
      const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 5_000, now: () => t });
      const client = rig.client({ breaker, maxAttempts: 1 });
      const seen: string[] = [];
      client.onCircuitChange((x) => seen.push(x.to));
      const req = await pinRequest(rig, client, 'valid');
      rig.sim.faults.inject({ fault: { kind: 'http-5xx', status: 503 }, times: 3, path: '/v1/confirmations' });
      await assert.rejects(client.confirm(req), BackendUnavailableError);
      await assert.rejects(client.confirm(req), BackendUnavailableError);
      assert.equal(client.circuitState(), 'open');
      await assert.rejects(client.confirm(req), (e: unknown) => e instanceof BackendUnavailableError && e.detail.circuitOpen === true);
      // The open circuit sent nothing: one 5xx is still armed.
      assert.equal(rig.sim.faults.state().rules[0]?.left, 1);
      t += 5_000;
      assert.equal(client.circuitState(), 'half-open');
      await assert.rejects(client.confirm(req), BackendUnavailableError); // probe hits the last 5xx
      assert.equal(client.circuitState(), 'open');
      t += 5_000;
      const r = await client.confirm(req);
      assert.equal(r.status, 'qualified');
      assert.equal(client.circuitState(), 'closed');
      assert.deepEqual(seen, ['open', 'half-open', 'open', 'half-open', 'closed']);
    } finally {
      await rig.stop();
    }
  });
});
