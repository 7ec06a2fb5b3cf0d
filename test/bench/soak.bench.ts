/**
 * `{"bench":"soak",...}` (issue 11 item 8): memory over many sessions of the reader service in one
 * process — the real engine, adapters, card client, emulated cards, backend client and simulator
 * over mutual TLS, and the real face path (face worker, card-face OCR, card-face AP) — on the
 * in-process virtual reader. Methods rotate: PIN, staff visual check, Android, iPhone, and every
 * `FCR_SOAK_FACE_EVERY`-th session face authentication.
 *
 * Figures: RSS and JS heap after the warm-up and at the end (both after a full GC), the RSS growth
 * in % of the warm-up figure (goal ≤ 5 % over 10,000 sessions), sessions per method.
 *
 * Env: `FCR_SOAK_SESSIONS` (default 10000), `FCR_SOAK_WARMUP` (default 500),
 * `FCR_SOAK_FACE_EVERY` (default 10; 0 = no face sessions). The device's unit sets
 * `MALLOC_ARENA_MAX=2`; `MALLOC_ARENA_MAX=2 npm run bench -- soak` measures the same allocator.
 * 10,000 sessions take well over an hour on 2 shared cores: set `FCR_SOAK_SESSIONS` lower for a
 * quick figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import sharp from 'sharp';
import { BackendClient } from '../../src/backend/client';
import { readBackendRigFiles } from '../../rig/backend-simulator/rig-files';
import { defaultRigConfig } from '../../rig/rig-config';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { SimulatedCamera, type FrameImage } from '../../rig/devices/simulated-camera';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { SimulatedGpioChip } from '../../rig/devices/simulated-gpio';
import { createFullPersonaCard } from '../../rig/emulator/full-persona-card';
import { degradeCardImage, renderCardFace } from '../../rig/emulator/card-face';
import { silentLogger } from '../../src/log/logger';
import { findPersona, type PersonaName } from '../../rig/personas/catalogue';
import { defaultRigDir, loadRigCredentials } from '../../rig/personas/credentials';
import { rigCameraSource } from '../../rig/personas/face-images';
import { WorkerFaceVerifier } from '../../src/face/verifier';
import { CardFaceReader } from '../../src/card-face/ocr';
import { rigCardFaceTrustAnchors } from '../../rig/personas/card-face-credentials';
import { FaceAdapter } from '../../src/service/adapters/face-adapter';
import { assembleReaderService } from '../../src/service/assemble';
import { HeadlessPanel } from '../../src/ui/panel/panel-driver';
import { ja } from '../../src/ui/text/ja';

type Method = 'pin' | 'visual' | 'android' | 'iphone' | 'face';

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** A full GC without `--expose-gc` on the command line (npm run bench runs plain node). */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function texts(panel: HeadlessPanel): string[] {
  const v = panel.current();
  return v ? [...v.lines, ...v.buttons.map((b) => b.label)] : [];
}

function shows(panel: HeadlessPanel, text: string): boolean {
  return texts(panel).some((l) => l.includes(text));
}

