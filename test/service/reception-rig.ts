/**
 * The reader service on the real stack, without the terminal (issue 11 tests): the product's one
 * wiring (`assembleReaderService`) over
 *   - a card reader: the real pcsclite driver on a private pcscd + vsmartcard-vpcd with the card
 *     emulator on its slots (`reader: 'pcscd'`), or the in-process virtual reader for the large
 *     matrices (`reader: 'in-process'`, same emulated cards, no 0.3–0.5 s pcscd polling);
 *   - the backend simulator over mutual TLS, with its fault controller and reception record;
 *   - a headless panel read by screen text, a simulated GPIO chip.
 *
 * The checks read what the simulator recorded (its own record, not the product's view of it) and
 * what the panel shows; waits are on state (screen text, reader events), never fixed sleeps.
 */
import { BUTTON } from '../../src/session/screen';
import { join } from 'node:path';
import { BackendClient } from '../../src/backend/client';
import { BackendSimulator } from '../../rig/backend-simulator/server';
import type { ReceptionEntry } from '../../src/backend/protocol';
import { type FacilityConfig } from '../../src/config';
import { defaultRigConfig } from '../../rig/rig-config';
import type { CardReaderDriver, ReaderSlot } from '../../src/devices/card-reader/card-reader-driver';
import { PcscliteCardReaderDriver } from '../../src/devices/card-reader/pcsclite-driver';
import { SimulatedCardReaderDriver, type HostedCard } from '../../rig/devices/simulated-card-reader';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { SimulatedGpioChip } from '../../rig/devices/simulated-gpio';
import { createPersonaCard, startCardEmulator, type VpcdCardSocket } from '../../rig/emulator/index';
import type { PersonaName } from '../../rig/personas/catalogue';
import { loadRigCredentials, type RigCredentials } from '../../rig/personas/credentials';
import type { PcscdInstance } from '../../rig/runner/pcscd-process';
import { NoFacePort } from '../../src/service/adapters/no-face';
import { assembleReaderService } from '../../src/service/assemble';
import type { ReaderService } from '../../src/service/reader-service';
import { HeadlessPanel } from '../../src/ui/panel/panel-driver';
import { ja } from '../../src/ui/text/ja';
import { silentLogger, type Logger } from '../../src/log/logger';
import { randomChannelId, startLinkedPcscd, waitForCardEvent } from '../devices/pcsc-rig';
import { waitFor } from '../wait-for';
import type { FaultRuleInput } from '../../rig/backend-simulator/faults';
import { CardFaceReader } from '../../src/card-face/ocr';
import { rigCardFaceTrustAnchors } from '../../rig/personas/card-face-credentials';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import { createFullPersonaCard } from '../../rig/emulator/full-persona-card';
import { degradeCardImage, renderCardFace } from '../../rig/emulator/card-face';
import { findPersona } from '../../rig/personas/catalogue';
import { FaceAdapter } from '../../src/service/adapters/face-adapter';
import type { FaceVerifier, VerifyResult } from '../../src/face/verifier';
import { fleetMetrics, type MetricsServer } from '../../src/service/metrics-server';

/** A matcher that always matches: the pull matrix is about the card's APDUs, not the face model. */
class AlwaysMatches implements FaceVerifier {
  async enrolCardPhoto(): Promise<void> {}
  async verify(): Promise<VerifyResult> {
    return { outcome: 'match', score: 0.9 };
  }
  async close(): Promise<void> {}
}

export interface ReceptionRigOptions {
  reader: 'pcscd' | 'in-process';
  /**
   * Face authentication with the real card-face path (OCR of 照合番号B from a rendered card face,
   * 券面事項確認AP on the emulated card, issuer signature and chip challenge) and a matcher that
   * always matches (the face model has its own tests; here the card's APDUs matter).
   */
  face?: boolean;
  /** The backend client's breaker cool-down (the device's is 5 s). */
  breakerOpenMs?: number;
  /** The backend client's timeout per attempt (default 2000 ms). */
  backendTimeoutMs?: number;
  config?: Partial<FacilityConfig>;
  log?: Logger;
  /** Serve the fleet metrics as the rig does (`config.metrics`: loopback, an ephemeral port). */
  metrics?: boolean;
}

/** A card that leaves the reader at APDU number `pullAt` (1-based), as a patient pulling it. */
export function pulledAt(card: HostedCard, pullAt: number): HostedCard & { apdus(): number } {
  let n = 0;
  return {
    atr: card.atr,
    transmit(apdu: Buffer): Buffer {
      n++;
      if (n === pullAt) {
        const e = new Error('the patient pulled the card');
        e.name = 'CardWithdrawnFault';
        throw e;
      }
      return card.transmit(apdu);
    },
    powerOn: () => card.powerOn?.(),
    powerOff: () => card.powerOff?.(),
    apdus: () => n,
  };
}

