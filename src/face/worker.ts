/**
 * The inference worker thread (issue 5 §2: inference off the panel's event loop). Stateless
 * between requests: the card descriptor travels with every verify request, so a restarted worker
 * needs nothing from the dead one. No frame or descriptor is written anywhere. It has no test
 * branches: the tests of a crashing or hanging worker give the verifier a faulty worker script of
 * their own (`workerScript`, test/face/fixtures/faulty-worker.ts) that wraps this one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CardPhotoError } from './errors';
import { cardPhotoEmbedding, decideWithSecondLook } from './decision';
import { FaceEngine } from './engine';
import { toGrey } from './image';
import { serializeError, type WorkerInit, type WorkerReply, type WorkerRequest } from './protocol';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('face worker must run in a worker thread');

function reply(msg: WorkerReply): void {
  port?.postMessage(msg);
}

async function main(): Promise<void> {
  let engine: FaceEngine;
  try {
    engine = await FaceEngine.create(init.engine);
  } catch (err) {
    reply({ type: 'init-failed', error: serializeError(err) });
    return;
  }
  // One request at a time, in arrival order: the models are not re-entrant. The warm-up comes
  // first; 'ready' does not wait for it (the service starts as soon as the models are loaded), a
  // request arriving meanwhile does. A failed warm-up only means a slower first frame.
  const warm = init.warmUp;
  let queue: Promise<void> = warm ? engine.warmUp(warm.width, warm.height).catch(() => undefined) : Promise.resolve();
  port?.on('message', (req: WorkerRequest) => {
    queue = queue.then(() => handle(engine, req));
  });
  reply({ type: 'ready', backend: engine.backend, models: engine.models });
}

async function handle(engine: FaceEngine, req: WorkerRequest): Promise<void> {
  try {
    switch (req.type) {
      case 'enrol': {
        const embedding = cardPhotoEmbedding(await engine.analyse(req.image));
        if (embedding === 'no-face') throw new CardPhotoError('no-face');
        reply({ id: req.id, type: 'enrolled', embedding });
        return;
      }
      case 'verify': {
        // The globally equalised descriptor first; the CLAHE one only for a frame it did not
        // match (decideWithSecondLook: the same outcome as both at once, one FaceRes run less).
        const analysis = await engine.analyse(req.frame, { preparations: 'global' });
        const result = await decideWithSecondLook(analysis, toGrey(req.frame), req.card, req.config, (face) => engine.describeLocalContrast(req.frame, face.box));
        // The head-turn challenge (face-attempt.ts) follows the main face's landmarks on every
        // frame that has a face, whatever the frame's own outcome (a turned face may not match).
        const main = [...analysis.faces].sort((a, b) => b.box.width - a.box.width)[0];
        if (main?.landmarks && result.outcome !== 'no-face') result.landmarks = main.landmarks;
        reply({ id: req.id, type: 'verified', result });
        return;
      }
    }
  } catch (err) {
    reply({ id: req.id, type: 'failed', error: serializeError(err) });
  }
}

void main();
