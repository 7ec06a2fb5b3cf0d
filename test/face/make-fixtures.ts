/**
 * Regenerates test/face/fixtures/faces/ from the sample photographs shipped in the npm package
 * @vladmandic/face-api (demo/sample1-6.jpg, MIT). Run: `node --import tsx test/face/make-fixtures.ts`.
 * Deterministic given the same package version and models. See test/face/README.md.
 *
 * For every face found (detector score ≥ 0.6, face ≥ 90 px wide in the original):
 *   fNN.card.jpg   — the "card photo": portrait crop, greyscale, 240×320, JPEG (SPEC §5: small, grey)
 *   fNN.camera.jpg — a 640×480 colour "camera" view around the same face, wider framing
 *   fNN.spoof.jpg  — the card photo printed on paper and held up to the camera (presentation attack)
 *   fNN.screen.jpg — a colour photo of the person shown on a phone screen held up to the camera
 *                    (black bezel, bluish backlit screen, moiré lines from the pixel grid)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FaceEngine } from '../../src/face/engine';

const sampleDir = join(__dirname, '..', '..', 'node_modules', '@vladmandic', 'face-api', 'demo');
const outDir = join(__dirname, 'fixtures', 'faces');

interface Found {
  sample: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const engine = await FaceEngine.create({ align: true, liveness: false, describe: false }); // boxes as when the set was made
  const found: Found[] = [];
  for (let i = 1; i <= 6; i++) {
    const sample = `sample${i}.jpg`;
    const meta = await sharp(join(sampleDir, sample)).metadata();
    const scale = 1280 / (meta.width ?? 1280);
    const { data, info } = await sharp(join(sampleDir, sample)).resize(1280).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const analysis = await engine.analyse({ width: info.width, height: info.height, rgb: new Uint8Array(data) });
    const faces = analysis.faces
      .filter((f) => f.score >= 0.6 && f.box.width / scale >= 90)
      .sort((a, b) => a.box.x - b.box.x);
    for (const f of faces) found.push({ sample, x: f.box.x / scale, y: f.box.y / scale, w: f.box.width / scale, h: f.box.height / scale });
  }
  const index: object[] = [];
  for (const [n, f] of found.entries()) {
    const id = `f${String(n + 1).padStart(2, '0')}`;
    const src = join(sampleDir, f.sample);
    const meta = await sharp(src).metadata();
    const W = meta.width ?? 0;
    const H = meta.height ?? 0;
    const cx = f.x + f.w / 2;
    const cy = f.y + f.h / 2;
    const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));
    // Card photo: detector box (≈1.5× the face) about 90 % of the width, 3:4 portrait, eyes a bit above centre.
    const cw = Math.min(W, f.w / 0.9);
    const ch = Math.min(H, (cw * 4) / 3);
    const card = { left: Math.round(clamp(cx - cw / 2, 0, W - cw)), top: Math.round(clamp(cy - ch * 0.45, 0, H - ch)), width: Math.round(cw), height: Math.round(ch) };
    const cardJpg = await sharp(src).extract(card).resize(240, 320).greyscale().jpeg({ quality: 70 }).toBuffer();
    writeFileSync(join(outDir, `${id}.card.jpg`), cardJpg);
    // Camera view: detector box about 60 % of the frame width (keeps neighbours out), 4:3, centred (clipped at the photo edge).
    const vw = Math.min(W, f.w / 0.6);
    const vh = Math.min(H, (vw * 3) / 4);
    const view = { left: Math.round(clamp(cx - vw / 2, 0, W - vw)), top: Math.round(clamp(cy - vh / 2, 0, H - vh)), width: Math.round(vw), height: Math.round(vh) };
    writeFileSync(join(outDir, `${id}.camera.jpg`), await sharp(src).extract(view).resize(640, 480).jpeg({ quality: 85 }).toBuffer());
    // Spoof: the grey card photo printed (white border), slightly turned, on a dim cluttered
    // background, with a glare band and a little sensor noise — what a camera sees when someone
    // holds up a print of the card photo.
    const print = await sharp(cardJpg).resize(240, 320).extend({ top: 8, bottom: 8, left: 8, right: 8, background: '#f4f4f0' }).rotate(-6, { background: '#00000000' }).png().toBuffer();
    const bg = await sharp(src).extract(view).resize(640, 480).blur(12).modulate({ brightness: 0.6 }).png().toBuffer();
    const glare = Buffer.from(
      `<svg width="640" height="480"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0.35" stop-color="#fff" stop-opacity="0"/><stop offset="0.5" stop-color="#fff" stop-opacity="0.35"/><stop offset="0.65" stop-color="#fff" stop-opacity="0"/></linearGradient></defs><rect width="640" height="480" fill="url(#g)"/></svg>`,
    );
    const spoof = await sharp(bg)
      .composite([{ input: print, left: 190, top: 60 }, { input: glare }])
      .jpeg({ quality: 80 })
      .toBuffer();
    writeFileSync(join(outDir, `${id}.spoof.jpg`), spoof);
    // Screen replay: a phone (bezel 12 px) showing the colour face crop, 270×360 on screen.
    const faceColour = await sharp(src).extract(card).resize(246, 328).modulate({ brightness: 1.15, saturation: 0.9 }).tint({ r: 215, g: 225, b: 255 }).png().toBuffer();
    const moire = Buffer.from(
      `<svg width="246" height="328"><defs><pattern id="m" width="3" height="3" patternUnits="userSpaceOnUse" patternTransform="rotate(8)"><rect width="3" height="1" fill="#000" fill-opacity="0.18"/></pattern></defs><rect width="246" height="328" fill="url(#m)"/></svg>`,
    );
    const screenImg = await sharp(faceColour).composite([{ input: moire }]).png().toBuffer();
    const phone = await sharp({ create: { width: 270, height: 380, channels: 4, background: '#111111ff' } })
      .composite([{ input: screenImg, left: 12, top: 26 }])
      .rotate(4, { background: '#00000000' })
      .png()
      .toBuffer();
    const screen = await sharp(bg)
      .composite([{ input: phone, left: 180, top: 40 }, { input: glare }])
      .jpeg({ quality: 80 })
      .toBuffer();
    writeFileSync(join(outDir, `${id}.screen.jpg`), screen);
    index.push({ id, sample: f.sample, box: [f.x, f.y, f.w, f.h].map(Math.round) });
  }
  writeFileSync(join(outDir, 'index.json'), JSON.stringify({ source: '@vladmandic/face-api demo/sample1-6.jpg (MIT)', faces: index }, null, 2) + '\n');
  process.stdout.write(`wrote ${found.length} faces to ${outDir}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
