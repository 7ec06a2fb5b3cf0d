/**
 * `node --import tsx test/face/spoofs/make-rig-flash.ts [--out=DIR] [--check]`: pre-renders what
 * the rig camera sees under the panel's light (issue 14: the e2e face flows with the colour flash)
 * into test/face/fixtures/flash/, committed, so that the rig never loads FaceMesh nor renders.
 *
 * Per subject, three frames of one held pose: the counter's light alone (`ambient`, what the
 * camera shows while the panel shows its usual screen), and the same pose with the panel lit full
 * red and full blue. The light is flash-light.ts's physics (the spoof set's README "Colour
 * flash"), not the product's cue; the same seed for the three lights, so only the light changes.
 * JPEG quality 85, ~30 KB each.
 *
 * `--check` runs each written subject once through the device's verifier (matched against the
 * persona's card photo, passive liveness) and the cue, and prints what it found: how the subjects
 * below were chosen. The e2e's oracle is the flow (the panel, the backend's record), not this.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../../src/face/image';
import { flashFixtureDir, rigFlashLights, type RigFlashSubject } from '../../../rig/personas/face-images';
import { loadPersonScenes } from './persons';
import { prng } from './render';
import { headModel, renderFlashFrames, type FlashSceneSpec } from './scenes';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

/**
 * The subjects, deterministic (fixed seeds). The panel's light on a face at 50 cm is 12 % of the
 * counter's (the eval draws 5–20 %), the room 2 m behind (4 f).
 *
 * - `f01.genuine` (persona `valid`): the holder's head, still, turned 4° — it must pass.
 * - `f08.print` (persona `pin-one-try`): the holder's colour portrait printed and bent in the hand
 *   (cylinder radius 0.6 print widths), as the head-turn fixtures' print: passive liveness scores
 *   it live, so only the flash stands between it and a match.
 * - `f01.replay`: a phone held up replaying a video of the holder filmed earlier (2 % of the
 *   panel's light comes back from its glass): the head-turn challenge cannot tell it (the video
 *   turns when asked if the attacker picks the right clip); the flash can.
 */
const SUBJECTS: { id: string; subject: RigFlashSubject; spec: FlashSceneSpec }[] = [
  { id: 'f01', subject: 'genuine', spec: { kind: 'genuine', axis: 'vertical', angleDeg: 4, strength: 0.12, backgroundDistance: 4, seed: 14_201 } },
  { id: 'f08', subject: 'print', spec: { kind: 'bent', axis: 'vertical', angleDeg: 8, bend: 0.6, strength: 0.12, backgroundDistance: 4, seed: 14_202 } },
  { id: 'f01', subject: 'replay', spec: { kind: 'replay', axis: 'vertical', angleDeg: 2, reflectance: 0.02, strength: 0.12, backgroundDistance: 4, seed: 14_203 } },
];

async function writeJpeg(img: RgbImage, file: string): Promise<void> {
  await sharp(Buffer.from(img.rgb), { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality: 85, mozjpeg: true }).toFile(file);
}

async function main(): Promise<void> {
  const out = resolve(arg('out') ?? flashFixtureDir);
  mkdirSync(out, { recursive: true });
  const scenes = await loadPersonScenes([...new Set(SUBJECTS.map((x) => x.id))]);
  for (const { id, subject, spec } of SUBJECTS) {
    const scene = scenes.get(id)!;
    const head = headModel(scene);
    for (const light of rigFlashLights) {
      // One pose for the three lights: the same seed; `ambient` is the panel's light at strength 0.
      const lit: FlashSceneSpec = light === 'ambient' ? { ...spec, strength: 0 } : spec;
      const [frame] = renderFlashFrames(scene, head, lit, [light === 'ambient' ? 'red' : light], prng(spec.seed));
      await writeJpeg(frame!, join(out, `${id}.${subject}.${light}.jpg`));
    }
    process.stderr.write(`${id}.${subject}: written to ${out}\n`);
  }
  if (process.argv.includes('--check')) await check(out);
}

/** Each subject through the device's verifier and the cue, as the attempt would see it. */
async function check(dir: string): Promise<void> {
  const { WorkerFaceVerifier } = await import('../../../src/face/verifier');
  const { verifierOptions, faceSettingsSchema } = await import('../../../src/face/settings');
  const { judgeFlash } = await import('../../../src/face/liveness/flash');
  const { personaFacePhoto } = await import('../../../rig/personas/face-images');
  const verifier = await WorkerFaceVerifier.create(verifierOptions(faceSettingsSchema.parse({})));
  const load = async (file: string): Promise<RgbImage> => {
    const { data, info } = await sharp(file).resize(640, 480, { fit: 'contain', background: { r: 0, g: 0, b: 0 } }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
  };
  try {
    for (const { id, subject } of SUBJECTS) {
      await verifier.enrolCardPhoto(await personaFacePhoto(id === 'f01' ? 'valid' : 'pin-one-try'));
      const frames = Object.fromEntries(await Promise.all(rigFlashLights.map(async (l) => [l, await load(join(dir, `${id}.${subject}.${l}.jpg`))] as const)));
      const seen = [];
      for (const l of rigFlashLights) {
        const r = await verifier.verify({ ...frames[l]!, capturedAt: 0, seq: 1 });
        seen.push({ light: l, outcome: r.outcome, score: r.score === undefined ? undefined : Number(r.score.toFixed(3)), box: r.box });
      }
      const box = seen[1]!.box;
      const verdict = box ? judgeFlash(['red', 'blue', 'red'].map((c) => ({ colour: c as 'red' | 'blue', image: frames[c]! })), box) : undefined;
      process.stdout.write(JSON.stringify({ id, subject, seen: seen.map(({ box: _b, ...s }) => s), flash: verdict }) + '\n');
    }
  } finally {
    await verifier.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
