/**
 * The spoof set of issue 14 (test/face/spoofs/README.md): for each person of the offline set,
 * burst sequences of a genuine head turn rendered from the 3-D shape FaceMesh gives for that
 * person's camera view, and of presentation attacks turned the same way — a flat colour print, a
 * bent (cylindrical) colour print, a phone showing a still photo (bezel, moiré, blue cast) and a
 * phone replaying the genuine turning video. Frames are made in memory, deterministic per seed.
 */
import type { RgbImage } from '../../../src/face/image';
import { applyFlash, type FlashLight } from './flash-light';
import { addNoise, copyImage, counterCamera, drawSurface, gridOver, rotate, unproject, type Camera, type Vec3 } from './render';

export type MeshPoint = [number, number, number];

export type SceneKind = 'genuine' | 'flat' | 'bent' | 'screen' | 'replay' | 'flat-small' | 'screen-small';
/** How the attacker turns the object: about the vertical axis, or about a diagonal (which shears the face like a turn). */
export type TurnAxis = 'vertical' | 'diagonal-a' | 'diagonal-b';

export interface SceneSpec {
  kind: SceneKind;
  axis: TurnAxis;
  /** Largest angle of the sequence, degrees, signed (genuine: > 0 = the patient turns to their right). */
  angleDeg: number;
  /** Bend radius as a fraction of the print width (bent prints). */
  bend?: number;
  /** `*-small`: the sheet held this much further away (× the camera's focal length), so that its edges are in the frame. */
  further?: number;
  seed: number;
}

export const FRAMES_PER_SEQUENCE = 6;

interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

function crop(img: RgbImage, r: Region): RgbImage {
  const out: RgbImage = { width: r.width, height: r.height, rgb: new Uint8Array(r.width * r.height * 3).fill(128) };
  for (let y = 0; y < r.height; y++) {
    const sy = r.y + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < r.width; x++) {
      const sx = r.x + x;
      if (sx < 0 || sx >= img.width) continue;
      for (let c = 0; c < 3; c++) out.rgb[(y * r.width + x) * 3 + c] = img.rgb[(sy * img.width + sx) * 3 + c]!;
    }
  }
  return out;
}

/** Adds a uniform border of `b` pixels in `colour`. */
function framed(img: RgbImage, b: number, colour: [number, number, number]): RgbImage {
  const w = img.width + 2 * b;
  const h = img.height + 2 * b;
  const out: RgbImage = { width: w, height: h, rgb: new Uint8Array(w * h * 3) };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const inside = x >= b && y >= b && x < b + img.width && y < b + img.height;
      for (let c = 0; c < 3; c++) out.rgb[i + c] = inside ? img.rgb[((y - b) * img.width + (x - b)) * 3 + c]! : colour[c]!;
    }
  }
  return out;
}

/** A colour ink-jet print: slightly lower contrast and saturation than the scene, white border. */
function printTexture(content: RgbImage): RgbImage {
  const out = copyImage(content);
  for (let i = 0; i < out.rgb.length; i += 3) {
    const l = 0.299 * out.rgb[i]! + 0.587 * out.rgb[i + 1]! + 0.114 * out.rgb[i + 2]!;
    for (let c = 0; c < 3; c++) out.rgb[i + c] = Math.max(0, Math.min(255, 18 + 0.85 * (0.8 * out.rgb[i + c]! + 0.2 * l)));
  }
  return framed(out, 12, [244, 244, 238]);
}

/** A phone screen: backlit (brighter, bluish), moiré from the pixel grid at 8°, black bezel. */
function phoneTexture(content: RgbImage): RgbImage {
  const out = copyImage(content);
  const c8 = Math.cos((8 * Math.PI) / 180);
  const s8 = Math.sin((8 * Math.PI) / 180);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const i = (y * out.width + x) * 3;
      const phase = (x * s8 + y * c8) % 3;
      const m = phase < 1 ? 0.82 : 1;
      out.rgb[i] = Math.min(255, out.rgb[i]! * 1.05 * 0.86 * m + 8);
      out.rgb[i + 1] = Math.min(255, out.rgb[i + 1]! * 1.05 * 0.9 * m + 8);
      out.rgb[i + 2] = Math.min(255, out.rgb[i + 2]! * 1.05 * 1.0 * m + 14);
    }
  }
  return framed(out, 14, [17, 17, 17]);
}

