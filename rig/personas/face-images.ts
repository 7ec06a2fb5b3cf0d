/**
 * The face of each test persona: the photo as the card stores it (SPEC §5 DF27: small, greyscale)
 * and what the rig's camera plays for `fcr rig face genuine|impostor|photo` (issue 5 §3).
 *
 * The faces are real photographs cropped from sample images shipped in npm packages (see
 * test/face/README.md for sources and licences); each persona maps to one person, never shared.
 * The source has one photograph per person, so the card photo (grey, 240×320, tight crop) and the
 * camera view (colour, 640×480, wide crop) are two renderings of the same photograph: an
 * augmented genuine pair, not two sittings (test/face/README.md says what that means).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { personas, type PersonaName } from './catalogue';
import type { GreyImage } from '../../src/face/image';

export type { GreyImage } from '../../src/face/image';

/**
 * What the rig camera can show. The turns (issue 14: the e2e with the head-turn challenge) are
 * pre-rendered for a few personas only (`hasTurnFrames`; `valid`: its head, `pin-one-try`: its print): `turn-left` / `turn-right` the persona's
 * own head turning to their left / right (genuine), `print` their colour portrait printed and bent
 * in the hand, held facing the camera, and `print-turn-left|right` that print tilted so that the
 * face seems to turn that way (a presentation attack). `swap-turn-left|right`: the attacker who
 * held the holder's print up lowers it and turns their own head — another person's real turn
 * (the `valid` persona's rendered head, `SWAP_TURNER`), for any persona but that one.
 */
export const rigTurnKinds = ['turn-left', 'turn-right', 'print-turn-left', 'print-turn-right', 'swap-turn-left', 'swap-turn-right'] as const;
export type RigTurnKind = (typeof rigTurnKinds)[number];
/**
 * What the rig camera shows under the panel's light (issue 14: the e2e with the colour flash),
 * pre-rendered for a few personas only (`hasFlashFrames`): `flash-genuine` the persona's own head
 * held still, `flash-print` their colour portrait printed and bent in the hand, `flash-replay` a
 * phone replaying a video of them. Each has a frame for the counter's light alone and one for the
 * panel lit red and blue (test/face/spoofs/make-rig-flash.ts); the rig camera answers the panel.
 * `flash-swap`: the attacker holds the persona's print up (it matches) and, the moment the panel
 * flashes, lowers it: under the flash the camera sees another person's own head (`SWAP_TURNER`'s
 * lit frames), live and answering the light.
 */
export const rigFlashKinds = ['flash-genuine', 'flash-print', 'flash-replay', 'flash-swap'] as const;
export type RigFlashKind = (typeof rigFlashKinds)[number];
export type RigFlashSubject = 'genuine' | 'print' | 'replay';
/** The lights each flash subject is rendered under: the counter's alone, and the panel lit red or blue. */
export const rigFlashLights = ['ambient', 'red', 'blue'] as const;
export type RigFlashLight = (typeof rigFlashLights)[number];

export function isFlashKind(kind: string): kind is RigFlashKind {
  return (rigFlashKinds as readonly string[]).includes(kind);
}

/** Every kind, once: the control protocol's schema and the CLI's usage are built from it. */
export const rigFaceKinds = ['genuine', 'impostor', 'photo', 'print', ...rigTurnKinds, ...rigFlashKinds] as const;
export type RigFaceKind = (typeof rigFaceKinds)[number];

export function isTurnKind(kind: string): kind is RigTurnKind {
  return (rigTurnKinds as readonly string[]).includes(kind);
}

export interface RigCameraSource {
  /** Absolute path of a video file (`kind: 'video'`) or a directory / ffmpeg image pattern (`'stills'`). */
  path: string;
  kind: 'video' | 'stills';
}

/** Card photo size: the card stores about 300×400 or less (SPEC §5, §3 step 4). */
export const CARD_PHOTO_WIDTH = 240;
export const CARD_PHOTO_HEIGHT = 320;

const repoRoot = resolve(__dirname, '..', '..');
export const faceFixtureDir = join(repoRoot, 'test', 'face', 'fixtures', 'faces');
/** Pre-rendered turns, `fNN.<kind>.<frame>.jpg` (test/face/spoofs/make-rig-turns.ts writes them). */
export const turnFixtureDir = join(repoRoot, 'test', 'face', 'fixtures', 'turns');
/** Pre-rendered flash subjects, `fNN.<subject>.<light>.jpg` (test/face/spoofs/make-rig-flash.ts writes them). */
export const flashFixtureDir = join(repoRoot, 'test', 'face', 'fixtures', 'flash');
/** The frames of each rendered 6-frame sequence that were kept (see make-rig-turns.ts), in order. */
const TURN_FRAMES = [2, 4, 5];
/** The face whose rendered genuine turns play the impostor's own head in the swap kinds. */
const SWAP_TURNER = 'f01';

/**
 * Which face (test/face/fixtures/faces/fNN.*) each persona wears: one distinct person each. The
 * source photographs show women only (test/face/README.md), so a face need not match the
 * persona's recorded sex; nothing in the flow compares them. Personas added later take the
 * first unused face.
 */
const faceOf: Partial<Record<PersonaName, string>> = {
  valid: 'f01',
  'expiring-soon': 'f03',
  'expired-grace': 'f05',
  'expired-past-grace': 'f06',
  revoked: 'f07',
  'pin-one-try': 'f08',
  'pin-locked': 'f09',
  'face-only': 'f10',
  unregistered: 'f11',
  android: 'f12',
  iphone: 'f13',
  'qualification-invalid': 'f14',
  'no-record': 'f15',
  'forged-photo': 'f16',
  'cloned-files': 'f17',
  'unknown-issuer': 'f18',
  'code-b-low': 'f20',
  // The 20 fixture faces are all taken. The design personas (issue 13) borrow the faces of two
  // attack personas whose cards are refused before any face matching (card-key-mismatch,
  // unknown-issuer), so no two personas that can reach face matching share a face.
  'foreign-resident': 'f17',
  'next-generation': 'f18',
};

