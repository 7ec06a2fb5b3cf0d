/**
 * The colour-flash screen cue of issue 14 ("a colour flash on the panel whose reflection on the
 * face differs from the background"). Pure function over camera frames taken while the panel
 * next to the camera shows full-screen red or blue, in an order the device picks at random.
 *
 * Physics (why it separates the cases): the panel lights what is in front of it with irradiance
 * falling off as cos θ / d². A real face ~50 cm away reflects it diffusely: its red channel rises
 * under red and its blue channel under blue, by a fraction of the ambient light that does not
 * depend on the skin's colour (the albedo cancels in ΔI / I). The room behind the patient (≥ 1 m)
 * gets (0.5 / d)² of it: a quarter or less. A phone screen emits its own picture and reflects
 * only a few per cent of the panel: its face barely changes colour (replays of a filmed head turn
 * included, whatever the video shows). A print reflects diffusely like skin, but as one surface:
 * where its paper surrounds the face, the surround changes as much as the face; and it has no
 * relief — a real face's cheeks and temples turn away from the panel, its nose and forehead face
 * it, so the response is higher in the middle of the face than at its edges, where on a flat
 * sheet it is even (or a linear gradient when the sheet is tilted, which cancels between the
 * centre and the ring around it).
 *
 * Measured quantity per region: the flash gain g = ½ (ΔR / R̄ + ΔB / B̄), ΔR = R under red − R
 * under blue and ΔB = B under blue − B under red. A luminance change between the frames (motion,
 * auto-exposure, flicker) moves R and B alike and cancels in the sum; the flash moves them in
 * opposite directions and adds.
 *
 * Limits (say them plainly): a print cut to the outline of the head (no paper around the face)
 * and bent so that its edges turn away can give both a surround and a relief; the gain depends on
 * the panel's brightness against the counter's light (a sunlit counter weakens it for everyone:
 * `minFaceGain` is a property of the installation, to be checked at the site with the panel's own
 * flash); a surround that is a wall right behind the patient lowers the ratio; the camera's
 * exposure and white balance must be locked for the flash frames.
 */
import type { Box, RgbImage } from '../image';
import { median } from '../stats';

export type FlashColour = 'red' | 'blue';

export interface FlashFrame {
  /** What the panel showed while this frame was exposed. */
  colour: FlashColour;
  image: RgbImage;
}

export interface FlashConfig {
  /** Cells per side of the grid over the face (odd, ≥ 3: a centre and a ring). */
  grid: number;
  /** The grid's side as a fraction of the detector box's, centred: the face itself, not its outline. */
  faceFraction: number;
  /** Median flash gain over the face's cells below which the face did not reflect the panel. */
  minFaceGain: number;
  /** The face's gain must be at least this many times the surround's. */
  minSurroundRatio: number;
  /**
   * (centre − ring) / centre of the cells' median gains below which the face is flat: the middle
   * of a head faces the panel, its cheeks and temples turn away; a sheet lights evenly, or as a
   * linear gradient when tilted, which cancels between the centre and the ring.
   */
  minRelief: number;
}

/**
 * Thresholds: `minFaceGain` and `minSurroundRatio` from the physics above, set before any
 * rendered scene was measured — the panel is taken to add ≥ 5 % of the ambient light on a face at
 * 50 cm (a 7-inch panel at ~300 cd/m² under ~400 lx), so a face facing it gains ≥ ~0.04, a
 * screen's ~2 % reflectance ~10× less; a room 1 m or more behind the subject gets a quarter of
 * the face's light or less (ratio ≥ 4), paper around the face the same (~1): 2 in between.
 * `faceFraction` 0.6 and `minRelief` 0.18 were read off the eval's tuning draw (seed base 5000,
 * docs/face.md "Colour flash"): over the whole box the ring was the head's outline, not its
 * relief; with the middle only, the a-priori 0.08 let 10 of 80 flat prints and 61 of 80 bent
 * ones through (a bent print's relief reaches 0.175 at its 95th percentile, genuine heads' 5th
 * percentile is 0.21). The figures to quote are the held-out draw's (seed base 7000).
 */
export const defaultFlashConfig: FlashConfig = { grid: 5, faceFraction: 0.6, minFaceGain: 0.02, minSurroundRatio: 2, minRelief: 0.18 };

export type FlashVerdict =
  /** The face reflected the panel as a near, curved surface in front of a far background. */
  | 'live'
  /** The face did not change with the panel's colour: a screen, or the panel too weak here. */
  | 'no-reflection'
  /** The surround changed as much as the face: one sheet. */
  | 'flat-surround'
  /** The face changed evenly, like paper, not like a head. */
  | 'flat-relief'
  /** Not both colours, or the face box too small or too dark to measure. */
  | 'insufficient';

export interface FlashResult {
  verdict: FlashVerdict;
  /** Median gain over the face's cells. */
  faceGain: number;
  /** Gain of the bands beside the face (in the frame), when there are any. */
  surroundGain?: number;
  relief: number;
  /** Cells bright enough to measure. */
  cells: number;
}

/** Mean R and B (the channels the flash moves) and the pixel count. */
interface Sums {
  r: number;
  b: number;
  n: number;
}