export interface PersonScene {
  view: RgbImage;
  /** The attacker's surroundings: the view blurred and dimmed (as test/face/make-fixtures.ts). */
  background: RgbImage;
  mesh: readonly MeshPoint[];
}

interface MeshStats {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  nose: MeshPoint;
  meanZ: number;
}

function meshStats(mesh: readonly MeshPoint[]): MeshStats {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, sumZ = 0;
  let nose = mesh[0]!;
  for (const p of mesh) {
    minX = Math.min(minX, p[0]);
    maxX = Math.max(maxX, p[0]);
    minY = Math.min(minY, p[1]);
    maxY = Math.max(maxY, p[1]);
    sumZ += p[2];
    if (p[2] < nose[2]) nose = p;
  }
  return { minX, maxX, minY, maxY, nose, meanZ: sumZ / mesh.length };
}

/** The printed / displayed portrait: the face and hair of the view, as a photographer would frame it. */
function portraitRegion(s: MeshStats, img: RgbImage): Region {
  const w = (s.maxX - s.minX) * 1.7;
  const h = (s.maxY - s.minY) * 1.6;
  const cx = (s.minX + s.maxX) / 2;
  const cy = (s.minY + s.maxY) / 2 - (s.maxY - s.minY) * 0.08;
  const x = Math.round(Math.max(0, cx - w / 2));
  const y = Math.round(Math.max(0, cy - h / 2));
  return { x, y, width: Math.round(Math.min(img.width - x, w)), height: Math.round(Math.min(img.height - y, h)) };
}

const GRID_STEP = 4;

/**
 * FaceMesh's z, as human returns it, is relative depth and compressed: on the 20 camera views the
 * nose tip stands 0.15–0.35 (median 0.24) eye-centre distances in front of the eyes, where
 * MediaPipe's metric canonical face model (mediapipe/modules/face_geometry/data/
 * canonical_face_model.obj: nose tip z 7.48 cm, eye centres z ≈ 3.47 cm, 6.3 cm apart) has 0.64.
 * The renderer stretches each person's depth by this factor (keeping the spread between persons:
 * 0.4–0.9 after it), so that a rendered turn moves the nose as a real one would.
 */
export const FACEMESH_DEPTH_SCALE = 2.6;

function scaledMesh(mesh: readonly MeshPoint[]): MeshPoint[] {
  const meanZ = mesh.reduce((a, p) => a + p[2], 0) / mesh.length;
  return mesh.map((p) => [p[0], p[1], meanZ + (p[2] - meanZ) * FACEMESH_DEPTH_SCALE]);
}

/**
 * Depth of each pixel of the view for a head: FaceMesh's z inside the face (inverse-distance mean
 * of the 6 nearest mesh points), an ellipsoid for the rest of the head (hair, ears), undefined
 * outside it (background and body, which do not turn with the head).
 */
function headDepth(mesh: readonly MeshPoint[], s: MeshStats): { depth: (x: number, y: number) => number | undefined; pivot: Vec3 } {
  const w = s.maxX - s.minX;
  const h = s.maxY - s.minY;
  const ex = (s.minX + s.maxX) / 2;
  const ey = (s.minY + s.maxY) / 2 - 0.1 * h;
  const a = 0.62 * w;
  const b = 0.75 * h;
  // The neck is the pivot: ~0.8 face widths behind the nose tip (≈ 10 cm for a 13 cm face).
  const zPivot = s.nose[2] + 0.8 * w;
  // The hair shell starts behind the face's rim (the farthest tenth of the mesh), or it would
  // cover the cheeks once the depth is stretched.
  const zs = mesh.map((p) => p[2]).sort((u, v) => u - v);
  const zFront = zs[Math.floor(zs.length * 0.9)]!;
  const near = new Array<{ d: number; z: number }>();
  const depth = (x: number, y: number): number | undefined => {
    const r2 = ((x - ex) / a) ** 2 + ((y - ey) / b) ** 2;
    if (r2 >= 1) return undefined;
    const zEll = zPivot - (zPivot - zFront) * Math.sqrt(1 - r2);
    near.length = 0;
    let dMin = Infinity;
    for (const p of mesh) {
      const d = Math.hypot(p[0] - x, p[1] - y);
      dMin = Math.min(dMin, d);
      if (near.length < 6) {
        near.push({ d, z: p[2] });
        near.sort((u, v) => u.d - v.d);
      } else if (d < near[5]!.d) {
        near[5] = { d, z: p[2] };
        near.sort((u, v) => u.d - v.d);
      }
    }
    let num = 0;
    let den = 0;
    for (const q of near) {
      const wt = 1 / (q.d * q.d + 1);
      num += wt * q.z;
      den += wt;
    }
    const zMesh = num / den;
    const t = Math.max(0, Math.min(1, (dMin - 0.03 * w) / (0.08 * w)));
    return (1 - t) * zMesh + t * zEll;
  };
  return { depth, pivot: [0, 0, zPivot] };
}

