/**
 * FaceVerifier: what the reception flow uses for SPEC §3 step 4. The implementation runs the
 * models in a worker thread so the panel never freezes, and survives the worker dying: the
 * request in flight fails with FaceWorkerCrashedError (the flow counts it as a failed attempt)
 * and the next call starts a fresh worker. The card photo descriptor is kept here, in memory only,
 * and dropped on close() or on the next enrolCardPhoto() (card removed → new session).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../log/logger';
import { CardPhotoError, FaceWorkerCrashedError, InferenceBackendError, ModelIntegrityError, NetworkFetchRefusedError } from './errors';
import { decisionDefaultsFor, type DecisionConfig, type VerifyResult } from './decision';
import { descriptorOf, type BackendName, type FaceEngineOptions } from './engine';
import type { AnyImage } from './image';
import type { SerializedError, WorkerInit, WorkerReply, WorkerRequest } from './protocol';

export type { VerifyResult, VerifyOutcome, FaceHint, LivenessScores } from './decision';

export interface FaceVerifier {
  /** Descriptor of the card photo (greyscale, as decoded from the card). Throws CardPhotoError if it has no face. */
  enrolCardPhoto(img: AnyImage): Promise<void>;
  /** One decision for one frame; throws CardPhotoError('not-enrolled') before enrolment. */
  verify(frame: AnyImage): Promise<VerifyResult>;
  /** Ends the worker and forgets the card descriptor. Idempotent. */
  close(): Promise<void>;
}

export interface WorkerFaceVerifierOptions {
  engine?: FaceEngineOptions;
  decision?: Partial<DecisionConfig>;
  /** A request taking longer than this kills the worker (a stalled model counts as a crash). */
  requestTimeoutMs?: number;
  /**
   * Warm the models up in the worker once it has started (and after every restart), for frames of
   * the camera's size, so that the first patient's frames cost what the following ones do
   * (FaceEngine.warmUp, issue 14). Off unless asked; the device asks (`verifierOptions`).
   */
  warmUp?: { width: number; height: number };
  logger?: Logger;
  /**
   * The worker module to run (default: ./worker, the device's). Tests give a wrapper of it that
   * crashes or hangs on demand, so the device's worker carries no test branches.
   */
  workerScript?: string;
}

interface Pending {
  resolve(msg: WorkerReply): void;
  reject(err: Error): void;
  during: string;
  timer: NodeJS.Timeout;
}

interface Running {
  worker: Worker;
  ready: Promise<{ backend: BackendName; models: string[] }>;
}

function reviveError(e: SerializedError): Error {
  const f = e.fields;
  switch (e.name) {
    case 'ModelIntegrityError':
      return new ModelIntegrityError(String(f.file), f.reason as ModelIntegrityError['reason'], f.expected as string | undefined, f.actual as string | undefined);
    case 'CardPhotoError':
      return new CardPhotoError(f.reason as CardPhotoError['reason']);
    case 'InferenceBackendError':
      return new InferenceBackendError(String(f.backend ?? 'wasm'), new Error(e.message));
    case 'NetworkFetchRefusedError':
      return new NetworkFetchRefusedError(String(f.url));
    default: {
      const err = new Error(e.message);
      err.name = e.name;
      return err;
    }
  }
}

export class WorkerFaceVerifier implements FaceVerifier {
  private running: Running | undefined;
  private card: Float32Array | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private readonly config: DecisionConfig;
  private readonly log: Logger;
  /** Workers started so far (1 + restarts), for status output and tests. */
  workerStarts = 0;
  backend: BackendName | undefined;

  private constructor(private readonly opts: WorkerFaceVerifierOptions) {
    this.config = { ...decisionDefaultsFor(descriptorOf(opts.engine ?? {}), opts.engine?.faceCrop?.localContrast === true), ...opts.decision };
    this.log = (opts.logger ?? silentLogger).child('face');
  }

  /** Starts the worker and waits until its models are checked and loaded (start-up errors surface here). */
  static async create(opts: WorkerFaceVerifierOptions = {}): Promise<WorkerFaceVerifier> {
    const v = new WorkerFaceVerifier(opts);
    await v.ensureWorker();
    return v;
  }

