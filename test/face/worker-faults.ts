/** Arming the faulty face worker (fixtures/faulty-worker.ts) from a test. */
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { withTimeout } from '../wait-for';

export const WORKER_FAULT_CHANNEL = 'fcr-test-face-worker-fault';
export type WorkerFault = 'crash' | 'hang';

/** For `WorkerFaceVerifier.create({ workerScript })`. */
export const faultyWorkerScript = join(__dirname, 'fixtures', 'faulty-worker.ts');

/** The running faulty worker will die (`crash`, exit 70) or spin forever (`hang`) on its next verify request. */
export async function armWorkerFault(fault: WorkerFault): Promise<void> {
  const channel = new BroadcastChannel(WORKER_FAULT_CHANNEL);
  try {
    const armed = new Promise<void>((resolve) => {
      channel.onmessage = (event) => {
        if ((event as { data: { armed?: WorkerFault } }).data.armed === fault) resolve();
      };
    });
    channel.postMessage(fault);
    await withTimeout(armed, { what: `the face worker to arm its ${fault} fault`, timeoutMs: 5000 });
  } finally {
    channel.close();
  }
}