/** Precomputed head geometry of one person (the depth search is the slow part). */
export interface HeadModel {
  grid: { world0: Float64Array; pinned: Uint8Array; tex: Float64Array; cols: number; rows: number };
  pivot: Vec3;
}

export function headModel(p: PersonScene, cam: Camera = counterCamera): HeadModel {
  const mesh = scaledMesh(p.mesh);
  const s = meshStats(mesh);
  const { depth, pivot } = headDepth(mesh, s);
  const grid = gridOver(p.view.width, p.view.height, GRID_STEP, (x, y) => {
    const z = depth(x, y);
    return z === undefined ? undefined : unproject(cam, x, y, z);
  });
  const nose = unproject(cam, s.nose[0], s.nose[1], s.nose[2]);
  return { grid: { world0: grid.world, pinned: grid.pinned!, tex: grid.tex, cols: grid.cols, rows: grid.rows }, pivot: [nose[0], 0, pivot[2]] };
}

function jitterOf(random: () => number): { dx: number; dy: number; roll: number; pitch: number } {
  return { dx: (random() - 0.5) * 4, dy: (random() - 0.5) * 4, roll: ((random() - 0.5) * 3 * Math.PI) / 180, pitch: ((random() - 0.5) * 4 * Math.PI) / 180 };
}

/** Frame k of a genuine head turn (k = 0 frontal, the angle growing to `angleDeg` at the last frame). */
function genuineFrame(p: PersonScene, head: HeadModel, angleRad: number, random: () => number, cam: Camera, light?: FlashLight): RgbImage {
  const j = jitterOf(random);
  const n = head.grid.cols * head.grid.rows;
  const world = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (head.grid.pinned[i]) continue;
    let q: Vec3 = [head.grid.world0[i * 3]!, head.grid.world0[i * 3 + 1]!, head.grid.world0[i * 3 + 2]!];
    q = rotate(q, [0, 1, 0], angleRad, head.pivot);
    q = rotate(q, [1, 0, 0], j.pitch, head.pivot);
    q = rotate(q, [0, 0, 1], j.roll, head.pivot);
    world[i * 3] = q[0] + j.dx;
    world[i * 3 + 1] = q[1] + j.dy;
    world[i * 3 + 2] = q[2];
  }
  const out = copyImage(p.view);
  const zbuf = new Float32Array(out.width * out.height).fill(Infinity);
  const worldOut = light ? new Float32Array(out.width * out.height * 3).fill(NaN) : undefined;
  drawSurface(out, zbuf, p.view, { cols: head.grid.cols, rows: head.grid.rows, tex: head.grid.tex, world, pinned: head.grid.pinned }, cam, worldOut);
  if (light) applyFlash(out, worldOut!, light, cam, { amplitude: 5, random });
  else addNoise(out, 5, random);
  return out;
}

function axisOf(axis: TurnAxis): Vec3 {
  const r = Math.SQRT1_2;
  return axis === 'vertical' ? [0, 1, 0] : axis === 'diagonal-a' ? [r, r, 0] : [r, -r, 0];
}

/**
 * A rigid sheet (print or phone) showing `texture`, whose pixel (sx, sy) sits over the view's pixel
 * (ox + sx, oy + sy) when the sheet faces the camera, optionally bent into a cylinder about a
 * vertical axis (edges away from the camera), turned by `angleRad` about `axis` through its centre.
 */