  private spawn(): Running {
    // From TypeScript sources (tsx, as bin/fcr.js runs) the worker registers tsx's CommonJS hook
    // itself: `--import tsx` in execArgv does not reach worker threads on Node 20. Compiled, this
    // module is part of a bundle in dist/ and the worker is the bundle beside it
    // (esbuild.config.mjs: dist/face-worker.js). Tests may pass their own (faulty) worker script.
    const file = this.opts.workerScript ?? join(__dirname, existsSync(join(__dirname, 'worker.ts')) ? 'worker.ts' : 'face-worker.js');
    const ts = file.endsWith('.ts');
    const init: WorkerInit = { engine: this.opts.engine ?? {}, ...(this.opts.warmUp ? { warmUp: this.opts.warmUp } : {}) };
    const worker = ts
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, workerData: init })
      : new Worker(file, { workerData: init });
    this.workerStarts++;
    const ready = new Promise<{ backend: BackendName; models: string[] }>((resolve, reject) => {
      const onMessage = (msg: WorkerReply): void => {
        if (msg.type === 'ready') {
          this.backend = msg.backend;
          this.log.info(`worker ready: backend ${msg.backend}, models ${msg.models.join(', ')}`, { event: 'face-worker-ready', backend: msg.backend });
          resolve({ backend: msg.backend, models: msg.models });
        } else if (msg.type === 'init-failed') {
          reject(reviveError(msg.error));
          void worker.terminate();
        } else if ('id' in msg) {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          clearTimeout(p.timer);
          p.resolve(msg);
        }
      };
      worker.on('message', onMessage);
      worker.on('error', (err) => {
        this.log.error(`worker error: ${err.name}`);
        reject(err);
      });
      worker.on('exit', (code) => {
        if (this.running?.worker === worker) this.running = undefined;
        reject(new FaceWorkerCrashedError('start-up', code));
        this.failPending(code);
      });
    });
    ready.catch(() => undefined); // observed by callers through ensureWorker()
    return { worker, ready };
  }

  private failPending(code: number): void {
    if (!this.closed && this.pending.size > 0) this.log.warn(`worker exited (code ${code}) with ${this.pending.size} request(s) in flight; restarting on next use`, { event: 'face-worker-exited', exitCode: code, inFlight: this.pending.size });
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new FaceWorkerCrashedError(p.during, code));
    }
  }

  private async ensureWorker(): Promise<Running> {
    if (this.closed) throw new Error('FaceVerifier is closed');
    if (!this.running) this.running = this.spawn();
    const running = this.running;
    try {
      await running.ready;
    } catch (err) {
      if (this.running === running) this.running = undefined;
      throw err;
    }
    return running;
  }

  private async request(body: WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never, during: string): Promise<WorkerReply> {
    const { worker } = await this.ensureWorker();
    const id = this.nextId++;
    const timeoutMs = this.opts.requestTimeoutMs ?? 20_000;
    return new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.log.warn(`${during} took over ${timeoutMs} ms; killing the worker`);
        void worker.terminate(); // exit → failPending → FaceWorkerCrashedError
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, during, timer });
      worker.postMessage({ ...body, id });
    });
  }

  async enrolCardPhoto(img: AnyImage): Promise<void> {
    this.card = undefined;
    const reply = await this.request({ type: 'enrol', image: img }, 'card photo enrolment');
    if (reply.type === 'failed') throw reviveError(reply.error);
    if (reply.type !== 'enrolled') throw new Error(`unexpected reply ${reply.type}`);
    this.card = reply.embedding;
  }

  async verify(frame: AnyImage): Promise<VerifyResult> {
    const card = this.card;
    if (!card) throw new CardPhotoError('not-enrolled');
    const reply = await this.request({ type: 'verify', frame, card, config: this.config }, 'face verification');
    if (reply.type === 'failed') throw reviveError(reply.error);
    if (reply.type !== 'verified') throw new Error(`unexpected reply ${reply.type}`);
    this.log.debug(() => `verify: ${reply.result.outcome}${reply.result.hint ? ` (${reply.result.hint})` : ''}`);
    return reply.result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.card = undefined;
    const running = this.running;
    this.running = undefined;
    if (running) await running.worker.terminate();
    this.failPending(0);
  }
}
