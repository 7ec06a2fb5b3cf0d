/**
 * `{"bench":"session",...}` (issue 4 §4): machine time of the reader service itself — the real
 * engine, adapters, card client, emulated card and backend client/simulator over mutual TLS — on
 * the in-process virtual reader (no pcscd polling or vpcd transport, which the card-read bench
 * measures), for:
 *   - `insertToMethodMs`: card inserted → the method screen shown (card read + certificate check);
 *   - `pinSessionMs`: a whole scripted PIN session with all consents, insertion to the done screen.
 * Median of several runs.
 */
import { BackendClient } from '../../src/backend/client';
import { BackendSimulator } from '../../rig/backend-simulator/server';
import { defaultRigConfig } from '../../rig/rig-config';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { SimulatedGpioChip } from '../../rig/devices/simulated-gpio';
import { createFullPersonaCard } from '../../rig/emulator/full-persona-card';
import { silentLogger } from '../../src/log/logger';
import { loadRigCredentials } from '../../rig/personas/credentials';
import { NoFacePort } from '../../src/service/adapters/no-face';
import { assembleReaderService } from '../../src/service/assemble';
import { HeadlessPanel } from '../../src/ui/panel/panel-driver';
import { ja } from '../../src/ui/text/ja';
import { join } from 'node:path';
import { median } from './stats';

const RUNS = 7;


async function until(panel: HeadlessPanel, text: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = panel.current();
    if (v && [...v.lines, ...v.buttons.map((b) => b.label)].some((l) => l.includes(text))) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${text} (on screen: ${panel.current()?.screenId})`);
}

export async function run(): Promise<void> {
  const credentials = await loadRigCredentials();
  const config = defaultRigConfig();
  const sim = await BackendSimulator.start({ credentials, facilityCode: config.facility.code });
  const clientConfig = sim.clientConfig('device');
  const backend = new BackendClient({ ...clientConfig, timeoutMs: 5000 });
  const driver = new SimulatedCardReaderDriver();
  await driver.start();
  const panel = new HeadlessPanel();
  const indicators = new GpioIndicators(loadPinMap(join(__dirname, '../../hardware/pin-map.json')), new SimulatedGpioChip().lineFactory);
  const { service } = assembleReaderService({
    createResultFolder: true,
    config,
    cardDriver: driver,
    backend,
    deviceKeyPem: clientConfig.keyPem,
    deviceId: clientConfig.deviceId,
    face: new NoFacePort('bench'),
    panel,
    indicators,
    log: silentLogger,
  });
  service.start();
  const toMethod: number[] = [];
  const whole: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const card = await createFullPersonaCard({ persona: 'valid', credentials });
      const t0 = performance.now();
      driver.insert('card', card);
      await until(panel, ja.methodQuestion);
      toMethod.push(performance.now() - t0);
      panel.press(ja.buttonPin);
      for (const d of '1234') panel.typeDigit(d);
      await until(panel, ja.buttonReselect);
      panel.press(ja.buttonReselect);
      await until(panel, ja.buttonAgreeAll);
      panel.press(ja.buttonAgreeAll);
      await until(panel, ja.buttonNext);
      panel.press(ja.buttonNext);
      await until(panel, ja.doneComplete);
      whole.push(performance.now() - t0);
      driver.remove('card');
      await until(panel, ja.idlePlaceCard);
    }
  } finally {
    await service.stop();
    await driver.stop();
    await sim.stop();
  }
  console.log(JSON.stringify({ bench: 'session', reader: 'in-process', runs: RUNS, insertToMethodMs: median(toMethod), pinSessionMs: median(whole) }));
}