function sheetFrame(background: RgbImage, texture: RgbImage, ox: number, oy: number, axis: TurnAxis, angleRad: number, bendRadius: number | undefined, random: () => number, cam: Camera, noise = 5, further = 0, light?: FlashLight, cutOut?: (sx: number, sy: number) => boolean): RgbImage {
  const j = jitterOf(random);
  const centre = unproject(cam, ox + texture.width / 2, oy + texture.height / 2, 0);
  const grid = gridOver(texture.width, texture.height, GRID_STEP, (sx, sy) => {
    let q = unproject(cam, ox + sx, oy + sy, 0);
    if (bendRadius !== undefined) {
      const arc = q[0] - centre[0];
      q = [centre[0] + bendRadius * Math.sin(arc / bendRadius), q[1], bendRadius * (1 - Math.cos(arc / bendRadius))];
    }
    q = rotate(q, axisOf(axis), angleRad, centre);
    q = rotate(q, [0, 0, 1], j.roll, centre);
    return [q[0] + j.dx, q[1] + j.dy, q[2] + further * cam.f];
  });
  grid.pinned = undefined;
  if (cutOut) grid.hidden = Uint8Array.from({ length: grid.cols * grid.rows }, (_, i) => (cutOut(grid.tex[i * 2]!, grid.tex[i * 2 + 1]!) ? 0 : 1));
  const out = copyImage(background);
  const zbuf = new Float32Array(out.width * out.height).fill(Infinity);
  const worldOut = light ? new Float32Array(out.width * out.height * 3).fill(NaN) : undefined;
  drawSurface(out, zbuf, texture, grid, cam, worldOut);
  if (light) applyFlash(out, worldOut!, light, cam, { amplitude: noise, random });
  else addNoise(out, noise, random);
  return out;
}

/**
 * The frames of one sequence. Frame 0 faces the camera; the angle grows linearly to `angleDeg`
 * over FRAMES_PER_SEQUENCE frames (a slow turn over ~1 s at the camera's rate, as asked).
 */
export function renderSequence(p: PersonScene, head: HeadModel, spec: SceneSpec, random: () => number, cam: Camera = counterCamera): RgbImage[] {
  const frames: RgbImage[] = [];
  const s = meshStats(p.mesh);
  const region = portraitRegion(s, p.view);
  const angle = (k: number): number => ((spec.angleDeg * Math.PI) / 180) * (k / (FRAMES_PER_SEQUENCE - 1));
  const print = spec.kind === 'flat' || spec.kind === 'bent' || spec.kind === 'flat-small' ? printTexture(crop(p.view, region)) : undefined;
  const still = spec.kind === 'screen' || spec.kind === 'screen-small' ? phoneTexture(crop(p.view, region)) : undefined;
  for (let k = 0; k < FRAMES_PER_SEQUENCE; k++) {
    switch (spec.kind) {
      case 'genuine':
        frames.push(genuineFrame(p, head, angle(k), random, cam));
        break;
      case 'flat':
      case 'bent': {
        const tex = print!;
        const bend = spec.kind === 'bent' ? (spec.bend ?? 0.6) * tex.width : undefined;
        frames.push(sheetFrame(p.background, tex, region.x - 12, region.y - 12, spec.axis, angle(k), bend, random, cam));
        break;
      }
      case 'screen':
        frames.push(sheetFrame(p.background, still!, region.x - 14, region.y - 14, spec.axis, angle(k), undefined, random, cam));
        break;
      case 'flat-small':
        frames.push(sheetFrame(p.background, print!, region.x - 12, region.y - 12, spec.axis, angle(k), undefined, random, cam, 5, spec.further ?? 0.5));
        break;
      case 'screen-small':
        frames.push(sheetFrame(p.background, still!, region.x - 14, region.y - 14, spec.axis, angle(k), undefined, random, cam, 5, spec.further ?? 0.5));
        break;
      case 'replay': {
        // The attacker's phone plays a video of the patient turning (the genuine turn, re-filmed),
        // held nearly still in front of the camera: the screen moves only with the hand.
        const content = genuineFrame(p, head, angle(k), random, cam);
        const tex = phoneTexture(crop(content, region));
        const hand = ((random() - 0.5) * 4 * Math.PI) / 180;
        frames.push(sheetFrame(p.background, tex, region.x - 14, region.y - 14, 'vertical', hand, undefined, random, cam));
        break;
      }
    }
  }
  return frames;
}

/**
 * Colour-flash scenes (README "Colour flash"): the object held still (small pose or tilt, the
 * hand's jitter per frame) while the panel shows one colour per frame.
 */
