/**
 * The face port's sequencing (issue 7 §2, SPEC §5.1) on a real emulated card and the real
 * card-face OCR: a confident scan unlocks and authenticates the photo before any matching; a scan
 * that is not confident is never presented and costs no presentation; a refused card is never
 * retried; a camera that dies reaches the flow as camera-failed. The face model is faked here (its
 * own tests cover it): this file is about what is presented to the card and when.
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import { createFullPersonaCard } from '../../rig/emulator/full-persona-card';
import { degradeCardImage, renderCardFace } from '../../rig/emulator/card-face';
import { CardFaceReader } from '../../src/card-face/ocr';
import { rigCardFaceTrustAnchors } from '../../rig/personas/card-face-credentials';
import { findPersona, type PersonaName } from '../../rig/personas/catalogue';
import { loadRigCredentials } from '../../rig/personas/credentials';
import { createLogger, silentLogger } from '../../src/log/logger';
import { CameraControlError } from '../../src/devices/camera/v4l2-controls';
import { FaceAdapter, type FaceAdapterOptions } from '../../src/service/adapters/face-adapter';
import { faceSettingsSchema } from '../../src/face/settings-schema';
import { attemptOptions, colourFlashOptions } from '../../src/face/settings';
import { SessionMemories } from '../../src/service/adapters/session-memory';
import type { FaceVerifier, VerifyResult } from '../../src/face/verifier';

class FakeVerifier implements FaceVerifier {
  enrolled = 0;
  answer: VerifyResult = { outcome: 'match', score: 0.8 };
  /** Called at each verify: the face attempt is under way then. */
  onVerify: (() => void) | undefined;
  async enrolCardPhoto(): Promise<void> {
    this.enrolled++;
  }
  async verify(): Promise<VerifyResult> {
    this.onVerify?.();
    return this.answer;
  }
  async close(): Promise<void> {}
}

/** Mid grey, big enough for the colour-flash cue's grid (it measures, and a still frame does not answer the panel). */
const frame = { width: 120, height: 120, rgb: new Uint8Array(120 * 120 * 3).fill(128) };

