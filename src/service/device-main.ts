/**
 * `fcr service run --config FILE`: the reader service as the device runs it under systemd
 * (`systemd/face-card-reader.service`). Real drivers only: pcsclite, the backend client over mutual
 * TLS with the files the configuration names, GPIO through onoff, the blessed panel on the
 * display's terminal, the HID touch controller when configured. A bad configuration is a clear
 * start-up error listing every field (exit 78, EX_CONFIG), never a crash mid-session.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import tty from 'node:tty';
import { openSync } from 'node:fs';
import { createLogger, logLevelsFromEnv, type Logger } from '../log/logger';
import { ConfigError, loadConfig, type FacilityConfig } from '../config';
import { PcscliteCardReaderDriver } from '../devices/card-reader/pcsclite-driver';
import type { ReaderSlot } from '../devices/card-reader/card-reader-driver';
import { BackendClient } from '../backend/client';
import { darkLineFactory, GpioIndicators, onoffLineFactory } from '../devices/gpio/gpio';
import { loadPinMap, type PinMap } from '../devices/gpio/pin-map';
import { HeadlessPanel, type PanelDriver } from '../ui/panel/panel-driver';
import { BlessedPanel } from '../ui/panel/blessed-panel';
import { HidTouchController } from '../devices/touch/touch-controller';
import { ja } from '../ui/text/ja';
import { startDeviceFacePath } from './device-face';
import { assembleReaderService } from './assemble';
import { createSystemdNotifier } from './systemd-notify';
import { technicianConsoleBackend } from './console-status';
import { DeviceStateStore, stateDirectoryFor } from './device-state-store';
import { openSerialConsole, TechnicianShell } from '../devices/console/technician-console';

const repoRoot = resolve(__dirname, '..', '..');
export const EX_CONFIG = 78;

export class BackendTlsFilesError extends Error {
  override readonly name = 'BackendTlsFilesError';
  constructor(readonly missing: string[]) {
    super(`backend.tls needs ${missing.join(', ')} (mutual TLS: the facility CA, the device certificate and key)`);
  }
}

interface DeviceArgs {
  configFile: string;
  headless: boolean;
  panelTty: string | undefined;
}

function parseArgs(argv: string[]): DeviceArgs {
  let configFile = '/etc/face-card-reader/config.json';
  let headless = false;
  let panelTty: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--config') configFile = argv[++i] ?? configFile;
    else if (a === '--headless') headless = true;
    else if (a === '--panel-tty') panelTty = argv[++i];
  }
  return { configFile, headless, panelTty };
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
  const args = parseArgs(argv);
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
  const cardDriver = new PcscliteCardReaderDriver({ slotMap: slotMapFor(config), log: log.child('pcsc') });
  await cardDriver.start();
  const indicators = await createIndicators(loadPinMap(join(repoRoot, 'hardware', 'pin-map.json')), log);

  let quit: () => void = () => undefined;
  const quitting = new Promise<void>((r) => (quit = r));
  let panel: PanelDriver;
  if (args.headless) panel = new HeadlessPanel();
  else {
    const streams = args.panelTty
      ? { input: new tty.ReadStream(openSync(args.panelTty, 'r')), output: new tty.WriteStream(openSync(args.panelTty, 'w')) }
      : {};
    panel = new BlessedPanel({ countdownLabel: ja.countdown, onQuit: () => quit(), ...streams });
  }
  let touch: HidTouchController | undefined;
  if (config.touch.device) {
    const d = config.touch.device;
    const c = config.touch.calibration;
    try {
      touch = await HidTouchController.open({ vendorId: d.vendorId, productId: d.productId }, { reportId: d.reportId, minX: c.minX, maxX: c.maxX, minY: c.minY, maxY: c.maxY, swapXY: c.swapXY, invertX: c.invertX, invertY: c.invertY }, () => ({ cols: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 }), log.child('touch'));
      touch.onTap(({ x, y }) => panel.touchCell(x, y));
    } catch (e) {
      log.error(`touch controller unavailable: ${(e as Error).message}`);
    }
  }

  // Face authentication only with a configured card-face trust anchor (SPEC §5.1).
  const facePath = await startDeviceFacePath(config, cardDriver, log);
  // The passcode lockout and the SPEC §9 counters survive restarts (issue 11 item 5).
  const deviceState = new DeviceStateStore({ dir: stateDirectoryFor(config.stateDirectory), log: log.child('state'), lockoutMs: config.staff.lockoutMs });
  const { service, resultFolder } = assembleReaderService({
    config,
    cardDriver,
    backend,
    deviceKeyPem: readFileSync(tlsFiles.keyFile!, 'utf8'),
    deviceId: config.backend.deviceId,
    face: facePath.face,
    cardFaceAvailable: (slot) => facePath.available && slot === 'card',
    panel,
    indicators,
    log,
    deviceState,
  });
  service.start();
  const technicianConsole = config.console
    ? await openSerialConsole({
        path: config.console.path,
        baudRate: config.console.baudRate,
        shell: new TechnicianShell(technicianConsoleBackend(service, () => backend.circuitState(), config, facePath.available, deviceState, resultFolder)),
        log: log.child('console'),
      }).catch((e: unknown) => {
        log.error(`technician console unavailable: ${(e as Error).message}`);
        return undefined;
      })
    : undefined;
  const stopWatchdog = notifier.startWatchdog();
  notifier.ready(`serving ${config.facility.name}`);
  log.info('reader service ready', { event: 'service-ready' });

  process.once('SIGINT', () => quit());
  process.once('SIGTERM', () => quit());
  await quitting;
  notifier.stopping();
  stopWatchdog();
  log.info('reader service stopping', { event: 'service-stopping' });
  await service.stop();
  await resultFolder?.flush();
  resultFolder?.close();
  await technicianConsole?.close();
  touch?.close();
  panel.close();
  indicators.close();
  await cardDriver.stop();
  await facePath.stop();
  return 0;
}
