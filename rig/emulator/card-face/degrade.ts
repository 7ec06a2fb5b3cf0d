/**
 * What a camera over the card tray does to the printed face (issue 7 §2): the card lies on a dark
 * tray, tilted and seen in perspective, slightly out of focus, with a glare spot, sensor noise and
 * JPEG artefacts — or upside down. Tests and the eval choose each parameter; `seed` makes the
 * noise reproducible.
 */
import sharp from 'sharp';
import { apply, homography, warp, type Point } from '../../../src/card-face/geometry';

export interface Degradation {
  /** In-plane rotation, degrees. */
  tiltDeg?: number;
  /** Keystone: the top edge is shorter by this fraction of the width (0–0.3). */
  perspective?: number;
  /** Gaussian blur sigma in pixels (0 = sharp). */
  blur?: number;
  /** Glare spot strength 0–1 (adds up to 255·strength at its centre). */
  glare?: number;
  /** Gaussian noise sigma in grey levels. */
  noise?: number;
  /** JPEG quality 1–100; undefined = PNG (lossless). */
  jpegQuality?: number;
  /** Card placed upside down (rotated 180°). */
  upsideDown?: boolean;
  /** Card width in the output as a fraction of the frame width (default 0.8). */
  scale?: number;
  seed?: number;
}

export const FRAME_WIDTH = 1120;
export const FRAME_HEIGHT = 800;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Takes the rendered card face (PNG) and returns the camera frame (JPEG or PNG). */
export async function degradeCardImage(cardPng: Buffer, d: Degradation = {}): Promise<Buffer> {
  const { data, info } = await sharp(cardPng).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const cw = info.width;
  const ch = info.height;
  const scale = (d.scale ?? 0.8) * FRAME_WIDTH / cw;
  const halfW = (cw * scale) / 2;
  const halfH = (ch * scale) / 2;
  const k = (d.perspective ?? 0) * halfW;
  // Card corners in the frame before rotation (keystone: top edge narrower).
  let quad: Point[] = [
    { x: -halfW + k, y: -halfH },
    { x: halfW - k, y: -halfH },
    { x: halfW, y: halfH },
    { x: -halfW, y: halfH },
  ];
  const angle = ((d.tiltDeg ?? 0) * Math.PI) / 180 + (d.upsideDown ? Math.PI : 0);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  quad = quad.map((p) => ({ x: FRAME_WIDTH / 2 + p.x * cos - p.y * sin, y: FRAME_HEIGHT / 2 + p.x * sin + p.y * cos }));
  const cardCorners: Point[] = [
    { x: 0, y: 0 },
    { x: cw - 1, y: 0 },
    { x: cw - 1, y: ch - 1 },
    { x: 0, y: ch - 1 },
  ];
  const frameToCard = homography(quad, cardCorners);
  const tray = [58, 52, 47];
  // Rounded card corners: outside the card's own rounded rectangle the tray shows through.
  const radius = 28;
  const inside = (x: number, y: number): boolean => {
    const p = apply(frameToCard, { x, y });
    const cx = Math.min(Math.max(p.x, radius), cw - 1 - radius);
    const cy = Math.min(Math.max(p.y, radius), ch - 1 - radius);
    return (p.x - cx) ** 2 + (p.y - cy) ** 2 <= radius * radius;
  };
  const frame = warp({ width: cw, height: ch, channels: 3, data }, FRAME_WIDTH, FRAME_HEIGHT, frameToCard, (_x, _y, c) => tray[c] ?? 0);
  const out = frame.data;
  // Tray colour in the rounded corners (cheap: only test pixels near the quad's corners).
  for (const q of quad) {
    const x0 = Math.max(0, Math.floor(q.x - radius * scale * 1.5));
    const x1 = Math.min(FRAME_WIDTH - 1, Math.ceil(q.x + radius * scale * 1.5));
    const y0 = Math.max(0, Math.floor(q.y - radius * scale * 1.5));
    const y1 = Math.min(FRAME_HEIGHT - 1, Math.ceil(q.y + radius * scale * 1.5));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (!inside(x, y)) {
          const o = (y * FRAME_WIDTH + x) * 3;
          for (let c = 0; c < 3; c++) out[o + c] = tray[c] ?? 0;
        }
      }
    }
  }
  const random = rng(d.seed ?? 1);
  const glare = d.glare ?? 0;
  const gx = FRAME_WIDTH * (0.35 + 0.3 * random());
  const gy = FRAME_HEIGHT * (0.3 + 0.4 * random());
  const gr = FRAME_WIDTH * 0.12;
  const noise = d.noise ?? 0;
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    for (let x = 0; x < FRAME_WIDTH; x++) {
      const o = (y * FRAME_WIDTH + x) * 3;
      let add = 0;
      if (glare > 0) add += 255 * glare * Math.exp(-((x - gx) ** 2 + (y - gy) ** 2) / (2 * gr * gr));
      if (noise > 0) {
        // Box-Muller from two uniforms.
        const u = Math.max(random(), 1e-9);
        add += noise * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      }
      for (let c = 0; c < 3; c++) {
        const v = (out[o + c] ?? 0) + add;
        out[o + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
  let img = sharp(Buffer.from(out.buffer, out.byteOffset, out.length), { raw: { width: FRAME_WIDTH, height: FRAME_HEIGHT, channels: 3 } });
  if ((d.blur ?? 0) >= 0.3) img = img.blur(d.blur);
  return d.jpegQuality === undefined ? img.png().toBuffer() : img.jpeg({ quality: d.jpegQuality }).toBuffer();
}
