/**
 * The spoof set's persons (README.md): each camera view with FaceMesh's 3-D shape of it and the
 * attacker's surroundings (the view blurred and dimmed). Shared by eval-spoofs.ts and
 * eval-flash.ts; FaceMesh is loaded here only, never by the product.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { FaceEngine } from '../../../src/face/engine';
import type { RgbImage } from '../../../src/face/image';
import { faceFixtureDir } from '../../../rig/personas/face-images';
import { cameraProbe } from '../eval-set';
import type { MeshPoint, PersonScene } from './scenes';

async function background(id: string): Promise<RgbImage> {
  const { data, info } = await sharp(join(faceFixtureDir, `${id}.camera.jpg`)).blur(12).modulate({ brightness: 0.6 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

/** Call before creating the caller's own engine (human keeps its detector in a module variable: one engine's models at a time). */
export async function loadPersonScenes(ids: readonly string[]): Promise<Map<string, PersonScene>> {
  const scenes = new Map<string, PersonScene>();
  const meshEngine = await FaceEngine.create({ align: true, liveness: false, describe: false });
  for (const id of ids) {
    const view = await cameraProbe(id);
    const main = [...(await meshEngine.analyse(view)).faces].sort((a, b) => b.box.width - a.box.width)[0];
    if (!main?.mesh) throw new Error(`${id}: no FaceMesh shape`);
    scenes.set(id, { view, background: await background(id), mesh: main.mesh as MeshPoint[] });
  }
  return scenes;
}
