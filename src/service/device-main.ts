/**
 * `fcr service run --config FILE`: the reader service as the device runs it under systemd
 * (`systemd/face-card-reader.service`). Real drivers only: pcsclite, the backend client over mutual
 * TLS with the files the configuration names, GPIO through onoff, the blessed panel on the
 * display's terminal, the HID touch controller when configured. A bad configuration is a clear
 * start-up error listing every field (exit 78, EX_CONFIG), never a crash mid-session.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tty from 'node:tty';
import { openSync } from 'node:fs';
import { createLogger, logLevelsFromEnv, type Logger } from '../log/logger';
import { installRoot } from '../install-root';
import { ConfigError, loadConfig, type FacilityConfig } from '../config';
import { PcscliteCardReaderDriver } from '../devices/card-reader/pcsclite-driver';
import type { ReaderSlot } from '../devices/card-reader/card-reader-driver';
import { BackendClient } from '../backend/client';
import { darkLineFactory, GpioIndicators, onoffLineFactory } from '../devices/gpio/gpio';
import { loadPinMap, type PinMap } from '../devices/gpio/pin-map';
import { HeadlessPanel } from '../ui/panel/panel-driver';
import { BlessedPanel } from '../ui/panel/blessed-panel';
import { HidTouchController } from '../devices/touch/touch-controller';
import { ja } from '../ui/text/ja';
import { composeReader } from './compose-reader';
import { createSystemdNotifier } from './systemd-notify';
import { stateDirectoryFor } from './device-state-store';
import { parseDeviceArgs } from './device-args';

export const EX_CONFIG = 78;

export class BackendTlsFilesError extends Error {
  override readonly name = 'BackendTlsFilesError';
  constructor(readonly missing: string[]) {
    super(`backend.tls needs ${missing.join(', ')} (mutual TLS: the facility CA, the device certificate and key)`);
  }
}

/** Reader names → slots by the configured substrings (SPEC §1: card reader and smartphone reader). */
function slotMapFor(config: FacilityConfig): (name: string) => ReaderSlot | undefined {
  return (name) => (name.includes(config.readers.smartphone) ? 'smartphone' : name.includes(config.readers.card) ? 'card' : undefined);
}

async function createIndicators(pins: PinMap, log: Logger): Promise<GpioIndicators> {
  try {
    return new GpioIndicators(pins, await onoffLineFactory());
  } catch (e) {
    // A board without GPIO access still serves patients; the LEDs and buzzer are just dark.
    log.error(`GPIO unavailable (${(e as Error).message}); LEDs and buzzer are off`);
    return new GpioIndicators(pins, darkLineFactory);
  }
}

export async function runDevice(argv: string[]): Promise<number> {
  const args = parseDeviceArgs(argv);
  if (typeof args === 'number') return args;
  // To the journal as fields under systemd (src/systemd/journal.ts), text on stderr elsewhere.
  const { problem: levelProblem, ...levels } = logLevelsFromEnv();
  const log = createLogger('fcr', levels);
  if (levelProblem) log.warn(`FCR_LOG_LEVEL ignored: ${levelProblem.message}`, { event: 'log-level-invalid' });
  let config: FacilityConfig;
  try {
    config = loadConfig(args.configFile);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return EX_CONFIG;
    }
    throw e;
  }
  const tlsFiles = config.backend.tls;
  const missing = (['caFile', 'certFile', 'keyFile'] as const).filter((k) => !tlsFiles[k]);
  if (missing.length > 0) {
    process.stderr.write(`${new BackendTlsFilesError(missing.map((m) => `backend.tls.${m}`)).message}\n`);
    return EX_CONFIG;
  }
  let backend: BackendClient;
  try {
    backend = new BackendClient({
      baseUrl: config.backend.url,
      caCertPem: readFileSync(tlsFiles.caFile!, 'utf8'),
      certPem: readFileSync(tlsFiles.certFile!, 'utf8'),
      keyPem: readFileSync(tlsFiles.keyFile!, 'utf8'),
      facilityCode: config.facility.code,
      deviceId: config.backend.deviceId,
      timeoutMs: Math.min(config.timeouts.backendMs, 10_000),
      logger: log.child('backend'),
    });
  } catch (e) {
    process.stderr.write(`backend configuration: ${(e as Error).name}: ${(e as Error).message}\n`);
    return EX_CONFIG;
  }

  const notifier = createSystemdNotifier(log);
  const pins = loadPinMap(join(installRoot(), 'hardware', 'pin-map.json'));
  let quit: () => void = () => undefined;
  const quitting = new Promise<void>((r) => (quit = r));
  const stopping = new AbortController();
  process.once('SIGINT', () => quit());
  process.once('SIGTERM', () => quit());
  void quitting.then(() => stopping.abort());
  const tlsKeyPem = readFileSync(tlsFiles.keyFile!, 'utf8');
  const reader = await composeReader(
    {
      config,
      log,
      cardDriver: () => new PcscliteCardReaderDriver({ slotMap: slotMapFor(config), log: log.child('pcsc') }),
      backend: () => ({ client: backend, deviceKeyPem: tlsKeyPem, deviceId: config.backend.deviceId }),
      indicators: () => createIndicators(pins, log),
      panel: () => {
        if (args.headless) return new HeadlessPanel();
        const streams = args.panelTty
          ? { input: new tty.ReadStream(openSync(args.panelTty, 'r')), output: new tty.WriteStream(openSync(args.panelTty, 'w')) }
          : {};
        return new BlessedPanel({ countdownLabel: ja.countdown, onQuit: () => quit(), ...streams });
      },
      stateDirectory: stateDirectoryFor(config.stateDirectory),
      ...(config.console ? { console: { path: config.console.path, baudRate: config.console.baudRate } } : {}),
    },
    stopping.signal,
  );
  if (config.touch.device) {
    const d = config.touch.device;
    const c = config.touch.calibration;
    try {
      // Taps map onto the panel's own terminal (tty1's size, what the layout was drawn for), not
      // this process's stdout: under systemd that is the journal, with no size (the HIL tier's
      // touches landed on the wrong cells with an assumed 80×24).
      const touch = await HidTouchController.open({ vendorId: d.vendorId, productId: d.productId }, { reportId: d.reportId, minX: c.minX, maxX: c.maxX, minY: c.minY, maxY: c.maxY, swapXY: c.swapXY, invertX: c.invertX, invertY: c.invertY }, () => reader.panel.size(), log.child('touch'));
      touch.onTap(({ x, y }) => reader.panel.touchCell(x, y));
      reader.defer('touch controller', () => touch.close());
    } catch (e) {
      log.error(`touch controller unavailable: ${(e as Error).message}`);
    }
  }
  const stopWatchdog = notifier.startWatchdog();
  notifier.ready(`serving ${config.facility.name}`);
  log.info('reader service ready', { event: 'service-ready' });

  await quitting;
  notifier.stopping();
  stopWatchdog();
  log.info('reader service stopping', { event: 'service-stopping' });
  await reader.stop();
  return 0;
}
