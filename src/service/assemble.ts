/**
 * Puts the reader service together from its drivers: the session memory shared by the card and
 * backend adapters, the adapters themselves, and the service. One place, so the device, the rig
 * and the benchmarks run the same wiring.
 */
import type { Logger } from '../log/logger';
import type { FacilityConfig } from '../config';
import type { CardReaderDriver, ReaderSlot } from '../devices/card-reader/card-reader-driver';
import type { BackendClient } from '../backend/client';
import type { ReaderIndicators } from '../devices/gpio/gpio';
import type { PanelDriver } from '../ui/panel/panel-driver';
import { SessionMemories } from './adapters/session-memory';
import { CardAdapter } from './adapters/card-adapter';
import { BackendAdapter, backendFailureOf } from './adapters/backend-adapter';
import { staffPasscodeFromConfig } from './adapters/staff-passcode';
import type { FacePort } from './ports';
import { ReaderService, type ReaderServiceDeps } from './reader-service';
import { ResultFolderWriter } from '../backend/result-folder';
import { resultDocumentFromConfirmation } from '../backend/oqs-xml-mapping';
import type { DeviceStateStore } from './device-state-store';
import type { ReaderMetrics } from './metrics-port';

export interface ReaderAssembly {
  config: FacilityConfig;
  cardDriver: CardReaderDriver;
  backend: BackendClient;
  /** The device key (PEM) and id the backend knows this reader by. */
  deviceKeyPem: string;
  deviceId: string;
  face: FacePort | ((sessions: SessionMemories) => FacePort);
  /** Whether face authentication can be offered for a card on this slot (models and OCR up). */
  cardFaceAvailable?(slot: ReaderSlot): boolean;
  panel: PanelDriver;
  indicators: ReaderIndicators;
  log: Logger;
  clock?: () => number;
  /** Where a finished session's reception goes (the result folder for the reception computer). */
  onReceptionFinished?: ReaderServiceDeps['onReceptionFinished'];
  /** The durable lockout and counters (issue 11 item 5). */
  deviceState?: DeviceStateStore;
  /**
   * Create the result folder when it is missing (the rig's `.rig/reception/`). The device never
   * does: its folder is a share mounted by systemd, and creating it would hide a failed mount.
   */
  createResultFolder?: boolean;
  /** The fleet metrics hook (issue 17); absent: none. */
  metrics?: ReaderMetrics;
}

export function assembleReaderService(a: ReaderAssembly): { service: ReaderService; sessions: SessionMemories; resultFolder: ResultFolderWriter | undefined } {
  // Result files for the reception computer (issue 15): one per finished reception, when the
  // facility names the folder its receipt software watches.
  const folder = a.config.reception.resultFolder;
  const resultFolder = folder
    ? new ResultFolderWriter({ folder, encoding: a.config.reception.resultEncoding, createFolder: a.createResultFolder === true, log: a.log.child('result-folder') })
    : undefined;
  const toResultFolder: ReaderServiceDeps['onReceptionFinished'] = resultFolder
    ? (finished) => {
        const doc = resultDocumentFromConfirmation(finished.response, a.config.facility.code, finished.consents);
        if (doc) resultFolder.submit(String(finished.response.receptionSeq), doc);
      }
    : undefined;
  const onReceptionFinished = a.onReceptionFinished ?? toResultFolder;
  const metrics = a.metrics;
  // Whether the reception computer's folder takes files: known once a write succeeded or failed.
  if (resultFolder && metrics) resultFolder.onStatus((s) => s.state !== 'idle' && metrics.deviceState({ device: 'result-folder', up: s.state === 'ok' }));
  // One memory per session: the service renews it on every wipe (issue 11).
  const sessions = new SessionMemories();
  const card = new CardAdapter({
    driver: a.cardDriver,
    sessions,
    log: a.log.child('card'),
    ...(a.clock ? { clock: a.clock } : {}),
    issueNonce: async () => {
      try {
        return { nonce: Buffer.from((await a.backend.issueNonce()).nonce, 'base64') };
      } catch (e) {
        return { failed: backendFailureOf(e) };
      }
    },
    ...(a.cardFaceAvailable ? { cardFaceAvailable: a.cardFaceAvailable } : {}),
    checkCertificate: async (der) => {
      const r = await a.backend.checkCertificate(der);
      return { revoked: r.certificate.revocation === 'revoked', registeredForInsurance: r.insuranceUseRegistered };
    },
  });
  const backend = new BackendAdapter({ client: a.backend, sessions, card, config: a.config, deviceKeyPem: a.deviceKeyPem, deviceId: a.deviceId, log: a.log.child('backend') });
  const face = typeof a.face === 'function' ? a.face(sessions) : a.face;
  const service = new ReaderService({
    config: a.config,
    card,
    backend,
    face,
    staffPasscode: staffPasscodeFromConfig(a.config),
    sessions,
    ...(onReceptionFinished ? { onReceptionFinished } : {}),
    panel: a.panel,
    indicators: a.indicators,
    log: a.log.child('session'),
    ...(a.clock ? { clock: a.clock } : {}),
    ...(a.deviceState ? { deviceState: a.deviceState } : {}),
    ...(metrics ? { metrics } : {}),
  });
  return { service, sessions, resultFolder };
}