export class ReceptionRig {
  private constructor(
    readonly service: ReaderService,
    readonly panel: HeadlessPanel,
    readonly sim: BackendSimulator,
    readonly driver: CardReaderDriver,
    readonly credentials: RigCredentials,
    readonly leds: () => { ledGreen: number; ledAmber: number; ledRed: number },
    private readonly stack: { pcscd?: PcscdInstance; channelId?: number; sockets?: Record<ReaderSlot, VpcdCardSocket>; reader?: CardFaceReader; face?: boolean; metrics?: MetricsServer },
  ) {}

  /** The metrics endpoint's URL (with `metrics: true`). */
  get metricsUrl(): string | undefined {
    return this.stack.metrics?.url;
  }

  static async start(o: ReceptionRigOptions): Promise<ReceptionRig> {
    const credentials = await loadRigCredentials();
    const config = defaultRigConfig(o.config ?? {});
    const sim = await BackendSimulator.start({ credentials, facilityCode: config.facility.code });
    const clientConfig = sim.clientConfig('device');
    const client = new BackendClient({ ...clientConfig, timeoutMs: o.backendTimeoutMs ?? 2000, retryDelayMs: 20, ...(o.breakerOpenMs ? { breaker: { openMs: o.breakerOpenMs } } : {}) });
    let driver: CardReaderDriver;
    const stack: { pcscd?: PcscdInstance; channelId?: number; sockets?: Record<ReaderSlot, VpcdCardSocket> } = {};
    if (o.reader === 'pcscd') {
      stack.channelId = randomChannelId();
      stack.pcscd = await startLinkedPcscd(stack.channelId);
      const pcsc = new PcscliteCardReaderDriver({ apduTimeoutMs: 3000, backoff: { initialMs: 100, maxMs: 400 } });
      const ready = new Promise<void>((resolve) => {
        const off = pcsc.onEvent((e) => {
          if (e.type === 'reader-added' && e.slot === 'card') {
            off();
            resolve();
          }
        });
      });
      await pcsc.start();
      await ready;
      stack.sockets = {
        card: await startCardEmulator({ port: stack.pcscd.vpcdPorts[0], card: null }),
        smartphone: await startCardEmulator({ port: stack.pcscd.vpcdPorts[1], card: null }),
      };
      driver = pcsc;
    } else {
      const sim = new SimulatedCardReaderDriver();
      await sim.start();
      driver = sim;
    }
    const panel = new HeadlessPanel();
    const chip = new SimulatedGpioChip();
    const indicators = new GpioIndicators(loadPinMap(join(__dirname, '../../hardware/pin-map.json')), chip.lineFactory);
    let reader: CardFaceReader | undefined;
    let face: Parameters<typeof assembleReaderService>[0]['face'] = new NoFacePort('tests');
    if (o.face) {
      reader = new CardFaceReader();
      await reader.start();
      const cardFaceReader = reader;
      const image = await degradeCardImage(await renderCardFace(findPersona('valid')!), { blur: 0.5, seed: 3 });
      const anchors = await rigCardFaceTrustAnchors();
      const camera = new SimulatedCamera([{ width: 4, height: 4, rgb: new Uint8Array(48) }], 30);
      face = (sessions) =>
        new FaceAdapter({
          cardDriver: driver,
          sessions,
          camera: () => camera,
          verifier: new AlwaysMatches(),
          cardFaceReader,
          cardFaceImage: async () => image,
          trustAnchors: anchors,
          rigMode: true,
          attemptMs: 3000,
          log: silentLogger,
        });
    }
    const metrics = o.metrics ? fleetMetrics(config, o.log ?? silentLogger) : undefined;
    const { service } = assembleReaderService({
      createResultFolder: true,
      ...(metrics ? { metrics: metrics.hook } : {}),
      config,
      cardDriver: driver,
      backend: client,
      deviceKeyPem: clientConfig.keyPem,
      deviceId: clientConfig.deviceId,
      face,
      ...(o.face ? { cardFaceAvailable: (slot: ReaderSlot) => slot === 'card' } : {}),
      panel,
      indicators,
      log: o.log ?? silentLogger,
    });
    metrics?.attachToday(() => service.counters.today(Date.now()));
    service.start();
    const metricsServer = await metrics?.listen();
    if (metrics && !metricsServer) throw new Error('the metrics endpoint did not start');
    const pins = loadPinMap(join(__dirname, '../../hardware/pin-map.json'));
    const leds = () => ({ ledGreen: chip.levels.get(pins.ledGreen) ?? 0, ledAmber: chip.levels.get(pins.ledAmber) ?? 0, ledRed: chip.levels.get(pins.ledRed) ?? 0 });
    return new ReceptionRig(service, panel, sim, driver, credentials, leds, { ...stack, ...(reader ? { reader } : {}), face: o.face === true, ...(metricsServer ? { metrics: metricsServer } : {}) });
  }

