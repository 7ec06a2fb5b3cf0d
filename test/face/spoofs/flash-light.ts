/**
 * Lighting by the panel's colour flash for the spoof set (issue 14's colour-flash cue;
 * test/face/spoofs/README.md "Colour flash"). Physics only: the panel is a small source beside the
 * camera; a surface point P with normal n receives its light with cos θ · (f / |panel − P|)²
 * relative to a point facing it at the reference distance f (the face's ~50 cm). Diffuse surfaces
 * (skin, hair, paper) return it in proportion to their albedo, taken from the ambient picture as
 * if the ambient light were even; a screen shows its own picture and returns only `reflectance`
 * of it; the static background (the room) stands `backgroundDistance` × f from the camera and
 * faces it. Nothing here is imported from src/face/liveness.
 */
import type { RgbImage } from '../../../src/face/image';
import type { Camera, Vec3 } from './render';

export interface FlashLight {
  /** Added light per camera channel at the reference distance, as a fraction of the ambient light (panel colour × strength). */
  gain: [number, number, number];
  /** How the object in front of the background takes it. */
  material: 'diffuse' | 'emissive';
  /** Emissive objects: the fraction of the panel's light a screen's surface returns to the camera. */
  reflectance?: number;
  /** Distance of the background from the camera, in units of f. */
  backgroundDistance: number;
}

/** The panel's centre, 10 cm below the camera (f = 600 px ≙ 50 cm): the reader's screen sits under its camera. */
export function panelPosition(cam: Camera): Vec3 {
  return [0, 0.2 * cam.f, -cam.f];
}

/** Pixels each side over which a normal is taken (the renderer's grid step). */
const NORMAL_REACH = 4;

/** The grey level of a white diffuse surface under the ambient light at the camera's locked exposure. */
const WHITE = 230;

/**
 * Lights `img` in place, with `noise` (uniform ±amplitude) added before rounding. `world` holds each pixel's world position (NaN: background), as
 * drawSurface's `worldOut` writes it; the camera sits at (0, 0, −f).
 */
export function applyFlash(img: RgbImage, worldIn: Float32Array, light: FlashLight, cam: Camera, noise?: { amplitude: number; random: () => number }): void {
  const panel = panelPosition(cam);
  const { width: w, height: h } = img;
  const bg = 1 / (light.backgroundDistance * light.backgroundDistance);
  const world = smoothDepth(closeCracks(worldIn, w, h), w, h);
  const at = (x: number, y: number, k: number): number => world[(y * w + x) * 3 + k]!;
  const valid = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && !Number.isNaN(at(x, y, 0));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      let g: number;
      let emissive = false;
      if (!valid(x, y)) {
        g = bg;
      } else {
        emissive = light.material === 'emissive';
        // Normals over one grid step (4 px) where the surface goes on: the mesh is flat per
        // triangle, and differences across one pixel would light each triangle on its own.
        const reach = (dx: number, dy: number): number => {
          for (const k of [NORMAL_REACH, 2, 1]) if (valid(x + k * dx, y + k * dy)) return k;
          return 0;
        };
        const xa = x - reach(-1, 0);
        const xb = x + reach(1, 0);
        const ya = y - reach(0, -1);
        const yb = y + reach(0, 1);
        const P: Vec3 = [at(x, y, 0), at(x, y, 1), at(x, y, 2)];
        let nx = 0, ny = 0, nz = -1;
        if (xa !== xb && ya !== yb) {
          const u: Vec3 = [at(xb, y, 0) - at(xa, y, 0), at(xb, y, 1) - at(xa, y, 1), at(xb, y, 2) - at(xa, y, 2)];
          const v: Vec3 = [at(x, yb, 0) - at(x, ya, 0), at(x, yb, 1) - at(x, ya, 1), at(x, yb, 2) - at(x, ya, 2)];
          nx = u[1] * v[2] - u[2] * v[1];
          ny = u[2] * v[0] - u[0] * v[2];
          nz = u[0] * v[1] - u[1] * v[0];
          const len = Math.hypot(nx, ny, nz) || 1;
          nx /= len;
          ny /= len;
          nz /= len;
          if (nz > 0) {
            nx = -nx;
            ny = -ny;
            nz = -nz;
          }
        }
        const lx = panel[0] - P[0];
        const ly = panel[1] - P[1];
        const lz = panel[2] - P[2];
        const d = Math.hypot(lx, ly, lz);
        const cos = Math.max(0, (nx * lx + ny * ly + nz * lz) / d);
        g = cos * (cam.f / d) ** 2;
      }
      for (let c = 0; c < 3; c++) {
        const v = img.rgb[i + c]!;
        const added = emissive ? WHITE * (light.reflectance ?? 0.02) * light.gain[c]! * g : v * light.gain[c]! * g;
        // Sensor noise before the 8-bit quantisation, as in a camera: rounding first would drop
        // the flash on dark pixels (a 5 % change of a level under 10 is less than one step).
        const n = noise ? (noise.random() * 2 - 1) * noise.amplitude : 0;
        img.rgb[i + c] = Math.max(0, Math.min(255, Math.round(v + added + n)));
      }
    }
  }
}

/**
 * The rasteriser leaves single pixels undrawn where triangles meet (the view's own pixel shows
 * there, at the background's depth): a pixel with the surface on both sides, across or along, is
 * the surface.
 */
function closeCracks(world: Float32Array, w: number, h: number): Float32Array {
  const out = Float32Array.from(world);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = (y * w + x) * 3;
      if (!Number.isNaN(world[i]!)) continue;
      for (const [a, b] of [[i - 3, i + 3], [i - 3 * w, i + 3 * w]] as const) {
        if (Number.isNaN(world[a]!) || Number.isNaN(world[b]!)) continue;
        for (let k = 0; k < 3; k++) out[i + k] = (world[a + k]! + world[b + k]!) / 2;
        break;
      }
    }
  }
  return out;
}

/** Radius of the box blur (applied twice) over the surface's depth before normals are taken. */
const DEPTH_SMOOTHING = 12;

/**
 * The head's depth comes from FaceMesh's 468 points by inverse-distance weighting, which leaves a
 * small bump at each point (~15 px apart): lit by a point source, the face would look dimpled.
 * Skin is smooth at that scale, so the depth is blurred (within the surface only) for lighting.
 */
function smoothDepth(world: Float32Array, w: number, h: number): Float32Array {
  const out = Float32Array.from(world);
  let z = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) z[i] = world[i * 3 + 2]!;
  for (let pass = 0; pass < 4; pass++) {
    const horizontal = pass % 2 === 0;
    const next = new Float64Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (Number.isNaN(z[i]!)) {
          next[i] = NaN;
          continue;
        }
        let sum = 0;
        let n = 0;
        for (let k = -DEPTH_SMOOTHING; k <= DEPTH_SMOOTHING; k++) {
          const xx = horizontal ? x + k : x;
          const yy = horizontal ? y : y + k;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const v = z[yy * w + xx]!;
          if (Number.isNaN(v)) continue;
          sum += v;
          n++;
        }
        next[i] = sum / n;
      }
    }
    z = next;
  }
  for (let i = 0; i < w * h; i++) out[i * 3 + 2] = z[i]!;
  return out;
}
