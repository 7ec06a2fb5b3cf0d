/**
 * `fcr rig start` (what `npm start` runs): the whole simulated rig and the reader service on
 * this machine (issue 4 §3).
 *
 * - a private `pcscd` with the vpcd driver when pcscd is installed (tests and demo never touch a
 *   system pcscd), and the card emulator on its two slots; without pcscd, an in-process virtual
 *   reader, and the panel says so in the log;
 * - the eligibility backend simulator (in-process, mutual TLS on loopback) and the real client;
 * - GPIO on a simulated chip; the panel drawn with blessed in this terminal (or headless);
 * - the rig control socket for `fcr rig insert|remove|tap|pin|face|staff|screen|receptions`.
 */
import { existsSync, mkdirSync, readFileSync, createWriteStream, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger, logLevelsFromEnv, type Logger } from '../../src/log/logger';
import { ConfigError, type FacilityConfig } from '../../src/config';
import { defaultRigConfig } from '../rig-config';
import { defaultRigDir, loadRigCredentials } from '../personas/credentials';
import { findPersona, personaNames, type PersonaName } from '../personas/catalogue';
import { startPcscd, VPCD_LIBRARY, type PcscdInstance } from './pcscd-process';
import { startCardEmulator, type VpcdCardSocket } from '../emulator';
import { createFullPersonaCard } from '../emulator/full-persona-card';
import type { CardReaderDriver, ReaderSlot } from '../../src/devices/card-reader/card-reader-driver';
import { SimulatedCardReaderDriver } from '../devices/simulated-card-reader';
import { PcscliteCardReaderDriver } from '../../src/devices/card-reader/pcsclite-driver';
import { BackendSimulator } from '../backend-simulator/server';
import { parseFaultSpec } from '../backend-simulator/faults';
import { BackendClient } from '../../src/backend/client';
import { composeReader } from '../../src/service/compose-reader';
import { rigCardFaceTrustAnchors } from '../personas/card-face-credentials';
import { FfmpegCamera } from '../../src/devices/camera';
import { flashFramePaths, hasFlashFrames, hasTurnFrames, isFlashKind, isTurnKind, rigCameraSource, turnFramePaths, type RigFaceKind } from '../personas/face-images';
import { TurningCamera } from '../devices/turning-camera';
import { loadLitSubject, PanelLitCamera, type LitSubject } from '../devices/panel-lit-camera';
import { decodeCameraFrames } from '../devices/camera-frames';
import { degradeCardImage, renderCardFace } from '../emulator/card-face';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { SimulatedGpioChip } from '../devices/simulated-gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { HeadlessPanel, type PanelDriver } from '../../src/ui/panel/panel-driver';
import { BlessedPanel } from '../../src/ui/panel/blessed-panel';
import { panelText } from '../../src/ui/panel/panel-layout';
import { ja } from '../../src/ui/text/ja';
import { renderStaffGuidance } from '../../src/ui/text/staff-guidance';
import { rigControlSocketPath, startRigControlServer } from './control-server';
import { SimulatedTouchController } from '../../src/devices/touch/touch-controller';
import { encodeTouchReport } from '../../src/devices/touch/touch-report';
import { startPtyPair } from './pty-pair';
import { RigCommandError, type RigActions } from './control-protocol';
import { parseRigStartArgs } from './rig-args';

const repoRoot = resolve(__dirname, '..', '..');

/** The rig's facility configuration: the built-in rig defaults, with a JSON file's overrides. */
function rigConfig(file: string | undefined): FacilityConfig {
  if (!file) return defaultRigConfig();
  let overrides: unknown;
  try {
    overrides = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, [{ path: '(file)', message: (e as Error).message }]);
  }
  return defaultRigConfig(overrides as Parameters<typeof defaultRigConfig>[0]);
}

function pcscdUsable(): boolean {
  return existsSync('/usr/sbin/pcscd') && existsSync(VPCD_LIBRARY) && existsSync('/usr/bin/systemd-socket-activate');
}

/** The rig face camera's rate (frames a second). */
const RIG_CAMERA_FPS = 10;

interface CardSlots {
  driver: CardReaderDriver;
  /** `mute`: a card whose chip never answers reset (the emulator's `noActivation` fault). */
  insert(slot: ReaderSlot, persona: string, mute?: boolean): Promise<void>;
  remove(slot: ReaderSlot): Promise<void>;
  stop(): Promise<void>;
  description: string;
}