export type FlashSceneKind = 'genuine' | 'genuine-wall' | 'flat' | 'bent' | 'cut-out' | 'screen' | 'replay' | 'flat-small' | 'screen-small';

export interface FlashSceneSpec {
  kind: FlashSceneKind;
  /** The panel's light on a surface facing it at 50 cm, as a fraction of the ambient light. */
  strength: number;
  /** The room behind, in units of f (1 f ≈ 50 cm from the camera). */
  backgroundDistance: number;
  /** Genuine: the head's yaw; sheets: their tilt about `axis`. Degrees. */
  angleDeg: number;
  axis: TurnAxis;
  bend?: number;
  further?: number;
  /** Screens: the fraction of the panel's light their surface returns. */
  reflectance?: number;
  seed: number;
}

/** What a camera's R, G, B see of the panel's full red and full blue (a little crosstalk). */
export const PANEL_COLOURS: Record<'red' | 'blue', [number, number, number]> = { red: [1, 0.1, 0.03], blue: [0.03, 0.15, 1] };

export function renderFlashFrames(p: PersonScene, head: HeadModel, spec: FlashSceneSpec, colours: readonly ('red' | 'blue')[], random: () => number, cam: Camera = counterCamera): RgbImage[] {
  const s = meshStats(p.mesh);
  const region = portraitRegion(s, p.view);
  const angle = (spec.angleDeg * Math.PI) / 180;
  const light = (colour: 'red' | 'blue', material: FlashLight['material']): FlashLight => ({
    gain: PANEL_COLOURS[colour].map((g) => g * spec.strength) as [number, number, number],
    material,
    backgroundDistance: spec.backgroundDistance,
    ...(spec.reflectance !== undefined ? { reflectance: spec.reflectance } : {}),
  });
  const print = ['flat', 'bent', 'cut-out', 'flat-small'].includes(spec.kind) ? printTexture(crop(p.view, region)) : undefined;
  const still = spec.kind === 'screen' || spec.kind === 'screen-small' ? phoneTexture(crop(p.view, region)) : undefined;
  // The cut-out: the print trimmed to the head's outline (the ellipse of headDepth), no paper around it.
  const ex = (s.minX + s.maxX) / 2 - region.x + 12;
  const ey = (s.minY + s.maxY) / 2 - 0.1 * (s.maxY - s.minY) - region.y + 12;
  const inHead = (sx: number, sy: number): boolean => ((sx - ex) / (0.62 * (s.maxX - s.minX))) ** 2 + ((sy - ey) / (0.75 * (s.maxY - s.minY))) ** 2 < 1;
  return colours.map((colour) => {
    switch (spec.kind) {
      case 'genuine':
      case 'genuine-wall':
        return genuineFrame(p, head, angle, random, cam, light(colour, 'diffuse'));
      case 'flat':
      case 'bent':
      case 'cut-out': {
        const bend = spec.kind === 'bent' ? (spec.bend ?? 0.6) * print!.width : undefined;
        return sheetFrame(p.background, print!, region.x - 12, region.y - 12, spec.axis, angle, bend, random, cam, 5, 0, light(colour, 'diffuse'), spec.kind === 'cut-out' ? inHead : undefined);
      }
      case 'flat-small':
        return sheetFrame(p.background, print!, region.x - 12, region.y - 12, spec.axis, angle, undefined, random, cam, 5, spec.further ?? 0.5, light(colour, 'diffuse'));
      case 'screen':
        return sheetFrame(p.background, still!, region.x - 14, region.y - 14, spec.axis, angle, undefined, random, cam, 5, 0, light(colour, 'emissive'));
      case 'screen-small':
        return sheetFrame(p.background, still!, region.x - 14, region.y - 14, spec.axis, angle, undefined, random, cam, 5, spec.further ?? 0.5, light(colour, 'emissive'));
      case 'replay': {
        // A video of the patient (filmed earlier, so without this flash) on a phone held still.
        const content = genuineFrame(p, head, angle, random, cam);
        return sheetFrame(p.background, phoneTexture(crop(content, region)), region.x - 14, region.y - 14, 'vertical', ((random() - 0.5) * 4 * Math.PI) / 180, undefined, random, cam, 5, 0, light(colour, 'emissive'));
      }
    }
  });
}
