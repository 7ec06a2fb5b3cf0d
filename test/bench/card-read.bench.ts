/**
 * `{"bench":"card-read",...}` (issue 2 §4): what a card read costs on the real stack (private
 * pcscd + vpcd + the emulator), each figure the median of several runs.
 *
 * - `card-placed-to-certificate`: from the emulated card connecting to vpcd to the certificate
 *   and PIN tries read: pcscd's insertion detection + one transaction.
 * - `pin-verify-and-signature`: VERIFY + COMPUTE DIGITAL SIGNATURE in one exclusive transaction.
 *
 * Each op also reports the same operation through the in-process simulated reader (no vpcd): the
 * product's own time, apart from the ~43 ms per APDU the vpcd transport costs (FACTS).
 */
import { randomBytes } from 'node:crypto';
import { ApduLink } from '../../src/iso7816';
import { readUserAuthCertificate, readUserAuthPinTriesLeft, signWithUserAuthKey, verifyUserAuthPin } from '../../src/card/jpki';
import type { CardReaderDriver, ReaderSlot } from '../../src/devices/card-reader/card-reader-driver';
import { PcscliteCardReaderDriver } from '../../src/devices/card-reader/pcsclite-driver';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { createPersonaCard, startCardEmulator } from '../../rig/emulator/index';
import { loadRigCredentials, type RigCredentials } from '../../rig/personas/credentials';
import { randomChannelId, startLinkedPcscd, waitForCardEvent } from '../devices/pcsc-rig';
import { median } from './stats';

const RUNS = 7;


interface OpResult {
  ms: number;
  apdus: number;
  bytes: number;
}

async function readOnce(driver: CardReaderDriver, slot: ReaderSlot): Promise<OpResult> {
  const t0 = performance.now();
  const link = await driver.transact(slot, async (ch) => {
    const l = new ApduLink(ch);
    const cert = await readUserAuthCertificate(l);
    await readUserAuthPinTriesLeft(l);
    cert.der.fill(0);
    return l;
  });
  return { ms: performance.now() - t0, apdus: link.counters.apdus, bytes: link.counters.bytesSent + link.counters.bytesReceived };
}

async function proveOnce(driver: CardReaderDriver, slot: ReaderSlot): Promise<OpResult> {
  const challenge = randomBytes(32);
  const t0 = performance.now();
  const link = await driver.transact(
    slot,
    async (ch) => {
      const l = new ApduLink(ch);
      await verifyUserAuthPin(l, '1234');
      await signWithUserAuthKey(l, { data: challenge, hash: 'sha256' });
      return l;
    },
    { exclusive: true },
  );
  return { ms: performance.now() - t0, apdus: link.counters.apdus, bytes: link.counters.bytesSent + link.counters.bytesReceived };
}

async function inProcess(credentials: RigCredentials): Promise<{ read: OpResult[]; prove: OpResult[] }> {
  const driver = new SimulatedCardReaderDriver();
  await driver.start();
  const read: OpResult[] = [];
  const prove: OpResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    driver.insert('card', createPersonaCard({ persona: 'valid', credentials }));
    read.push(await readOnce(driver, 'card'));
    prove.push(await proveOnce(driver, 'card'));
  }
  await driver.stop();
  return { read, prove };
}

export async function run(): Promise<void> {
  const credentials = await loadRigCredentials();
  const pcscd = await startLinkedPcscd(randomChannelId());
  const socket = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null });
  const driver = new PcscliteCardReaderDriver();
  try {
    await driver.start();
    const placed: number[] = [];
    const detect: number[] = [];
    const reads: OpResult[] = [];
    const proofs: OpResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const inserted = waitForCardEvent(driver, 'card-inserted', 'card', 15_000);
      const t0 = performance.now();
      await socket.insert(createPersonaCard({ persona: 'valid', credentials }));
      await inserted;
      detect.push(performance.now() - t0);
      const r = await readOnce(driver, 'card');
      placed.push(performance.now() - t0);
      reads.push(r);
      proofs.push(await proveOnce(driver, 'card'));
      const removed = waitForCardEvent(driver, 'card-removed', 'card', 15_000);
      await socket.remove();
      await removed;
    }
    const local = await inProcess(credentials);
    const first = (xs: OpResult[]): OpResult => xs[0] ?? { ms: 0, apdus: 0, bytes: 0 };
    console.log(
      JSON.stringify({
        bench: 'card-read',
        op: 'card-placed-to-certificate',
        runs: RUNS,
        apdus: first(reads).apdus,
        bytes: first(reads).bytes,
        medianMs: median(placed),
        insertionDetectMedianMs: median(detect),
        transactionMedianMs: median(reads.map((r) => r.ms)),
        inProcessMedianMs: median(local.read.map((r) => r.ms)),
      }),
    );
    console.log(
      JSON.stringify({
        bench: 'card-read',
        op: 'pin-verify-and-signature',
        runs: RUNS,
        apdus: first(proofs).apdus,
        bytes: first(proofs).bytes,
        medianMs: median(proofs.map((r) => r.ms)),
        inProcessMedianMs: median(local.prove.map((r) => r.ms)),
      }),
    );
  } finally {
    await driver.stop();
    await socket.stop();
    await pcscd.stop();
  }
}