async function startCardSlots(usePcscd: boolean, log: Logger): Promise<CardSlots> {
  const credentials = await loadRigCredentials();
  const makeCard = (persona: string, mute = false) =>
    createFullPersonaCard({ persona: persona as never, credentials, ...(mute ? { faults: { noActivation: true } } : {}) });
  if (usePcscd && pcscdUsable()) {
    let pcscd: PcscdInstance | undefined;
    try {
      pcscd = await startPcscd();
      process.env.PCSCLITE_CSOCK_NAME = pcscd.socketPath;
      const sockets: Record<ReaderSlot, VpcdCardSocket> = {
        card: await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null, logger: log.child('vpcd0') }),
        smartphone: await startCardEmulator({ port: pcscd.vpcdPorts[1], card: null, logger: log.child('vpcd1') }),
      };
      const driver = new PcscliteCardReaderDriver({ log: log.child('pcsc') });
      const instance = pcscd;
      return {
        driver,
        description: `pcscd (pid ${instance.pid}) with vpcd slots on TCP ${instance.vpcdPorts.join('/')}`,
        insert: async (slot, persona, mute) => sockets[slot].insert(await makeCard(persona, mute)),
        remove: (slot) => sockets[slot].remove(),
        stop: async () => {
          await driver.stop();
          await sockets.card.stop();
          await sockets.smartphone.stop();
          await instance.stop();
        },
      };
    } catch (e) {
      log.warn(`pcscd could not be started (${(e as Error).message}); using the in-process virtual reader`);
      await pcscd?.stop();
    }
  }
  const driver = new SimulatedCardReaderDriver({ log: log.child('simreader') });
  return {
    driver,
    description: 'in-process virtual reader (no pcscd)',
    insert: async (slot, persona, mute) => driver.insert(slot, await makeCard(persona, mute)),
    remove: async (slot) => driver.remove(slot),
    stop: () => driver.stop(),
  };
}