/**
 * f19 is never a persona: the rig's impostor walks in with it. f02 (too dark to pass the quality
 * gate) and f04 (no face found in its card crop) are used by the evaluation only.
 */
export const FIXTURE_FACE_COUNT = 20;
const IMPOSTOR_FACE = 'f19';
const EVAL_ONLY_FACES = new Set(['f02', 'f04', IMPOSTOR_FACE]);

/** The fixture face id of a persona (stable; see faceOf). */
export function personaFaceId(name: PersonaName): string {
  const fixed = faceOf[name];
  if (fixed) return fixed;
  const used = new Set(Object.values(faceOf));
  const names = personas.map((p) => p.name).filter((n) => !faceOf[n]);
  const free: string[] = [];
  for (let i = 1; i <= FIXTURE_FACE_COUNT; i++) {
    const id = `f${String(i).padStart(2, '0')}`;
    if (!used.has(id) && !EVAL_ONLY_FACES.has(id)) free.push(id);
  }
  return free[names.indexOf(name) % Math.max(1, free.length)] ?? IMPOSTOR_FACE;
}

function faceFile(id: string, what: 'card' | 'camera' | 'spoof'): string {
  return join(faceFixtureDir, `${id}.${what}.jpg`);
}

/**
 * The card photo of a persona, decoded to greyscale at card resolution. Falls back to a
 * deterministic synthetic face-like pattern only when the fixture file is missing (a broken
 * checkout), so card emulation still works; face matching against it will then fail (no face).
 */
export async function personaFacePhoto(name: PersonaName): Promise<GreyImage> {
  const file = faceFile(personaFaceId(name), 'card');
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
 * What the rig camera plays: `genuine` = the persona's camera view (a still looped),
 * `impostor` = a person who is no persona, `photo` = the persona's card photo printed and
 * held up to the camera (a presentation attack; liveness must stop it), `print` and the turns:
 * see RigFaceKind.
 */
export function rigCameraSource(kind: RigFaceKind, persona: PersonaName): RigCameraSource {
  switch (kind) {
    case 'genuine':
      return { path: faceFile(personaFaceId(persona), 'camera'), kind: 'stills' };
    case 'impostor':
      return { path: faceFile(IMPOSTOR_FACE, 'camera'), kind: 'stills' };
    case 'photo':
      return { path: faceFile(personaFaceId(persona), 'spoof'), kind: 'stills' };
    case 'print':
      return { path: join(turnFixtureDir, `${personaFaceId(persona)}.print.0.jpg`), kind: 'stills' };
    case 'flash-genuine':
    case 'flash-print':
    case 'flash-replay':
    case 'flash-swap':
      // The camera runs on the counter's light; the rig camera swaps in the lit frames (flashFramePaths).
      return { path: flashFramePaths(kind, persona).ambient, kind: 'stills' };
    default:
      // A camera started on a turn kind shows the pose held at its end.
      return { path: turnFramePaths(kind, persona).at(-1)!, kind: 'stills' };
  }
}

/** The frames of a turn, in order (absolute paths; see hasTurnFrames). */
export function turnFramePaths(kind: RigTurnKind, persona: PersonaName): string[] {
  if (kind === 'swap-turn-left' || kind === 'swap-turn-right') {
    // Another person turning: never the holder's own head (then it would be no swap).
    const turner = personaFaceId(persona) === SWAP_TURNER ? 'none' : SWAP_TURNER;
    return TURN_FRAMES.map((k) => join(turnFixtureDir, `${turner}.${kind.replace('swap-', '')}.${k}.jpg`));
  }
  return TURN_FRAMES.map((k) => join(turnFixtureDir, `${personaFaceId(persona)}.${kind}.${k}.jpg`));
}

/** Whether the rig camera can show `kind` (the print or a turn) for this persona: rendered for few (make-rig-turns.ts). */
export function hasTurnFrames(kind: 'print' | RigTurnKind, persona: PersonaName): boolean {
  const files = kind === 'print' ? [rigCameraSource('print', persona).path] : turnFramePaths(kind, persona);
  return files.every((f) => existsSync(f));
}

/** The frames of a flash subject by light (absolute paths; see hasFlashFrames). */
export function flashFramePaths(kind: RigFlashKind, persona: PersonaName): Record<RigFlashLight, string> {
  const id = personaFaceId(persona);
  const of = (face: string, subject: RigFlashSubject): Record<RigFlashLight, string> =>
    Object.fromEntries(rigFlashLights.map((l) => [l, join(flashFixtureDir, `${face}.${subject}.${l}.jpg`)])) as Record<RigFlashLight, string>;
  if (kind === 'flash-swap') {
    // Another person under the flash: never the holder's own head (then it would be no swap).
    const turner = of(id === SWAP_TURNER ? 'none' : SWAP_TURNER, 'genuine');
    return { ambient: of(id, 'print').ambient, red: turner.red, blue: turner.blue };
  }
  return of(id, kind.replace('flash-', '') as RigFlashSubject);
}

/** Whether the rig camera can show the flash subject `kind` for this persona: rendered for few (make-rig-flash.ts). */
export function hasFlashFrames(kind: RigFlashKind, persona: PersonaName): boolean {
  return Object.values(flashFramePaths(kind, persona)).every((f) => existsSync(f));
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
