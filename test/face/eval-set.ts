/**
 * The offline evaluation set (test/face/README.md): card photos, camera probes with their
 * augmentations, and the printed-photo spoofs, all from test/face/fixtures/faces. Shared by
 * eval.ts, the bench and the verifier tests. Decoding happens in memory; nothing is written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { Box, RgbImage } from '../../src/face/image';
import { decodeGreyJp2, encodeGreyJp2 } from '../../src/card-face/jpeg2000';
import { CARD_PHOTO_HEIGHT, CARD_PHOTO_WIDTH, faceFixtureDir, type GreyImage } from '../../rig/personas/face-images';

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

/**
 * The card photo as the device gets it (SPEC §5 DF27): the greyscale portrait encoded as JPEG 2000
 * the way the card emulator stores it (rig/emulator/card-face/files.ts: `encodeGreyJp2`, default
 * quality), then decoded by the product's decoder, exactly as the card-face session hands it to
 * the verifier. Issue 14: the eval used to skip this lossy step.
 */
export async function cardPhotoAsOnDevice(id: string): Promise<GreyImage> {
  return decodeGreyJp2(await encodeGreyJp2(await cardPhoto(id)));
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

/**
 * Counter conditions of SPEC §3 step 4 that should end in a hint rather than a decision, each
 * built from a person's camera view (reported apart from FAR/FRR):
 *   backlight — face darkened, a bright window behind (entrance or window light)
 *   low       — face in the bottom quarter of the frame (a child, a wheelchair user)
 *   far       — the view shrunk into the middle of the frame (standing back)
 *   two       — a second person's view beside the patient
 */
export const counterConditions = ['backlight', 'low', 'far', 'two'] as const;
export type CounterCondition = (typeof counterConditions)[number];

export async function counterProbe(id: string, other: string, condition: CounterCondition): Promise<RgbImage> {
  const file = join(faceFixtureDir, `${id}.camera.jpg`);
  const grey = { r: 128, g: 128, b: 128 };
  switch (condition) {
    case 'backlight': {
      // The camera exposes for the bright window: the face falls to about a third of its light.
      const dark = await sharp(file).modulate({ brightness: 0.35 }).toBuffer();
      const glow = Buffer.from(
        '<svg width="640" height="480"><defs><radialGradient id="g" cx="0.5" cy="0.5" r="0.7"><stop offset="0.45" stop-color="#fff" stop-opacity="0"/><stop offset="0.7" stop-color="#fff" stop-opacity="0.97"/></radialGradient></defs><rect width="640" height="480" fill="url(#g)"/></svg>',
      );
      return toRgb(sharp(dark).composite([{ input: glow }]));
    }
    case 'low':
      return toRgb(sharp(await sharp(file).resize(320, 240).toBuffer()).extend({ top: 240, bottom: 0, left: 160, right: 160, background: grey }));
    case 'far':
      return toRgb(sharp(await sharp(file).resize(192, 144).toBuffer()).extend({ top: 168, bottom: 168, left: 224, right: 224, background: grey }));
    case 'two': {
      const a = await sharp(file).resize(320, 240).toBuffer();
      const b = await sharp(join(faceFixtureDir, `${other}.camera.jpg`)).resize(320, 240).toBuffer();
      return toRgb(sharp({ create: { width: 640, height: 480, channels: 3, background: grey } }).composite([{ input: a, left: 0, top: 120 }, { input: b, left: 320, top: 120 }]));
    }
  }
}

/**
 * Controls for the print-border cue (issue 14, eval.ts `printBorder`): `tilt-10deg` and the `low`
 * counter condition rebuilt without the straight edges their construction adds to the frame (the
 * flat grey corners of the rotated view, the edges of the view pasted on a grey canvas), which
 * are exactly what the cue looks for. Same framing: the tilt's corners come from the view mirrored
 * outwards before turning; the low view's canvas is its own edge pixels repeated outwards.
 */
export const borderControls = ['tilt-10deg-no-corners', 'low-no-canvas-edge'] as const;
export type BorderControl = (typeof borderControls)[number];

export async function borderControlProbe(id: string, control: BorderControl): Promise<RgbImage> {
  const file = join(faceFixtureDir, `${id}.camera.jpg`);
  switch (control) {
    case 'tilt-10deg-no-corners': {
      const turned = sharp(await sharp(file).extend({ top: 120, bottom: 120, left: 160, right: 160, extendWith: 'mirror' }).toBuffer()).rotate(10);
      const { info } = await turned.clone().raw().toBuffer({ resolveWithObject: true });
      return toRgb(turned.extract({ left: Math.floor((info.width - 640) / 2), top: Math.floor((info.height - 480) / 2), width: 640, height: 480 }));
    }
    case 'low-no-canvas-edge':
      return toRgb(sharp(await sharp(file).resize(320, 240).toBuffer()).extend({ top: 240, bottom: 0, left: 160, right: 160, extendWith: 'copy' }));
  }
}

/**
 * A person's camera view framed wider than `fNN.camera.jpg` (whose face fills ~60 % of the width,
 * so that little background is in view): cut from the same source photograph (make-fixtures.ts,
 * the box in index.json) with the face at `faceFraction` of the 640-px width, as a patient
 * standing further from the counter camera would be; real background, no drawn edge. For the
 * print-border cue, which looks at what surrounds the face (issue 14). The wider cut reaches the
 * photograph's edge for some persons: it is then clamped (less background, the same face).
 */
export const widerFractions = [0.4, 0.3, 0.25] as const;

const sampleDir = join(__dirname, '..', '..', 'node_modules', '@vladmandic', 'face-api', 'demo');
const fixtureIndex = JSON.parse(readFileSync(join(faceFixtureDir, 'index.json'), 'utf8')) as { faces: { id: string; sample: string; box: [number, number, number, number] }[] };

export async function widerView(id: string, faceFraction: number): Promise<RgbImage> {
  const f = fixtureIndex.faces.find((x) => x.id === id);
  if (!f) throw new Error(`no face ${id} in the fixture index`);
  const src = join(sampleDir, f.sample);
  const meta = await sharp(src).metadata();
  const W = meta.width ?? 0;
  const H = meta.height ?? 0;
  const [x, y, w, h] = f.box;
  const vw = Math.floor(Math.min(W, (H * 4) / 3, w / faceFraction));
  const vh = Math.floor((vw * 3) / 4);
  const clamp = (v: number, hi: number): number => Math.max(0, Math.min(hi, Math.round(v)));
  const view = { left: clamp(x + w / 2 - vw / 2, W - vw), top: clamp(y + h / 2 - vh / 2, H - vh), width: vw, height: vh };
  return toRgb(sharp(await sharp(src).extract(view).resize(640, 480).jpeg({ quality: 85 }).toBuffer()));
}
