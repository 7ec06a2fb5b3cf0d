/**
 * Puts the reader service together from its drivers: the session memory shared by the card and
 * backend adapters, the adapters themselves, and the service. One place, so the device, the rig
 * and the benchmarks run the same wiring.
 */
import type { Logger } from '../log/logger';
import type { FacilityConfig } from '../config';
import type { CardReaderDriver } from '../devices/card-reader/card-reader-driver';
import type { BackendClient } from '../backend/client';
import type { ReaderIndicators } from '../devices/gpio/gpio';
import type { PanelDriver } from '../ui/panel/panel-driver';
import { SessionMemory } from './adapters/session-memory';
import { CardAdapter } from './adapters/card-adapter';
import { BackendAdapter } from './adapters/backend-adapter';
import { staffPasscodeFromConfig } from './adapters/staff-passcode';
import type { FacePort } from './ports';
import { ReaderService } from './reader-service';
import type { DeviceStateStore } from './device-state-store';

export interface ReaderAssembly {
  config: FacilityConfig;
  cardDriver: CardReaderDriver;
  backend: BackendClient;
  /** The device key (PEM) and id the backend knows this reader by. */
  deviceKeyPem: string;
  deviceId: string;
  face: FacePort | ((memory: SessionMemory) => FacePort);
  /** Whether face authentication can be offered for a card on this slot (models and OCR up). */
  cardFaceAvailable?(slot: 'card' | 'smartphone'): boolean;
  panel: PanelDriver;
  indicators: ReaderIndicators;
  log: Logger;
  clock?: () => number;
  /** The durable lockout and counters (issue 11 item 5). */
  deviceState?: DeviceStateStore;
}

export function assembleReaderService(a: ReaderAssembly): { service: ReaderService; memory: SessionMemory } {
  const memory = new SessionMemory();
  const card = new CardAdapter({
    driver: a.cardDriver,
    memory,
    log: a.log.child('card'),
    ...(a.clock ? { clock: a.clock } : {}),
    issueNonce: async () => {
      try {
        return { nonce: Buffer.from((await a.backend.issueNonce()).nonce, 'base64') };
      } catch {
        return { failed: 'unavailable' as const };
      }
    },
    ...(a.cardFaceAvailable ? { cardFaceAvailable: a.cardFaceAvailable } : {}),
    checkCertificate: async (der) => {
      const r = await a.backend.checkCertificate(der);
      return { revoked: r.certificate.revocation === 'revoked', registeredForInsurance: r.insuranceUseRegistered };
    },
  });
  const backend = new BackendAdapter({ client: a.backend, memory, card, config: a.config, deviceKeyPem: a.deviceKeyPem, deviceId: a.deviceId, log: a.log.child('backend') });
  const face = typeof a.face === 'function' ? a.face(memory) : a.face;
  const service = new ReaderService({
    config: a.config,
    card,
    backend,
    face,
    staffPasscode: staffPasscodeFromConfig(a.config),
    panel: a.panel,
    indicators: a.indicators,
    log: a.log.child('session'),
    ...(a.clock ? { clock: a.clock } : {}),
    ...(a.deviceState ? { deviceState: a.deviceState } : {}),
  });
  return { service, memory };
}
