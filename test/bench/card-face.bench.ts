/**
 * `{"bench":"card-face",...}` (issue 7 §3), each figure the median of several runs:
 * - `scan`: card faces of the three designs drawn by the independent generator
 *   (`test/card-face/independent-faces.ts`) → 照合番号B digits, the engines warm (PaddleOCR's two
 *   ONNX Runtime sessions, tesseract's Japanese and digits workers), and their start-up time
 *   (`workerStartMs`); then the rig persona's own face (its digits open the emulated card);
 * - `unlock-to-photo`: "照合番号B verified → photo decoded and authenticated" on the real stack
 *   (pcsclite → private pcscd → vpcd → emulated card): APDUs, bytes and ms, plus the same through
 *   an in-process channel (the product's own time, without the ~43 ms per APDU of vpcd).
 */
import { ApduLink } from '../../src/iso7816';
import { PcscliteCardReaderDriver } from '../../src/devices/card-reader/pcsclite-driver';
import { EmulatedCard } from '../../rig/emulator/card';
import { createCardFaceApplications, degradeCardImage, renderCardFace } from '../../rig/emulator/card-face';
import { createPersonaCard, startCardEmulator } from '../../rig/emulator/index';
import { findPersona } from '../../rig/personas/catalogue';
import { loadRigCredentials } from '../../rig/personas/credentials';
import { CardFaceReader, CardFaceSession, type CardFaceScan } from '../../src/card-face';
import { rigCardFaceTrustAnchors } from '../../rig/personas/card-face-credentials';
import { randomChannelId, startLinkedPcscd, waitForCardEvent } from '../devices/pcsc-rig';
import { median } from './stats';
import { faceSample } from '../card-face/independent-faces';

const RUNS = 5;


export async function run(): Promise<void> {
  const persona = findPersona('valid');
  if (!persona) throw new Error('no valid persona');
  const reader = new CardFaceReader();
  const t0 = performance.now();
  await reader.start();
  const workerStartMs = Math.round(performance.now() - t0);
  const independent: CardFaceScan[] = [];
  for (let i = 0; i < 6; i++) independent.push(await reader.scan((await faceSample(i, { seed: 3, samples: 6, severity: 0.5 })).image));
  console.log(JSON.stringify({ bench: 'card-face', op: 'scan-independent-faces', engines: 'paddleocr-onnx+tesseract', runs: independent.length, ok: independent.filter((s) => s.ok).length, workerStartMs, medianMs: median(independent.map((s) => s.ms)) }));
  const image = await degradeCardImage(await renderCardFace(persona), { tiltDeg: 5, perspective: 0.04, blur: 0.8, noise: 5, jpegQuality: 75, seed: 3 });
  const scans: CardFaceScan[] = [];
  for (let i = 0; i < RUNS; i++) scans.push(await reader.scan(image));
  await reader.stop();
  const scan = scans[0];
  if (!scan?.ok) throw new Error(`bench scan not confident: ${scan?.reason}`);
  console.log(JSON.stringify({ bench: 'card-face', op: 'scan', runs: RUNS, ok: scans.every((s) => s.ok), workerStartMs, medianMs: median(scans.map((s) => s.ms)) }));

  const anchors = await rigCardFaceTrustAnchors();
  const options = { trustAnchors: anchors, rigMode: true };

  // In-process: the product's own time.
  const local: Array<{ ms: number; apdus: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const card = new EmulatedCard({ applications: await createCardFaceApplications('valid') });
    card.powerOn();
    const session = new CardFaceSession({ transmit: async (a) => card.transmit(a) }, options);
    const t = performance.now();
    const face = await session.unlockWithScan(scan);
    local.push({ ms: performance.now() - t, apdus: face.apdus });
    session.wipe();
  }

  // Real stack.
  const credentials = await loadRigCredentials();
  const pcscd = await startLinkedPcscd(randomChannelId());
  const socket = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null });
  const driver = new PcscliteCardReaderDriver();
  const rig: Array<{ ms: number; apdus: number; bytes: number }> = [];
  try {
    await driver.start();
    for (let i = 0; i < RUNS; i++) {
      const inserted = waitForCardEvent(driver, 'card-inserted', 'card', 15_000);
      await socket.insert(createPersonaCard({ persona: 'valid', credentials, extraApplications: await createCardFaceApplications('valid') }));
      await inserted;
      const t = performance.now();
      const r = await driver.transact(
        'card',
        async (ch) => {
          const link = new ApduLink(ch);
          const session = new CardFaceSession(link, options);
          const face = await session.unlockWithScan(scan);
          session.wipe();
          return { apdus: face.apdus, bytes: link.counters.bytesSent + link.counters.bytesReceived };
        },
        { exclusive: true },
      );
      rig.push({ ms: performance.now() - t, ...r });
      const removed = waitForCardEvent(driver, 'card-removed', 'card', 15_000);
      await socket.remove();
      await removed;
    }
  } finally {
    await driver.stop();
    await socket.stop();
    await pcscd.stop();
  }
  console.log(
    JSON.stringify({
      bench: 'card-face',
      op: 'unlock-to-photo',
      runs: RUNS,
      apdus: rig[0]?.apdus ?? 0,
      bytes: rig[0]?.bytes ?? 0,
      medianMs: median(rig.map((r) => r.ms)),
      inProcessMedianMs: median(local.map((r) => r.ms)),
    }),
  );
}
