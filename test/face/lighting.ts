/**
 * Held-out lighting conditions (issue 14): applied to a camera view after the fact, never used to
 * choose a threshold or a minimum — `eval:face` reports them in a section of their own, for the
 * genuine probes and for the impostor pairs, with the settings read off the normal set.
 *
 *   side-light     — light from one side: gain falling from ×1.25 on the left edge to ×0.4 on the right
 *   half-shadow    — the half of the face right of its centre line in shadow (×0.35, soft 12 px edge)
 *   warm-cast      — tungsten light: red ×1.12, green ×0.97, blue ×0.68
 *   low-contrast   — flat, hazy light: every channel pulled to mid-grey, 128 + (v − 128) × 0.4
 *
 * Pure pixel arithmetic on a copy; the face box for the shadow comes from the caller (the detector
 * on the untouched view), so the shadow falls on the face wherever the framing puts it.
 */
import type { Box, RgbImage } from '../../src/face/image';

export const lightingConditions = ['side-light', 'half-shadow', 'warm-cast', 'low-contrast'] as const;
export type LightingCondition = (typeof lightingConditions)[number];

const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));

export function withLighting(img: RgbImage, condition: LightingCondition, face: Box | undefined): RgbImage {
  const { width, height } = img;
  const out = new Uint8Array(img.rgb.length);
  const edgeX = face ? face.x + face.width / 2 : width / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const r = img.rgb[i] ?? 0;
      const g = img.rgb[i + 1] ?? 0;
      const b = img.rgb[i + 2] ?? 0;
      let k = [1, 1, 1];
      let pull = 1;
      switch (condition) {
        case 'side-light': {
          const gain = 1.25 - 0.85 * (x / Math.max(1, width - 1));
          k = [gain, gain, gain];
          break;
        }
        case 'half-shadow': {
          const t = Math.max(0, Math.min(1, (x - edgeX + 6) / 12)); // 0 left of the edge, 1 in the shadow
          const gain = 1 - 0.65 * t;
          k = [gain, gain, gain];
          break;
        }
        case 'warm-cast':
          k = [1.12, 0.97, 0.68];
          break;
        case 'low-contrast':
          pull = 0.4;
          break;
      }
      out[i] = clamp(128 + (r * (k[0] ?? 1) - 128) * pull);
      out[i + 1] = clamp(128 + (g * (k[1] ?? 1) - 128) * pull);
      out[i + 2] = clamp(128 + (b * (k[2] ?? 1) - 128) * pull);
    }
  }
  return { width, height, rgb: out };
}
