/**
 * The persona's face photo as the card-face application stores it and the printed face shows it.
 * Until the persona face images (H5, `src/personas/face-images.ts`) are wired in, a synthetic
 * greyscale portrait seeded by the persona name stands in: a face-like oval with eyes and mouth,
 * different per persona, so a swapped photo differs in bytes and in look.
 */
import { createHash } from 'node:crypto';
import type { GreyImage } from '../../card-face/jpeg2000';

export const PHOTO_WIDTH = 240;
export const PHOTO_HEIGHT = 300;

export function syntheticFacePhoto(seed: string): GreyImage {
  const h = createHash('sha256').update(seed).digest();
  const b = (i: number): number => h[i % h.length] ?? 0;
  const w = PHOTO_WIDTH;
  const ht = PHOTO_HEIGHT;
  const grey = new Uint8Array(w * ht);
  const bg = 190 + (b(0) % 40);
  const skin = 140 + (b(1) % 60);
  const hair = 20 + (b(2) % 50);
  const cx = w / 2 + ((b(3) % 20) - 10);
  const cy = ht * 0.48;
  const rx = 70 + (b(4) % 20);
  const ry = 95 + (b(5) % 20);
  const eyeY = cy - ry * 0.15;
  const eyeDx = rx * 0.42;
  for (let y = 0; y < ht; y++) {
    for (let x = 0; x < w; x++) {
      let v = bg - Math.floor(y / 12);
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      const d = dx * dx + dy * dy;
      if (y > cy + ry * 0.8 && Math.abs(x - cx) < rx * 1.6) v = 60 + (b(6) % 60); // shoulders
      if (d < 1) v = skin;
      if (d < 1.15 && d >= 0.8 && y < cy - ry * 0.2) v = hair;
      if (d < 1 && y < cy - ry * 0.55) v = hair;
      for (const ex of [cx - eyeDx, cx + eyeDx]) {
        const e = ((x - ex) / 11) ** 2 + ((y - eyeY) / 6) ** 2;
        if (e < 1) v = 30;
      }
      if (Math.abs(x - cx) < rx * 0.3 && Math.abs(y - (cy + ry * 0.45)) < 3) v = 70; // mouth
      if (Math.abs(x - cx) < 3 && y > eyeY && y < cy + ry * 0.2) v = skin - 25; // nose
      grey[y * w + x] = Math.max(0, Math.min(255, v));
    }
  }
  return { width: w, height: ht, grey };
}
