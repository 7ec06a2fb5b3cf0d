/**
 * The offline evaluation set (test/face/README.md): card photos, camera probes with their
 * augmentations, and the printed-photo spoofs, all from test/face/fixtures/faces. Shared by
 * eval.ts, the bench and the verifier tests. Decoding happens in memory; nothing is written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { Box, RgbImage } from '../../src/face/image';
import { CARD_PHOTO_HEIGHT, CARD_PHOTO_WIDTH, faceFixtureDir, type GreyImage } from '../../src/personas/face-images';

export const faceIds: string[] = (JSON.parse(readFileSync(join(faceFixtureDir, 'index.json'), 'utf8')) as { faces: { id: string }[] }).faces.map((f) => f.id);

/** Augmentations of a camera probe: each is a condition of its own (SPEC §3 step 4). */
export const augmentations = ['original', 'dim', 'overexposed', 'blur', 'jpeg-q15', 'tilt-10deg', 'low-res', 'noise'] as const;
export type Augmentation = (typeof augmentations)[number];

export async function cardPhoto(id: string): Promise<GreyImage> {
  const { data, info } = await sharp(join(faceFixtureDir, `${id}.card.jpg`))
    .resize(CARD_PHOTO_WIDTH, CARD_PHOTO_HEIGHT, { fit: 'cover' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, grey: new Uint8Array(data.subarray(0, info.width * info.height)) };
}

async function toRgb(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

export async function cameraProbe(id: string, aug: Augmentation = 'original'): Promise<RgbImage> {
  const file = join(faceFixtureDir, `${id}.camera.jpg`);
  const img = sharp(file);
  switch (aug) {
    case 'original':
      return toRgb(img);
    case 'dim':
      return toRgb(img.modulate({ brightness: 0.45 }));
    case 'overexposed':
      return toRgb(img.linear(1.6, 30));
    case 'blur':
      return toRgb(img.blur(2.5));
    case 'jpeg-q15':
      return toRgb(sharp(await img.jpeg({ quality: 15 }).toBuffer()));
    case 'tilt-10deg':
      return toRgb(sharp(await img.rotate(10, { background: '#808080' }).toBuffer()).resize(640, 480, { fit: 'cover' }));
    case 'low-res':
      return toRgb(sharp(await img.resize(213, 160).toBuffer()).resize(640, 480));
    case 'noise': {
      const base = await toRgb(img);
      let seed = 12345;
      for (let i = 0; i < base.rgb.length; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const n = ((seed >>> 16) % 41) - 20;
        base.rgb[i] = Math.max(0, Math.min(255, (base.rgb[i] ?? 0) + n));
      }
      return base;
    }
  }
}

/** Presentation attacks: the card photo printed, or a colour photo shown on a phone screen. */
export const spoofKinds = ['print', 'screen'] as const;
export type SpoofKind = (typeof spoofKinds)[number];

export async function spoofProbe(id: string, kind: SpoofKind = 'print'): Promise<RgbImage> {
  return toRgb(sharp(join(faceFixtureDir, `${id}.${kind === 'print' ? 'spoof' : 'screen'}.jpg`)));
}

/**
 * A synthetic surgical mask: a light blue-white ellipse over the lower part of a detected face
 * box (mouth, chin, lower nose). Drawn on a copy; SPEC §3 step 4 names masks as a failure cause.
 */
export function withMask(img: RgbImage, face: Box): RgbImage {
  const out: RgbImage = { width: img.width, height: img.height, rgb: Uint8Array.from(img.rgb) };
  const cx = face.x + face.width / 2;
  const cy = face.y + face.height * 0.72;
  const rx = face.width * 0.36;
  const ry = face.height * 0.24;
  for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(img.height, Math.ceil(cy + ry)); y++) {
    for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(img.width, Math.ceil(cx + rx)); x++) {
      if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 > 1) continue;
      const i = (y * img.width + x) * 3;
      out.rgb[i] = 205;
      out.rgb[i + 1] = 220;
      out.rgb[i + 2] = 235;
    }
  }
  return out;
}