export async function runRig(argv: string[]): Promise<number> {
  const args = parseRigStartArgs(argv);
  if (typeof args === 'number') return args;
  const rigDir = defaultRigDir();
  mkdirSync(rigDir, { recursive: true });
  const interactive = !args.headless && process.stdout.isTTY === true;
  // With the panel in this terminal, logs go to a file beside it (redacted, no personal data).
  const logSink = interactive ? createWriteStream(join(rigDir, 'rig.log'), { flags: 'a' }) : process.stderr;
  const { problem: levelProblem, ...levels } = logLevelsFromEnv();
  const log = createLogger('fcr', { ...levels, sink: { write: (l) => logSink.write(l + '\n') }, format: process.env.FCR_LOG_FORMAT === 'json' ? 'json' : 'pretty' });
  if (levelProblem) log.warn(`FCR_LOG_LEVEL ignored: ${levelProblem.message}`, { event: 'log-level-invalid' });

  if (interactive) process.stdout.write('Starting the simulated rig (the first start generates the rig\'s test keys)…\n');
  const config = rigConfig(args.configFile);
  const slots = await startCardSlots(args.pcscd, log);
  log.info(`card readers: ${slots.description}`);

  const sim = await BackendSimulator.start({ facilityCode: config.facility.code, logger: log.child('backend-sim') });
  const clientConfig = sim.clientConfig('device');
  let currentPersona: PersonaName | undefined;
  let cameraKind: RigFaceKind | 'broken' = 'genuine';
  /** The face camera while it runs: `fcr rig face turn-…` turns the head inside it (issue 14). */
  let faceCamera: TurningCamera | undefined;
  /** `fcr rig face flash-…`: the subject under the three lights; the camera answers the panel's colour (issue 14). */
  let flashSubject: LitSubject | undefined;

  const chip = new SimulatedGpioChip();
  let lastBeep = 'none';
  const pins = loadPinMap(join(repoRoot, 'hardware', 'pin-map.json'));

  // The board's UART: a socat pty pair; a technician opens `.rig/console/console-technician`.
  const consoleDir = join(rigDir, 'console');
  rmSync(consoleDir, { recursive: true, force: true });
  mkdirSync(consoleDir, { recursive: true });
  const pty = await startPtyPair(consoleDir).catch((e: unknown) => {
    log.warn(`technician console unavailable: ${(e as Error).message}`);
    return undefined;
  });

  /** The reader's panel, for the camera that sees its light (set once the reader is composed; the camera starts later). */
  let readerPanel: PanelDriver | undefined;

  let quit: () => void = () => undefined;
  const quitting = new Promise<void>((r) => (quit = r));
  // The device's composition root with the rig's parts (src/service/compose-reader.ts): the same
  // face path, service wiring, state store and console as `fcr service run`.
  const reader = await composeReader({
    config,
    log,
    cardDriver: () => slots.driver,
    backend: () => ({ client: new BackendClient({ ...clientConfig, logger: log.child('backend'), timeoutMs: 5000 }), deviceKeyPem: clientConfig.keyPem, deviceId: clientConfig.deviceId }),
    indicators: () => {
      // The chip keeps levels; the buzzer's pattern is remembered here for `fcr rig leds` (issue 16).
      const gpio = new GpioIndicators(pins, chip.lineFactory);
      return {
        setLeds: (p) => gpio.setLeds(p),
        beep: (p) => {
          lastBeep = p;
          gpio.beep(p);
        },
        onInput: (l) => gpio.onInput(l),
        close: () => gpio.close(),
      };
    },
    panel: ({ metricsUrl }) =>
      interactive
        ? new BlessedPanel({
            countdownLabel: ja.countdown,
            onQuit: () => quit(),
            footer: `rig (${slots.description})${metricsUrl ? ` · metrics ${metricsUrl}` : ''} · in another terminal: npx fcr rig insert valid · keys a,b,c… press buttons, digits type · Ctrl-C quits · log .rig/rig.log`,
          })
        : new HeadlessPanel(),
    // The rig's StateDirectory: the lockout and SPEC §9 counters survive a rig restart as on the device.
    stateDirectory: config.stateDirectory ?? join(rigDir, 'state'),
    createResultFolder: true,
    ...(pty ? { console: { path: pty.deviceEnd } } : {}),
    face:
      process.env.FCR_RIG_FACE === 'off'
        ? { off: 'FCR_RIG_FACE=off' }
        : {
            trustAnchors: await rigCardFaceTrustAnchors(),
            rigMode: true, // the rig's cards are signed by its test anchor
            // The rig's camera plays the face the tester chose (`fcr rig face …`) for the persona on the reader.
            camera: () => {
              // `broken`: ffmpeg has nothing to read, fails, is restarted, and the flow hears camera-failed.
              if (cameraKind === 'broken') return new FfmpegCamera({ input: { kind: 'video', path: join(rigDir, 'no-such-camera') }, width: 320, height: 240, fps: 5, maxRestarts: 1, backoff: { baseMs: 100, capMs: 200 }, logger: log.child('camera') });
              const src = rigCameraSource(cameraKind, currentPersona ?? 'valid');
              const base = new FfmpegCamera({ input: { kind: src.kind, path: src.path }, width: config.face.camera.width, height: config.face.camera.height, fps: RIG_CAMERA_FPS, logger: log.child('camera') });
              faceCamera = new TurningCamera(base, RIG_CAMERA_FPS);
              // The panel beside the camera lights the subject: the frame shows what the panel shows now.
              return new PanelLitCamera(faceCamera, () => readerPanel?.current()?.fill, flashSubject);
            },
            // The rig's tray camera: the persona's printed card face, lightly degraded as a real camera would.
            cardFaceImage: async () => {
              const persona = currentPersona ? findPersona(currentPersona) : undefined;
              if (!persona || persona.carrier !== 'card') return undefined;
              return degradeCardImage(await renderCardFace(persona), { tiltDeg: 1.5, blur: 0.6, noise: 3, seed: 7 });
            },
          },
  });
  const { service, panel } = reader;
  readerPanel = panel;

  // The touch controller: on the rig its HID reports are injected by `fcr rig touch`, then parsed,
  // calibrated and hit-tested exactly as the device's digitizer reports are.
  const rigTouchCalibration = { reportId: 1, minX: 0, maxX: 4095, minY: 0, maxY: 4095 };
  const touch = new SimulatedTouchController(rigTouchCalibration, () => panel.size(), log.child('touch'));
  touch.onTap(({ x, y }) => panel.touchCell(x, y));

  const pressOrFail = (label: string): void => {
    if (!panel.press(label)) {
      const on = panel.current()?.buttons.map((b) => `「${b.label}」`).join(' ') ?? '';
      throw new RigCommandError(`no button 「${label}」 on the screen (buttons: ${on})`);
    }
  };
  const actions: RigActions = {
    insert: async (name, mute) => {
      const persona = findPersona(name);
      if (!persona) throw new RigCommandError(`no persona ${name}; personas: ${personaNames().join(', ')}`);
      currentPersona = persona.name;
      await slots.insert(persona.slot === 1 ? 'smartphone' : 'card', name, mute === true);
    },
    remove: async () => {
      await slots.remove('card');
      await slots.remove('smartphone');
    },
    phone: (kind) => slots.insert('smartphone', kind),
    tap: async (label) => pressOrFail(label),
    touch: async (col, row) => {
      const { cols, rows } = panel.size();
      if (col >= cols || row >= rows) throw new RigCommandError(`cell ${col},${row} is outside the ${cols}×${rows} panel`);
      const x = Math.round(((col + 0.5) / cols) * 4095);
      const y = Math.round(((row + 0.5) / rows) * 4095);
      touch.inject(encodeTouchReport(1, true, x, y));
      touch.inject(encodeTouchReport(1, false, x, y));
      await service.settle();
    },
    pin: async (digits) => {
      for (const d of digits) panel.typeDigit(d);
    },
    face: async (kind) => {
      if (!reader.faceAvailable) throw new RigCommandError('the face path is unavailable on this rig (see the log)');
      const persona = currentPersona ?? 'valid';
      if ((kind === 'print' || isTurnKind(kind)) && !hasTurnFrames(kind, persona)) throw new RigCommandError(`no rendered ${kind} for persona ${persona} (test/face/spoofs/make-rig-turns.ts renders them)`);
      if (isFlashKind(kind) && !hasFlashFrames(kind, persona)) throw new RigCommandError(`no rendered ${kind} for persona ${persona} (test/face/spoofs/make-rig-flash.ts renders them)`);
      // A turn happens in front of the running camera, as a patient turns: the attempt that asked
      // for it keeps reading the same camera. Anything else changes what the camera shows.
      const turnInPlace = isTurnKind(kind) && faceCamera?.running === true;
      cameraKind = kind;
      flashSubject = isFlashKind(kind) ? await loadLitSubject(flashFramePaths(kind, persona), config.face.camera.width, config.face.camera.height) : undefined;
      if (turnInPlace && isTurnKind(kind)) await faceCamera!.play(await decodeCameraFrames(turnFramePaths(kind, persona), config.face.camera.width, config.face.camera.height));
      else await service.faceCameraChanged();
    },
    staff: async (passcode) => {
      // The staff button on the device's case (GPIO, active low), then the passcode on the pad.
      chip.setInput(pins.staffButton, 0);
      chip.setInput(pins.staffButton, 1);
      await service.settle();
      for (const d of passcode) panel.typeDigit(d);
    },
    screen: async () => {
      const view = panel.current();
      return view ? panelText(view, ja.countdown) : '';
    },
    receptions: async () => sim.receptions.list(0),
    guidance: async () => {
      const g = service.guidance();
      return g ? renderStaffGuidance(g) : [];
    },
    visualMode: async (on) => {
      service.setTerminalVisualMode(on);
      await service.settle();
    },
    visualConfirm: async () => {
      service.terminalVisualConfirmed();
      await service.settle();
    },
    notices: async (clear) => {
      const calls = service.staffCalls();
      if (clear) service.clearStaffCalls();
      return { staffCalls: calls, ...(clear ? { cleared: calls.length } : {}) };
    },
    leds: async () => {
      await service.settle();
      const level = (pin: number): 0 | 1 => chip.levels.get(pin) ?? 0;
      return { green: level(pins.ledGreen), amber: level(pins.ledAmber), red: level(pins.ledRed), buzzer: lastBeep };
    },
    presence: async (on) => {
      // Active high, as GpioIndicators reads it (src/devices/gpio/gpio.ts).
      chip.setInput(pins.presenceSensor, on ? 1 : 0);
      await service.settle();
    },
    backend: async (spec) => {
      if (spec === 'clear') return sim.faults.clear();
      try {
        sim.faults.inject(parseFaultSpec(spec));
      } catch (e) {
        throw new RigCommandError((e as Error).message);
      }
    },
  };
  const control = await startRigControlServer(rigControlSocketPath(rigDir), actions, log.child('rig'));
  reader.defer('rig control socket', () => control.close());
  if (pty) log.info(`technician console on ${pty.technicianEnd}`);
  log.info('rig ready');
  if (!interactive) process.stdout.write(`rig ready: control socket ${control.path}${reader.metricsUrl ? `, metrics ${reader.metricsUrl}` : ''}\n`);

  process.once('SIGINT', () => quit());
  process.once('SIGTERM', () => quit());
  // The terminal (or tmux) closing: shut the rig down cleanly, pcscd included.
  process.once('SIGHUP', () => quit());
  await quitting;
  log.info('rig stopping');
  // The reader's parts in reverse order, each guarded (control socket and touch first, deferred
  // last), then what the rig put around it: the console pty, the card slots and pcscd, the simulator.
  await reader.stop();
  await pty?.stop();
  await slots.stop();
  await sim.stop();
  return 0;
}
