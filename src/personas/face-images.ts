/**
 * The face of each test persona: the photo as the card stores it (SPEC §5 DF27: small, greyscale)
 * and what the rig's camera plays for `fcr rig face genuine|impostor|photo` (issue 5 §3).
 *
 * The faces are real photographs cropped from sample images shipped in npm packages (see
 * test/face/README.md for sources and licences); each persona maps to one person, never shared.
 * The card photo and the camera source of a persona come from *different* photographs of that
 * person where the source has them, so a genuine match is not a pixel copy.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PersonaName } from './catalogue';

export interface GreyImage {
  width: number;
  height: number;
  /** Row-major 8-bit luminance, width × height bytes. */
  grey: Uint8Array;
}

export type RigFaceKind = 'genuine' | 'impostor' | 'photo';

export interface RigCameraSource {
  /** Absolute path of a video file (`kind: 'video'`) or a directory / ffmpeg image pattern (`'stills'`). */
  path: string;
  kind: 'video' | 'stills';
}

/** Card photo size: the card stores about 300×400 or less (SPEC §5, §3 step 4). */
export const CARD_PHOTO_WIDTH = 240;
export const CARD_PHOTO_HEIGHT = 320;

const repoRoot = resolve(__dirname, '..', '..');
export const personaFixtureDir = join(repoRoot, 'test', 'face', 'fixtures', 'personas');

/**
 * Which persona is the impostor for another: the next persona in a fixed ring, so that an
 * impostor attempt always shows a different person.
 */
const impostorOf: Record<PersonaName, PersonaName> = {
  valid: 'expiring-soon',
  'expiring-soon': 'expired-grace',
  'expired-grace': 'expired-past-grace',
  'expired-past-grace': 'revoked',
  revoked: 'pin-one-try',
  'pin-one-try': 'pin-locked',
  'pin-locked': 'face-only',
  'face-only': 'unregistered',
  unregistered: 'android',
  android: 'iphone',
  iphone: 'qualification-invalid',
  'qualification-invalid': 'no-record',
  'no-record': 'valid',
};

function cardPhotoFile(name: PersonaName): string {
  return join(personaFixtureDir, `${name}.card.jpg`);
}

function cameraFile(name: PersonaName): string {
  return join(personaFixtureDir, `${name}.camera.jpg`);
}

/**
 * The card photo of a persona, decoded to greyscale at card resolution. Falls back to a
 * deterministic synthetic face-like pattern only when the fixture file is missing (a broken
 * checkout), so card emulation still works; face matching against it will then fail (no face).
 */
export async function personaFacePhoto(name: PersonaName): Promise<GreyImage> {
  const file = cardPhotoFile(name);
  if (!existsSync(file)) return syntheticFace(name);
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(file)
    .resize(CARD_PHOTO_WIDTH, CARD_PHOTO_HEIGHT, { fit: 'cover' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, grey: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
}

/**
 * What the rig camera plays: `genuine` = another photograph of the persona (stills looped),
 * `impostor` = a different persona's camera photo, `photo` = the persona's card photo printed and
 * held up to the camera (a presentation attack; liveness must stop it).
 */
export function rigCameraSource(kind: RigFaceKind, persona: PersonaName): RigCameraSource {
  switch (kind) {
    case 'genuine':
      return { path: cameraFile(persona), kind: 'stills' };
    case 'impostor':
      return { path: cameraFile(impostorOf[persona]), kind: 'stills' };
    case 'photo':
      return { path: join(personaFixtureDir, `${persona}.spoof.jpg`), kind: 'stills' };
  }
}

/** A stable per-persona grey pattern (oval + eyes), used only when fixtures are missing. */
function syntheticFace(name: PersonaName): GreyImage {
  const width = CARD_PHOTO_WIDTH;
  const height = CARD_PHOTO_HEIGHT;
  const grey = new Uint8Array(width * height);
  let seed = 0;
  for (const ch of name) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
  const skin = 150 + (seed % 60);
  const bg = 220 - (seed % 40);
  const cx = width / 2;
  const cy = height * 0.45;
  const rx = width * (0.3 + (seed % 7) / 100);
  const ry = height * 0.32;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      let v = dx * dx + dy * dy <= 1 ? skin : bg;
      for (const ex of [cx - rx * 0.4, cx + rx * 0.4]) {
        const ey = cy - ry * 0.15;
        if ((x - ex) ** 2 + (y - ey) ** 2 < (width * 0.04) ** 2) v = 40;
      }
      if (Math.abs(y - (cy + ry * 0.45)) < 3 && Math.abs(x - cx) < rx * 0.35) v = 80;
      grey[y * width + x] = v;
    }
  }
  return { width, height, grey };
}
