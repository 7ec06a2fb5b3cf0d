/**
 * Pre-rendered rig camera frames (the head turns, the flash subjects) decoded as the camera
 * delivers them: RGB at the configured size, fitted and padded black (ffmpeg's scale + pad).
 */
import type { RgbFrame } from '../../src/devices/camera/frame';

export type CameraImage = Pick<RgbFrame, 'width' | 'height' | 'rgb'>;

export async function decodeCameraFrames(files: readonly string[], width: number, height: number): Promise<CameraImage[]> {
  const { default: sharp } = await import('sharp');
  return Promise.all(
    files.map(async (file) => {
      const { data, info } = await sharp(file).resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 } }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    }),
  );
}