describe('face port: card-face unlock then matching', function () {
  this.timeout(120_000);
  const reader = new CardFaceReader();
  before(() => reader.start());
  after(() => reader.stop());

  async function setup(persona: PersonaName, image: 'card-face' | 'blank' = 'card-face', attempt?: FaceAdapterOptions['attempt'], colourFlash?: FaceAdapterOptions['colourFlash'], log = silentLogger) {
    const credentials = await loadRigCredentials();
    const driver = new SimulatedCardReaderDriver();
    await driver.start();
    const card = await createFullPersonaCard({ persona, credentials });
    driver.insert('card', card);
    let transactions = 0;
    const counting = Object.assign(Object.create(driver) as SimulatedCardReaderDriver, {
      transact: ((...args: Parameters<SimulatedCardReaderDriver['transact']>) => {
        transactions++;
        return driver.transact(...args);
      }) as SimulatedCardReaderDriver['transact'],
    });
    const verifier = new FakeVerifier();
    const camera = new SimulatedCamera([frame], 30);
    const sessions = new SessionMemories();
    const memory = sessions.current();
    const faceImage = async () =>
      image === 'blank'
        ? sharp({ create: { width: 1120, height: 800, channels: 3, background: '#808080' } }).png().toBuffer()
        : degradeCardImage(await renderCardFace(findPersona(persona)!), { blur: 0.5, seed: 3 });
    const adapter = new FaceAdapter({
      cardDriver: counting,
      sessions,
      camera: () => camera,
      verifier,
      cardFaceReader: reader,
      cardFaceImage: faceImage,
      trustAnchors: await rigCardFaceTrustAnchors(),
      rigMode: true,
      attemptMs: 3000,
      ...(attempt ? { attempt } : {}),
      ...(colourFlash ? { colourFlash } : {}),
      log,
    });
    return { adapter, verifier, camera, memory, driver, transactions: () => transactions };
  }

  it('valid: the authenticated card photo is enrolled, then a live match is reported with its score', async () => {
    const t = await setup('valid');
    assert.deepEqual(await t.adapter.startCamera(), { ok: true });
    const r = await t.adapter.match();
    assert.equal(r.outcome, 'match');
    assert.equal(t.verifier.enrolled, 1);
    assert.ok(t.memory.faceMatch && t.memory.faceMatch.score > 0);
    // A second attempt in the same session reuses the enrolment: no second presentation.
    const before = t.transactions();
    assert.equal((await t.adapter.match()).outcome, 'match');
    assert.equal(t.transactions(), before);
    await t.adapter.stopCamera();
  });

  it('a hint the burst asks for reaches the flow during the attempt, in the flow\'s words (issue 14)', async () => {
    const t = await setup('valid');
    await t.adapter.startCamera();
    let verifies = 0;
    t.verifier.answer = { outcome: 'rejected', hint: 'move-closer' };
    t.verifier.onVerify = () => {
      // The first frame is too small a face; the next ones match.
      if (++verifies === 2) t.verifier.answer = { outcome: 'match', score: 0.9 };
    };
    const hints: string[] = [];
    const r = await t.adapter.match((h) => hints.push(h));
    assert.equal(r.outcome, 'match');
    assert.deepEqual(hints, ['come-closer'], 'the matcher\'s move-closer, in the flow\'s words (come-closer)');
    await t.adapter.stopCamera();
  });

  it('the configured attempt reaches the matcher: with face.headTurn set, frames that match but carry no landmarks never make a match', async () => {
    const config = faceSettingsSchema.parse({ headTurn: {}, attempt: { burstMs: 500 } });
    const t = await setup('valid', 'card-face', attemptOptions(config));
    await t.adapter.startCamera();
    const r = await t.adapter.match();
    assert.notEqual(r.outcome, 'match');
    assert.equal(t.memory.faceMatch ?? undefined, undefined);
    await t.adapter.stopCamera();
  });

  it('face.colourFlash set: after the match the attempt lights the panel it is given red and blue, then gives it back; a face that does not answer is a spoof (issue 14)', async () => {
    const config = faceSettingsSchema.parse({ colourFlash: {}, attempt: { burstMs: 500 } });
    const flash = colourFlashOptions(config);
    assert.deepEqual(flash, { config: { grid: 5, faceFraction: 0.6, minFaceGain: 0.02, minSurroundRatio: 2, minRelief: 0.18 }, settleFrames: 1 });
    const t = await setup('valid', 'card-face', attemptOptions(config), flash);
    await t.adapter.startCamera();
    // The simulated camera's frames do not change with the panel: a screen's answer.
    t.verifier.answer = { outcome: 'match', score: 0.9, box: { x: 30, y: 30, width: 60, height: 60 } };
    const shown: (string | undefined)[] = [];
    const r = await t.adapter.match(undefined, { flash: async (c) => void shown.push(c) });
    assert.equal(r.outcome, 'spoof');
    assert.equal(t.memory.faceMatch ?? undefined, undefined, 'nothing held for the flow');
    assert.equal(shown.length, 4);
    assert.ok(['red,blue,red', 'blue,red,blue'].includes(shown.slice(0, 3).join(',')), shown.join(','));
    assert.equal(shown[3], undefined, 'the panel is given back');
    // Without a panel to light (fcr face check, a caller that cannot flash) the cue cannot run.
    assert.equal((await t.adapter.match()).outcome, 'match');
    await t.adapter.stopCamera();
  });

  it("the camera's exposure is held for the flash and let go after; a camera whose controls fail is still flashed, and the technician is told", async () => {
    const config = faceSettingsSchema.parse({ colourFlash: {}, attempt: { burstMs: 500 } });
    const lines: string[] = [];
    const t = await setup('valid', 'card-face', attemptOptions(config), colourFlashOptions(config), createLogger('test', { sink: { write: (l) => lines.push(l) } }));
    await t.adapter.startCamera();
    t.verifier.answer = { outcome: 'match', score: 0.9, box: { x: 30, y: 30, width: 60, height: 60 } };
    const events: string[] = [];
    const panel = { flash: async (c: string | undefined) => void events.push(c ? 'lit' : 'back') };
    Object.assign(t.camera, {
      holdExposure: async () => {
        events.push('hold');
        return async () => void events.push('release');
      },
    });
    await t.adapter.match(undefined, panel);
    assert.deepEqual(events, ['hold', 'lit', 'lit', 'lit', 'back', 'release']);
    events.length = 0;
    Object.assign(t.camera, {
      holdExposure: async () => {
        throw new CameraControlError('/dev/video0', 'list', 'Cannot open device /dev/video0, exiting.');
      },
    });
    assert.equal((await t.adapter.match(undefined, panel)).outcome, 'spoof', 'flashed and judged anyway');
    assert.deepEqual(events, ['lit', 'lit', 'lit', 'back']);
    assert.ok(lines.some((l) => /colour flash without a held exposure: .*Cannot open device/.test(l)), lines.join('\n'));
    await t.adapter.stopCamera();
  });

  it('face.colourFlash absent (the default): the panel is never lit', async () => {
    const t = await setup('valid', 'card-face', attemptOptions(faceSettingsSchema.parse({ attempt: { burstMs: 500 } })));
    await t.adapter.startCamera();
    t.verifier.answer = { outcome: 'match', score: 0.9, box: { x: 30, y: 30, width: 60, height: 60 } };
    const shown: (string | undefined)[] = [];
    assert.equal((await t.adapter.match(undefined, { flash: async (c) => void shown.push(c) })).outcome, 'match');
    assert.deepEqual(shown, []);
    await t.adapter.stopCamera();
  });

  it('forged-photo: refused before any matching as forged data (staff are told), and never retried against the card', async () => {
    const t = await setup('forged-photo');
    await t.adapter.startCamera();
    assert.equal((await t.adapter.match()).outcome, 'card-data-forged');
    assert.equal(t.verifier.enrolled, 0);
    const before = t.transactions();
    assert.equal((await t.adapter.match()).outcome, 'card-photo-unavailable');
    assert.equal(t.transactions(), before, 'no second presentation after a refusal');
    await t.adapter.stopCamera();
  });

  it('cloned-files: the chip key does not match the signed data — cloned; unknown-issuer is no forgery claim', async () => {
    const cloned = await setup('cloned-files');
    await cloned.adapter.startCamera();
    assert.equal((await cloned.adapter.match()).outcome, 'card-data-cloned');
    await cloned.adapter.stopCamera();
    const unknown = await setup('unknown-issuer');
    await unknown.adapter.startCamera();
    assert.equal((await unknown.adapter.match()).outcome, 'card-photo-unavailable');
    await unknown.adapter.stopCamera();
  });

  it('a card face that cannot be read is never presented to the card', async () => {
    const t = await setup('valid', 'blank');
    await t.adapter.startCamera();
    assert.equal((await t.adapter.match()).outcome, 'card-photo-unavailable');
    assert.equal(t.transactions(), 0);
    await t.adapter.stopCamera();
  });

  it('a camera that dies during the attempt is reported as camera-failed', async () => {
    const t = await setup('valid');
    await t.adapter.startCamera();
    t.verifier.answer = { outcome: 'rejected', hint: 'move-closer' };
    // Fail the camera once the attempt is under way (a frame was judged), on the next event-loop
    // turn: by then the attempt has taken the answer and waits for its next frame.
    t.verifier.onVerify = () => {
      t.verifier.onVerify = undefined;
      setImmediate(() => t.camera.fail());
    };
    const r = await t.adapter.match();
    assert.equal(r.cameraFailed, true, JSON.stringify(r));
  });
});
