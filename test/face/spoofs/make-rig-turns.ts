/**
 * `node --import tsx test/face/spoofs/make-rig-turns.ts [--ids=f01] [--out=DIR]`: pre-renders the
 * rig camera's head turns (issue 14: the e2e face flows with the head-turn challenge) into
 * test/face/fixtures/turns/, committed, so that the rig never loads FaceMesh nor renders at start.
 *
 * Per face id: the genuine head turning to the patient's left and right (scenes.ts `genuine`), and
 * the person's colour portrait printed and bent (scenes.ts `bent`), once facing the camera and turned
 * tilted either way. Only the frames the rig plays are written: the sequence's
 * frames 2, 4 and 5 of 0–5 (a third, two thirds and all of the turn), JPEG quality 80, ~25 KB
 * each (13 files, ~290 KB). The render and its geometry are the spoof set's (README.md here);
 * nothing of the product's liveness rules is used to make them. Deterministic: fixed angles and
 * seeds below.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { FaceEngine } from '../../../src/face/engine';
import type { RgbImage } from '../../../src/face/image';
import { faceFixtureDir } from '../../../rig/personas/face-images';
import { cameraProbe } from '../eval-set';
import { prng } from './render';
import { FRAMES_PER_SEQUENCE, headModel, renderSequence, type MeshPoint, type PersonScene, type SceneSpec } from './scenes';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

/** Frames of the 6-frame sequence the rig plays; the last is held (the patient holds the pose). */
export const RIG_TURN_FRAMES = [2, 4, 5] as const;

/**
 * The sequences, chosen for the e2e, deterministic (fixed seeds), each checked once through the
 * device's verifier and judge on the JPEGs before committing (figures: yaw change / nose parallax
 * against the frontal frame; the challenge needs ≥ 15° and ≥ 0.07):
 *
 * - `f01` (persona `valid`): genuine turns of 30° either way (the eval renders 18–30°): 24.5° /
 *   0.106 to the left, 43.1° / 0.121 to the right. Picked because both turns pass with margin and
 *   the turn the other way reads as `wrong-direction` (never `flat`), which not every face does:
 *   66 % of the eval's rendered turns pass (docs/face.md).
 * - `f08` (persona `pin-one-try`): the attack. The colour portrait printed and bent in the hand
 *   (cylinder radius 0.6 print widths, the eval's `bent`), first held facing the camera — where it
 *   matches the card and the passive liveness models score it live (live 1.00) — then tilted about
 *   a diagonal, which shears the face so that the nose moves off the eyes' midpoint as in a turn
 *   (the attacker's best move: a print turned about the vertical axis reads as no turn at all).
 *   To the patient's left (diagonal-a −50°): 24.1° / 0.013; to the right (diagonal-b −40°): 21.7° /
 *   0.050. Why not f01 for the attack too: its flat print held still is refused by passive
 *   liveness already (so the challenge is never reached), and no diagonal tilt of its bent print
 *   read more than ~9° of yaw to the left once JPEG-compressed.
 *
 * Sign: scenes.ts `genuine` > 0 = the patient turns to their right.
 */
const SEQUENCES: Record<string, { name: string; spec: SceneSpec }[]> = {
  f01: [
    { name: 'turn-left', spec: { kind: 'genuine', axis: 'vertical', angleDeg: -30, seed: 14_000 } },
    { name: 'turn-right', spec: { kind: 'genuine', axis: 'vertical', angleDeg: 30, seed: 14_001 } },
  ],
  f08: [
    { name: 'print-turn-left', spec: { kind: 'bent', axis: 'diagonal-a', angleDeg: -50, bend: 0.6, seed: 14_101 } },
    { name: 'print-turn-right', spec: { kind: 'bent', axis: 'diagonal-b', angleDeg: -40, bend: 0.6, seed: 14_101 } },
  ],
};

async function background(id: string): Promise<RgbImage> {
  // As eval-spoofs.ts: the attacker's surroundings, the view blurred and dimmed.
  const { data, info } = await sharp(join(faceFixtureDir, `${id}.camera.jpg`)).blur(12).modulate({ brightness: 0.6 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

async function writeJpeg(img: RgbImage, file: string): Promise<void> {
  await sharp(Buffer.from(img.rgb), { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality: 80, mozjpeg: true }).toFile(file);
}

async function main(): Promise<void> {
  const ids = arg('ids')?.split(',') ?? Object.keys(SEQUENCES);
  const out = resolve(arg('out') ?? join(faceFixtureDir, '..', 'turns'));
  mkdirSync(out, { recursive: true });
  const engine = await FaceEngine.create({ align: true, liveness: false, describe: false });
  for (const id of ids) {
    const view = await cameraProbe(id);
    const main = [...(await engine.analyse(view)).faces].sort((a, b) => b.box.width - a.box.width)[0];
    if (!main?.mesh) throw new Error(`${id}: no FaceMesh shape`);
    const scene: PersonScene = { view, background: await background(id), mesh: main.mesh as MeshPoint[] };
    const head = headModel(scene);
    for (const s of SEQUENCES[id] ?? []) {
      const frames = renderSequence(scene, head, s.spec, prng(s.spec.seed));
      if (frames.length !== FRAMES_PER_SEQUENCE) throw new Error('unexpected sequence length');
      for (const k of RIG_TURN_FRAMES) await writeJpeg(frames[k]!, join(out, `${id}.${s.name}.${k}.jpg`));
      // The print as the attacker first holds it up, facing the camera: frame 0 of the print's
      // turns (the same seed, so the same frame for both directions).
      if (s.name === 'print-turn-left') await writeJpeg(frames[0]!, join(out, `${id}.print.0.jpg`));
    }
    process.stderr.write(`${id}: written to ${out}\n`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
