/**
 * The start/stop contract of the composition root (STYLE §6, issue 12 item 6): parts stop in
 * reverse order of starting, one failing stop does not keep the others from stopping, stop() is
 * idempotent, and a start that fails or is aborted half-way stops what it had started.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log/logger';
import { Teardown } from '../../src/service/teardown';
import { composeReader, ReaderStartAbortedError, type ReaderProfile } from '../../src/service/compose-reader';
import type { BackendClient } from '../../src/backend/client';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { HeadlessPanel } from '../../src/ui/panel/panel-driver';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { SimulatedGpioChip } from '../../rig/devices/simulated-gpio';
import { defaultRigConfig } from '../../rig/rig-config';

const quiet = () => createLogger('test', { level: 'fatal' as never, sink: { write: () => undefined } });

describe('Teardown', () => {
  it('stops in reverse order, guards each step, and is idempotent', async () => {
    const order: string[] = [];
    const t = new Teardown(quiet());
    t.defer('card reader', () => order.push('card reader'));
    t.defer('panel', () => {
      order.push('panel');
      throw new Error('tty gone');
    });
    t.defer('service', async () => {
      await Promise.resolve();
      order.push('service');
    });
    const [first, second] = await Promise.all([t.stop(), t.stop()]);
    assert.deepEqual(order, ['service', 'panel', 'card reader']);
    assert.equal(first, second);
    assert.deepEqual(first.map((e) => e.step), ['panel']);
    assert.match(first[0]!.message, /stopping panel failed: Error: tty gone/);
    assert.throws(() => t.defer('late', () => undefined), /shutting down/);
  });
});

describe('composeReader (one composition root for device and rig)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fcr-compose-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function profile(events: string[], overrides: Partial<ReaderProfile> = {}): ReaderProfile {
    const driver = new SimulatedCardReaderDriver();
    const realStop = driver.stop.bind(driver);
    driver.stop = () => {
      events.push('stop card reader');
      return realStop();
    };
    return {
      config: defaultRigConfig({ reception: { resultFolder: join(dir, 'reception') } }),
      log: quiet(),
      cardDriver: () => driver,
      // The client is only constructed here, never called: no session runs in these tests.
      backend: () => ({ client: { circuitState: () => 'closed', onCircuitChange: () => () => undefined } as unknown as BackendClient, deviceKeyPem: '', deviceId: 'dev-1' }),
      indicators: () => {
        const i = new GpioIndicators(loadPinMap(join(__dirname, '..', '..', 'hardware', 'pin-map.json')), new SimulatedGpioChip().lineFactory);
        const close = i.close.bind(i);
        i.close = () => {
          events.push('close indicators');
          close();
        };
        return i;
      },
      panel: () => {
        const p = new HeadlessPanel();
        p.close = () => events.push('close panel');
        return p;
      },
      stateDirectory: join(dir, 'state'),
      face: { off: 'not in this test' },
      ...overrides,
    };
  }

  it('starts the service and stops every part in reverse order, parts the profile deferred first', async () => {
    const events: string[] = [];
    const reader = await composeReader(profile(events));
    assert.equal(reader.faceAvailable, false);
    assert.ok(reader.service);
    reader.defer('touch controller', () => events.push('close touch'));
    const failed = await reader.stop();
    assert.deepEqual(failed, []);
    assert.deepEqual(events, ['close touch', 'close panel', 'close indicators', 'stop card reader']);
    await reader.stop();
    assert.equal(events.length, 4, 'a second stop() stops nothing twice');
  });

  it('a failing start step stops what had started, last first, and reports the error', async () => {
    const events: string[] = [];
    await assert.rejects(
      composeReader(
        profile(events, {
          panel: () => {
            throw new Error('no display');
          },
        }),
      ),
      /no display/,
    );
    assert.deepEqual(events, ['close indicators', 'stop card reader']);
  });

  it('an aborted start stops between steps and leaves nothing running', async () => {
    const events: string[] = [];
    const abort = new AbortController();
    await assert.rejects(
      composeReader(
        profile(events, {
          indicators: () => {
            abort.abort();
            return profile([]).indicators();
          },
        }),
        abort.signal,
      ),
      (e: unknown) => e instanceof ReaderStartAbortedError && e.step === 'metrics endpoint',
    );
    assert.deepEqual(events, ['stop card reader']);
  });
});