  /** Places a persona's card (or phone) and waits until the reader has seen it. */
  async insert(persona: PersonaName, slot: ReaderSlot = 'card', wrap?: (card: HostedCard) => HostedCard): Promise<void> {
    // With face authentication the card also carries its 券面 applications.
    const card = this.stack.face ? await createFullPersonaCard({ persona, credentials: this.credentials }) : createPersonaCard({ persona, credentials: this.credentials });
    const hosted = wrap ? wrap(card) : card;
    if (!this.stack.sockets) {
      const seen = waitForCardEvent(this.driver, 'card-inserted', slot, 10_000);
      (this.driver as SimulatedCardReaderDriver).insert(slot, hosted);
      return seen;
    }
    // On a loaded machine pcscd can give up powering the emulated card before the emulator's
    // event loop answers (it then reports the card mute until it is placed again), so a card not
    // seen within 5 s is placed once more, as a patient would. The product is not involved.
    const sockets = this.stack.sockets;
    for (let attempt = 1; ; attempt++) {
      const seen = waitForCardEvent(this.driver, 'card-inserted', slot, attempt === 1 ? 5_000 : 10_000);
      await sockets[slot].insert(hosted as never);
      try {
        return await seen;
      } catch (e) {
        if (attempt >= 2) throw e;
      }
    }
  }

  async remove(slot: ReaderSlot = 'card'): Promise<void> {
    if (!this.driver.cardIn(slot)) return;
    const seen = waitForCardEvent(this.driver, 'card-removed', slot, 10_000);
    if (this.stack.sockets) await this.stack.sockets[slot].remove();
    else (this.driver as SimulatedCardReaderDriver).remove(slot);
    await seen;
  }

  fault(rule: FaultRuleInput): void {
    this.sim.faults.inject(rule);
  }

  /** pcscd stops (as after a crash); `restartPcscd()` brings it back on the same vpcd ports. */
  async stopPcscd(): Promise<void> {
    await this.stack.pcscd?.stop();
  }

  async restartPcscd(): Promise<void> {
    if (this.stack.channelId === undefined) throw new Error('no pcscd in this rig');
    this.stack.pcscd = await startLinkedPcscd(this.stack.channelId);
  }

  text(): string {
    const v = this.panel.current();
    return v ? [...v.lines, ...(v.hint ? [v.hint] : []), ...v.buttons.map((b) => b.label)].join('\n') : '';
  }

  screen(): string {
    return this.panel.current()?.screenId ?? '';
  }

  async until(what: string | ((text: string) => boolean), timeoutMs = 15_000): Promise<void> {
    const match = typeof what === 'string' ? (t: string) => t.includes(what) : what;
    await waitFor(() => match(this.text()), {
      what: typeof what === 'string' ? what : 'a screen',
      timeoutMs,
      intervalMs: 5,
      describe: () => `on screen:\n${this.text()}`,
    });
  }

  /** Press a button on screen by its id (`BUTTON`, src/session/screen.ts) or, as a person would, by its label. */
  press(idOrLabel: string): void {
    this.panel.press(idOrLabel);
  }

  pin(digits: string): void {
    for (const d of digits) this.panel.typeDigit(d);
  }

  /** The simulator's own reception record (SPEC §7). */
  receptions(): ReceptionEntry[] {
    return this.sim.receptions.list(0).entries;
  }

  async stop(): Promise<void> {
    await this.service.stop();
    await this.stack.metrics?.close();
    await this.driver.stop();
    await this.stack.sockets?.card.stop();
    await this.stack.sockets?.smartphone.stop();
    await this.stack.pcscd?.stop();
    await this.stack.reader?.stop();
    await this.sim.stop();
  }
}


/** Presses through whatever consent screens the flow shows, agreeing to all, until done. */
export async function consentAll(rig: ReceptionRig): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await rig.until((t) => t.includes(ja.doneComplete) || t.includes(ja.buttonAgreeAll) || t.includes(ja.buttonReselect) || t.includes(ja.buttonNext));
    const t = rig.text();
    if (t.includes(ja.doneComplete)) return;
    const screen = rig.screen();
    if (screen === 'consent-inherit') rig.press(BUTTON.consentReselect);
    else if (screen === 'consent-method') rig.press(BUTTON.consentAll);
    else rig.press(screen === 'referral' ? BUTTON.referralSubmit : BUTTON.noticeNext);
    await rig.until((now) => now !== t);
  }
  throw new Error(`consent screens did not end:\n${rig.text()}`);
}

