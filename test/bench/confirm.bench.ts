/**
 * `{"bench":"confirm",...}` (issue 3 §4): machine time of `fcr confirm` end to end — a child
 * process, the persona card on a private pcscd's vpcd reader, the simulator over mutual TLS — at
 * 0 ms and 100 ms added backend latency, median of several runs. Two figures per latency:
 * `processMs` (wall time of the whole `fcr confirm` process, Node + tsx start included) and
 * `confirmMs` (the confirmation itself as `fcr confirm --json` measures it, split into card and
 * backend time; FACTS: each vpcd APDU round trip costs ~43 ms of transport).
 * A third line measures the same confirmation in-process on the simulated reader (no pcscd),
 * i.e. the product's own time without the vpcd transport.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BackendClient } from '../../src/backend/client';
import { confirmOnce } from '../../rig/confirm-once';
import { backendRigDir, writeBackendRigFiles } from '../../rig/backend-simulator/rig-files';
import { BackendSimulator } from '../../rig/backend-simulator/server';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { createPersonaCard, startCardEmulator } from '../../rig/emulator';
import { loadRigCredentials } from '../../rig/personas/credentials';
import { startPcscd } from '../../rig/runner/pcscd-process';
import { median } from './stats';

const run_ = promisify(execFile);
const RUNS = 5;
const LATENCIES = [0, 100];


export async function run(): Promise<void> {
  const repo = resolve(__dirname, '..', '..');
  const creds = await loadRigCredentials();
  const sim = await BackendSimulator.start({ credentials: creds });
  const rigDir = await mkdtemp(join(tmpdir(), 'fcr-bench-confirm-'));
  const pcscd = await startPcscd();
  const card = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: createPersonaCard({ persona: 'valid', credentials: creds }) });
  try {
    await writeBackendRigFiles(backendRigDir(rigDir), sim.pki, {
      baseUrl: sim.url,
      facilityCode: sim.facilityCode,
      deviceId: sim.pki.device.deviceId,
      pid: process.pid,
    });
    const env = { ...process.env, FCR_RIG_DIR: rigDir, PCSCLITE_CSOCK_NAME: pcscd.socketPath };
    for (const latencyMs of LATENCIES) {
      sim.faults.latencyMs = latencyMs;
      const processMs: number[] = [];
      const confirmMs: number[] = [];
      const cardMs: number[] = [];
      const backendMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const { stdout } = await run_(process.execPath, ['--import', 'tsx', join(repo, 'bin', 'fcr.js'), 'confirm', '--method', 'pin', '--pin', '1234', '--consent', 'all', '--json'], {
          cwd: repo,
          env,
        });
        processMs.push(performance.now() - t0);
        const out = JSON.parse(stdout) as { confirmation?: { status: string }; timing?: { totalMs: number; cardMs: number; backendMs: number }; error?: { name: string } };
        if (!out.timing || out.confirmation?.status !== 'qualified') throw new Error(`fcr confirm failed: ${out.error?.name ?? 'not qualified'}`);
        confirmMs.push(out.timing.totalMs);
        cardMs.push(out.timing.cardMs);
        backendMs.push(out.timing.backendMs);
      }
      console.log(
        JSON.stringify({
          bench: 'confirm',
          path: 'fcr confirm process, pcscd+vpcd card, simulator over mTLS',
          addedLatencyMs: latencyMs,
          runs: RUNS,
          medianProcessMs: median(processMs),
          medianConfirmMs: median(confirmMs),
          medianCardMs: median(cardMs),
          medianBackendMs: median(backendMs),
        }),
      );
    }
    // In-process: the same confirmation on the simulated reader, no vpcd transport.
    const driver = new SimulatedCardReaderDriver();
    await driver.start();
    driver.insert('card', createPersonaCard({ persona: 'valid', credentials: creds }));
    const backend = new BackendClient({ ...sim.clientConfig() });
    for (const latencyMs of LATENCIES) {
      sim.faults.latencyMs = latencyMs;
      const totals: number[] = [];
      for (let i = 0; i < RUNS * 2; i++) {
        const r = await confirmOnce({ driver, backend, method: 'pin', pin: '1234', consent: 'all' });
        totals.push(r.timing.totalMs);
      }
      console.log(
        JSON.stringify({ bench: 'confirm', path: 'in-process, simulated reader, simulator over mTLS', addedLatencyMs: latencyMs, runs: RUNS * 2, medianConfirmMs: median(totals) }),
      );
    }
    await driver.stop();
  } finally {
    await card.stop();
    await pcscd.stop();
    await sim.stop();
    await rm(rigDir, { recursive: true, force: true });
  }
}
