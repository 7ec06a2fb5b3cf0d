/**
 * The one composition root of the reader (issue 12 item 6): the device (`fcr service run`,
 * src/service/device-main.ts) and the rig (rig/runner/rig-runner.ts) differ only in the profile
 * they pass — which card driver, backend client, GPIO chip, panel and console path, and (rig only)
 * which cameras and trust anchors the face path uses. Everything else is built here, in one order,
 * so the rig's end-to-end tests run the device's face path and service wiring.
 *
 * Start/stop contract (STYLE §6): `composeReader(profile, signal)` checks the signal between steps
 * and, if a step fails or the signal aborts, stops what it had started; `stop()` is idempotent and
 * tears down in reverse order with a guard per step (src/service/teardown.ts).
 */
import type { Logger } from '../log/logger';
import type { FacilityConfig } from '../config';
import type { CardReaderDriver } from '../devices/card-reader/card-reader-driver';
import type { ReaderIndicators } from '../devices/gpio/gpio';
import type { PanelDriver } from '../ui/panel/panel-driver';
import type { BackendClient } from '../backend/client';
import type { ResultFolderWriter } from '../backend/result-folder';
import { openSerialConsole, TechnicianShell } from '../devices/console/technician-console';
import { assembleReaderService } from './assemble';
import { technicianConsoleBackend } from './console-status';
import { DeviceStateStore } from './device-state-store';
import { startDeviceFacePath, type FacePathOverrides } from './device-face';
import type { ReaderService } from './reader-service';
import { Teardown, type TeardownStepError } from './teardown';
import { fleetMetrics } from './metrics-server';

export interface ReaderProfile {
  config: FacilityConfig;
  log: Logger;
  /** The PC/SC driver on the device; pcscd + vpcd or the in-process reader on the rig. Not started yet. */
  cardDriver(): CardReaderDriver;
  /** The eligibility backend over mutual TLS, and the device identity it knows. */
  backend(): { client: BackendClient; deviceKeyPem: string; deviceId: string };
  indicators(): Promise<ReaderIndicators> | ReaderIndicators;
  /** `metricsUrl`: where the fleet metrics are served, for the rig's footer. */
  panel(context: { metricsUrl: string | undefined }): PanelDriver;
  /** Where the lockout and SPEC §9 counters are kept (the unit's StateDirectory; rig: .rig/state). */
  stateDirectory: string;
  /** The rig creates its result folder; the device's is a mounted share and is never created. */
  createResultFolder?: boolean;
  /** The technician console on the board's UART (rig: a socat pty). */
  console?: { path: string; baudRate?: number };
  /** Rig only: its cameras and test trust anchor instead of the configured ones; or no face path. */
  face?: FacePathOverrides | { off: string };
}

export interface ComposedReader {
  readonly service: ReaderService;
  readonly backend: BackendClient;
  readonly resultFolder: ResultFolderWriter | undefined;
  readonly deviceState: DeviceStateStore;
  readonly cardDriver: CardReaderDriver;
  readonly indicators: ReaderIndicators;
  readonly panel: PanelDriver;
  /** Whether face authentication is offered (models, OCR and a trust anchor are up). */
  readonly faceAvailable: boolean;
  /** The Prometheus endpoint (issue 17), when the configuration enables it and the port was free. */
  readonly metricsUrl: string | undefined;
  /** Registers a profile's own part (touch, control socket…) to stop before the reader's parts. */
  defer(name: string, stop: () => unknown): void;
  stop(): Promise<TeardownStepError[]>;
}

export class ReaderStartAbortedError extends Error {
  override readonly name = 'ReaderStartAbortedError';
  constructor(readonly step: string) {
    super(`start aborted before ${step}`);
  }
}

export async function composeReader(p: ReaderProfile, signal?: AbortSignal): Promise<ComposedReader> {
  const { config, log } = p;
  const teardown = new Teardown(log);
  const step = async <T>(name: string, start: () => Promise<T> | T, stop?: (part: T) => unknown): Promise<T> => {
    if (signal?.aborted) throw new ReaderStartAbortedError(name);
    const part = await start();
    if (stop) teardown.defer(name, () => stop(part));
    return part;
  };
  try {
    const cardDriver = await step('card reader', async () => {
      const d = p.cardDriver();
      await d.start();
      return d;
    }, (d) => d.stop());
    const backend = await step('backend client', () => p.backend());
    const indicators = await step('indicators', () => p.indicators(), (i) => i.close());
    // Fleet metrics (issue 17): off unless the configuration enables them; a port that cannot be
    // bound is logged and the reader serves patients without them.
    const metrics = fleetMetrics(config, log.child('metrics'));
    const metricsServer = await step('metrics endpoint', () => metrics.listen(), (m) => m?.close());
    const panel = await step('panel', () => p.panel({ metricsUrl: metricsServer?.url }), (x) => x.close());
    // Face authentication only with a verifiable card photo (SPEC §5.1); the rig passes its own
    // cameras and test anchor but runs this same path.
    const facePath = await step(
      'face path',
      () => startDeviceFacePath(config, cardDriver, log, p.face && 'off' in p.face ? { off: p.face.off } : p.face),
      (f) => f.stop(),
    );
    // The passcode lockout and the SPEC §9 counters survive restarts (issue 11 item 5).
    const deviceState = await step('device state', () => new DeviceStateStore({ dir: p.stateDirectory, log: log.child('state'), lockoutMs: config.staff.lockoutMs }));
    const { service, resultFolder } = await step(
      'reader service',
      () => {
        const assembled = assembleReaderService({
          config,
          cardDriver,
          backend: backend.client,
          deviceKeyPem: backend.deviceKeyPem,
          deviceId: backend.deviceId,
          face: facePath.face,
          cardFaceAvailable: (slot) => facePath.available && slot === 'card',
          panel,
          indicators,
          log,
          deviceState,
          createResultFolder: p.createResultFolder === true,
          metrics: metrics.hook,
        });
        metrics.attachToday(() => assembled.service.counters.today(Date.now()));
        assembled.service.start();
        return assembled;
      },
      async ({ service: s, resultFolder: r }) => {
        await s.stop();
        await r?.flush();
        r?.close();
      },
    );
    const consoleConfig = p.console;
    if (consoleConfig) {
      await step(
        'technician console',
        () =>
          openSerialConsole({
            path: consoleConfig.path,
            ...(consoleConfig.baudRate !== undefined ? { baudRate: consoleConfig.baudRate } : {}),
            shell: new TechnicianShell(technicianConsoleBackend(service, () => backend.client.circuitState(), config, facePath.available, deviceState, resultFolder, metricsServer?.url)),
            log: log.child('console'),
          }).catch((e: unknown) => {
            // A reader without its console still serves patients.
            log.error(`technician console unavailable: ${(e as Error).message}`);
            return undefined;
          }),
        (c) => c?.close(),
      );
    }
    return {
      service,
      backend: backend.client,
      resultFolder,
      deviceState,
      cardDriver,
      indicators,
      panel,
      faceAvailable: facePath.available,
      metricsUrl: metricsServer?.url,
      defer: (name, stop) => teardown.defer(name, stop),
      stop: () => teardown.stop(),
    };
  } catch (e) {
    await teardown.stop();
    throw e;
  }
}