async function until(panel: HeadlessPanel, ok: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what} (on screen: ${panel.current()?.screenId}: ${texts(panel).join(' / ')})`);
}

const waitText = (panel: HeadlessPanel, text: string) => until(panel, () => shows(panel, text), text);

/** Consent screens through to 確認が完了しました (inherit, or all, and the referral pages). */
async function consentThrough(panel: HeadlessPanel): Promise<void> {
  // Generous: a face attempt on a loaded machine can take many seconds before consent starts.
  const end = Date.now() + 90_000;
  while (Date.now() < end) {
    if (shows(panel, ja.doneComplete)) return;
    if (shows(panel, ja.buttonInherit)) panel.press(ja.buttonInherit);
    else if (shows(panel, ja.buttonAgreeAll)) panel.press(ja.buttonAgreeAll);
    else if (shows(panel, ja.buttonNextPage)) panel.press(ja.buttonNextPage);
    else if (shows(panel, ja.buttonNext)) panel.press(ja.buttonNext);
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`no done screen (on screen: ${panel.current()?.screenId}: ${texts(panel).join(' / ')})`);
}

async function startSimulatorProcess(rigDir: string, facilityCode: string): Promise<ChildProcess> {
  const fcr = join(__dirname, '../../bin/fcr.js');
  const child = spawn(process.execPath, ['--import', 'tsx', fcr, 'backend-sim', '--facility', facilityCode, '--log-level', 'silent'], {
    env: { ...process.env, FCR_RIG_DIR: rigDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Never orphaned: `npm run bench` ends with process.exit(), which still runs 'exit' handlers.
  process.once('exit', () => child.kill('SIGTERM'));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.includes('"listening"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`fcr backend-sim exited (${code})`)));
  });
  return child;
}

export async function run(): Promise<void> {
  const sessions = envInt('FCR_SOAK_SESSIONS', 10_000);
  const warmup = Math.min(envInt('FCR_SOAK_WARMUP', 500), Math.max(0, sessions - 1));
  const faceEvery = envInt('FCR_SOAK_FACE_EVERY', 10);
  const gc = gcFunction();
  // As on the device (CardFaceReader.start() turns it off): the rig side of this process renders
  // every card's face with sharp, and libvips' cache would count as the reader's growth.
  sharp.cache(false);

  const credentials = await loadRigCredentials();
  // The done screen of a smartphone session waits out its timer even after the phone is gone
  // (issue 11 item 6); a short one keeps the soak about sessions, not about waiting.
  const rigConfig = defaultRigConfig();
  const config = { ...rigConfig, timeouts: { ...rigConfig.timeouts, doneMs: 1000 } };
  // The backend simulator runs in its own process (`fcr backend-sim`): its reception record grows
  // with every session as a real backend's does, and that is not the reader's memory.
  const simDir = mkdtempSync(join(tmpdir(), 'fcr-soak-'));
  // Same test keys as this process (the personas' cards must be known to the simulator), but its
  // own backend/ folder, so a rig running beside the bench keeps its own.
  symlinkSync(join(defaultRigDir(), 'credentials'), join(simDir, 'credentials'));
  const sim = await startSimulatorProcess(simDir, config.facility.code);
  const clientConfig = await readBackendRigFiles(join(simDir, 'backend'));
  const backend = new BackendClient({ ...clientConfig, timeoutMs: 5000 });
  const driver = new SimulatedCardReaderDriver();
  await driver.start();
  const panel = new HeadlessPanel();
  const indicators = new GpioIndicators(loadPinMap(join(__dirname, '../../hardware/pin-map.json')), new SimulatedGpioChip().lineFactory);

  const faceOn = faceEvery > 0;
  const verifier = faceOn ? await WorkerFaceVerifier.create({ logger: silentLogger }) : undefined;
  const reader = new CardFaceReader();
  if (faceOn) await reader.start();
  const anchors = faceOn ? await rigCardFaceTrustAnchors() : [];
  const facePersona: PersonaName = 'valid';
  const still = await sharp(rigCameraSource('genuine', facePersona).path).removeAlpha().resize(640, 480, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
  const frame: FrameImage = { width: still.info.width, height: still.info.height, rgb: new Uint8Array(still.data) };
  const cardFacePng = await renderCardFace(findPersona(facePersona)!);

  const { service } = assembleReaderService({
    createResultFolder: true,
    config,
    cardDriver: driver,
    backend,
    deviceKeyPem: clientConfig.keyPem,
    deviceId: clientConfig.deviceId,
    face: (sessions) =>
      new FaceAdapter({
        cardDriver: driver,
        sessions,
        verifier: verifier!,
        cardFaceReader: reader,
        trustAnchors: anchors,
        rigMode: true,
        attemptMs: 8000,
        log: silentLogger,
        camera: () => new SimulatedCamera([frame], 10),
        cardFaceImage: () => degradeCardImage(cardFacePng, { tiltDeg: 1.5, blur: 0.6, noise: 3, seed: 7 }),
      }),
    cardFaceAvailable: (slot) => faceOn && slot === 'card',
    panel,
    indicators,
    log: silentLogger,
  });
  service.start();

  const methodOf = (i: number): Method => {
    if (faceOn && i % faceEvery === faceEvery - 1) return 'face';
    return (['pin', 'visual', 'android', 'iphone'] as const)[i % 4]!;
  };
  const byMethod: Record<string, number> = {};
  const memory = () => {
    gc();
    const m = process.memoryUsage();
    return { rssMB: +(m.rss / 2 ** 20).toFixed(1), heapMB: +(m.heapUsed / 2 ** 20).toFixed(1), externalMB: +(m.external / 2 ** 20).toFixed(1), arrayBuffersMB: +(m.arrayBuffers / 2 ** 20).toFixed(1) };
  };
  const trace = process.env.FCR_SOAK_TRACE === '1';

  let atWarmup = memory();
  let atEnd = atWarmup;
  let peakRssMB = 0;
  const t0 = performance.now();
  let done = 0;
  try {
    for (let i = 0; i < sessions; i++) {
      if (i === warmup) atWarmup = memory();
      if (i > warmup && i % 100 === 0) {
        // RSS after a GC moves by several MB as the allocator returns pages or not: the peak of
        // these samples is reported beside the end figure.
        const m = memory();
        peakRssMB = Math.max(peakRssMB, m.rssMB);
        if (trace) console.error(JSON.stringify({ i, ...m }));
      }
      const method = methodOf(i);
      const ts = performance.now();
      await oneSession(method);
      if (trace && performance.now() - ts > 5000) console.error(`slow ${method} ${Math.round(performance.now() - ts)} ms`);
      byMethod[method] = (byMethod[method] ?? 0) + 1;
      done++;
    }
    atEnd = memory();
  } finally {
    await service.stop();
    await driver.stop();
    await verifier?.close();
    await reader.stop();
    sim.kill('SIGTERM');
    await new Promise((r) => sim.once('exit', r));
    rmSync(simDir, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify({
      bench: 'soak',
      reader: 'in-process',
      mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
      sessions: done,
      warmupSessions: warmup,
      byMethod,
      seconds: Math.round((performance.now() - t0) / 1000),
      afterWarmup: atWarmup,
      atEnd,
      rssGrowthPct: +((100 * (atEnd.rssMB - atWarmup.rssMB)) / atWarmup.rssMB).toFixed(2),
      peakRssAfterWarmupMB: Math.max(peakRssMB, atEnd.rssMB),
      peakRssGrowthPct: +((100 * (Math.max(peakRssMB, atEnd.rssMB) - atWarmup.rssMB)) / atWarmup.rssMB).toFixed(2),
      goal: 'rssGrowthPct <= 5 over 10000 sessions after warm-up',
    }),
  );

  async function oneSession(method: Method): Promise<void> {
    await waitText(panel, ja.idlePlaceCard);
    switch (method) {
      case 'pin':
      case 'face': {
        driver.insert('card', await createFullPersonaCard({ persona: method === 'face' ? facePersona : 'valid', credentials }));
        await waitText(panel, ja.methodQuestion);
        if (method === 'pin') {
          panel.press(ja.buttonPin);
          for (const d of '1234') panel.typeDigit(d);
        } else {
          panel.press(ja.buttonFace);
        }
        await consentThrough(panel);
        driver.remove('card');
        break;
      }
      case 'visual': {
        panel.press(ja.buttonStaff);
        await waitText(panel, ja.staffPasscodePrompt);
        for (const d of '1234') panel.typeDigit(d);
        await waitText(panel, ja.buttonVisualCheck);
        panel.press(ja.buttonVisualCheck);
        await waitText(panel, ja.idlePlaceCard);
        driver.insert('card', await createFullPersonaCard({ persona: 'expiring-soon', credentials }));
        await consentThrough(panel);
        driver.remove('card');
        break;
      }
      case 'android':
      case 'iphone': {
        panel.press(ja.buttonPhone);
        await waitText(panel, ja.phoneKindPrompt);
        if (method === 'android') {
          panel.press(ja.buttonAndroid);
          await waitText(panel, ja.pinPrompt);
          for (const d of '1234') panel.typeDigit(d);
          await waitText(panel, ja.phoneHoldAndroid);
        } else {
          panel.press(ja.buttonIphone);
          await waitText(panel, ja.phoneHoldIphone);
        }
        driver.insert('smartphone', await createFullPersonaCard({ persona: method, credentials }));
        await consentThrough(panel);
        driver.remove('smartphone');
        break;
      }
    }
  }
}

if (require.main === module) void run().then(() => process.exit());