/** Mean R and B of a rectangle (clipped to the image), over the frames of one colour. */
function meanOf(frames: readonly RgbImage[], x0: number, y0: number, x1: number, y1: number): Sums {
  const s: Sums = { r: 0, b: 0, n: 0 };
  for (const img of frames) {
    const xa = Math.max(0, Math.floor(x0));
    const ya = Math.max(0, Math.floor(y0));
    const xb = Math.min(img.width, Math.ceil(x1));
    const yb = Math.min(img.height, Math.ceil(y1));
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const i = (y * img.width + x) * 3;
        s.r += img.rgb[i]!;
        s.b += img.rgb[i + 2]!;
        s.n++;
      }
    }
  }
  if (s.n > 0) {
    s.r /= s.n;
    s.b /= s.n;
  }
  return s;
}

/** Darker than this (mean of a channel, 0–255) a region's relative change is noise. */
const MIN_CHANNEL_MEAN = 8;

/** ½ (ΔR / R̄ + ΔB / B̄) of one region, or undefined when it is too dark or empty. */
function gainOf(red: readonly RgbImage[], blue: readonly RgbImage[], x0: number, y0: number, x1: number, y1: number): number | undefined {
  const a = meanOf(red, x0, y0, x1, y1);
  const b = meanOf(blue, x0, y0, x1, y1);
  if (a.n === 0 || b.n === 0) return undefined;
  const rBar = (a.r + b.r) / 2;
  const bBar = (a.b + b.b) / 2;
  if (rBar < MIN_CHANNEL_MEAN || bBar < MIN_CHANNEL_MEAN) return undefined;
  return ((a.r - b.r) / rBar + (b.b - a.b) / bBar) / 2;
}

export function judgeFlash(frames: readonly FlashFrame[], box: Box, cfg: FlashConfig = defaultFlashConfig): FlashResult {
  const red = frames.filter((f) => f.colour === 'red').map((f) => f.image);
  const blue = frames.filter((f) => f.colour === 'blue').map((f) => f.image);
  const none: FlashResult = { verdict: 'insufficient', faceGain: 0, relief: 0, cells: 0 };
  const n = cfg.grid;
  if (red.length === 0 || blue.length === 0 || n < 3 || n % 2 === 0) return none;
  // The grid covers the middle of the detector's box: BlazeFace's box reaches past the cheeks to
  // the ears and hair, where a real head turns 70–90° away and a print shows its edge and the
  // room, so over the whole box both would read as relief (first run of the eval, docs/face.md).
  const inner: Box = {
    x: box.x + ((1 - cfg.faceFraction) / 2) * box.width,
    y: box.y + ((1 - cfg.faceFraction) / 2) * box.height,
    width: cfg.faceFraction * box.width,
    height: cfg.faceFraction * box.height,
  };
  if (inner.width < 4 * n || inner.height < 4 * n) return none;
  const cw = inner.width / n;
  const ch = inner.height / n;
  const cell: (number | undefined)[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const x0 = inner.x + i * cw;
      const y0 = inner.y + j * ch;
      cell.push(gainOf(red, blue, x0, y0, x0 + cw, y0 + ch));
    }
  }
  const measured = cell.filter((g): g is number => g !== undefined);
  // Half the cells at least: a face mostly in deep shadow or off the frame is not judged.
  if (measured.length < (n * n) / 2) return { ...none, cells: measured.length };
  const faceGain = median(measured);
  // The centre (the inner (n−2)² cells) against the ring of cells along the box's edges.
  const centre: number[] = [];
  const ring: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const g = cell[j * n + i];
      if (g === undefined) continue;
      (i === 0 || j === 0 || i === n - 1 || j === n - 1 ? ring : centre).push(g);
    }
  }
  // Medians: the ring's corner cells fall outside a head's outline (room, hair) and would read
  // as relief on any object cut to a face's shape.
  const relief = centre.length > 0 && ring.length > 0 && median(centre) > 0 ? (median(centre) - median(ring)) / median(centre) : 0;
  // Bands beside the face at its height, 0.45–0.9 box widths out: past the hair and ears of a
  // real head, on the paper of a print held close (whose portrait is ~1.7 face widths wide).
  const bands: number[] = [];
  for (const side of [-1, 1]) {
    const x0 = side < 0 ? box.x - 0.9 * box.width : box.x + box.width + 0.45 * box.width;
    const x1 = x0 + 0.45 * box.width;
    const img = red[0]!;
    const inside = Math.max(0, Math.min(img.width, x1) - Math.max(0, x0));
    if (inside < 0.25 * 0.45 * box.width) continue;
    const g = gainOf(red, blue, x0, box.y, x1, box.y + box.height);
    if (g !== undefined) bands.push(g);
  }
  const surroundGain = bands.length > 0 ? bands.reduce((a, b) => a + b, 0) / bands.length : undefined;
  const base = { faceGain, relief, cells: measured.length, ...(surroundGain !== undefined ? { surroundGain } : {}) };
  if (faceGain < cfg.minFaceGain) return { verdict: 'no-reflection', ...base };
  if (surroundGain !== undefined && faceGain < cfg.minSurroundRatio * surroundGain) return { verdict: 'flat-surround', ...base };
  if (relief < cfg.minRelief) return { verdict: 'flat-relief', ...base };
  return { verdict: 'live', ...base };
}

/**
 * The panel's sequence for one check: three frames, red–blue–red or blue–red–blue at random, so
 * that a frame drift between the outer two cancels and a pre-recorded response would have to
 * guess the order. `random` returns [0, 1).
 */
export function flashSequence(random: () => number): FlashColour[] {
  return random() < 0.5 ? ['red', 'blue', 'red'] : ['blue', 'red', 'blue'];
}

