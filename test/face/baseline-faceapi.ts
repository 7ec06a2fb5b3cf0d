/**
 * The comparison baseline of issue 5 §3: face-api.js's default pipeline (SSD MobileNet v1 +
 * 68-point landmarks + 128-D recognition net, euclidean distance < 0.6), loaded from the
 * @vladmandic/face-api package on the same WebAssembly backend. Bench and eval only; the product
 * never loads it. Its weights stay in node_modules (not copied to models/).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbImage } from '../../src/face/image';
import { toRgb, type AnyImage } from '../../src/face/image';

export const FACEAPI_DISTANCE_THRESHOLD = 0.6;

interface FaceApiTensor {
  dispose(): void;
}
interface FaceApi {
  tf: { setBackend(b: string): Promise<boolean>; ready(): Promise<void>; getBackend(): string; tensor3d(v: Int32Array, s: [number, number, number], d: 'int32'): FaceApiTensor };
  nets: Record<'ssdMobilenetv1' | 'faceLandmark68Net' | 'faceRecognitionNet', { loadFromDisk(dir: string): Promise<void> }>;
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => object;
  detectAllFaces(input: FaceApiTensor, o: object): PromiseLike<{ box: { width: number } }[]> & {
    withFaceLandmarks(): { withFaceDescriptors(): PromiseLike<{ detection: { box: { width: number } }; descriptor: Float32Array }[]> };
  };
  euclideanDistance(a: Float32Array, b: Float32Array): number;
}

function pkg(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) if (existsSync(join(base, name, 'package.json'))) return join(base, name);
  throw new Error(`${name} not installed`);
}

export class FaceApiBaseline {
  private constructor(private readonly api: FaceApi) {}

  static async create(): Promise<FaceApiBaseline> {
    const dir = pkg('@vladmandic/face-api');
    const api = require(join(dir, 'dist', 'face-api.node-wasm.js')) as FaceApi;
    await api.tf.setBackend('wasm');
    await api.tf.ready();
    if (api.tf.getBackend() !== 'wasm') throw new Error(`face-api backend is ${api.tf.getBackend()}`);
    const model = join(dir, 'model');
    await api.nets.ssdMobilenetv1.loadFromDisk(model);
    await api.nets.faceLandmark68Net.loadFromDisk(model);
    await api.nets.faceRecognitionNet.loadFromDisk(model);
    return new FaceApiBaseline(api);
  }

  private tensor(img: AnyImage): FaceApiTensor {
    const { width, height, rgb }: RgbImage = toRgb(img);
    return this.api.tf.tensor3d(Int32Array.from(rgb), [height, width, 3], 'int32');
  }

  private options(): object {
    return new this.api.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 4 });
  }

  async detect(img: AnyImage): Promise<number> {
    const t = this.tensor(img);
    try {
      return (await this.api.detectAllFaces(t, this.options())).length;
    } finally {
      t.dispose();
    }
  }

  /** Descriptor of the largest face, or undefined. */
  async describe(img: AnyImage): Promise<Float32Array | undefined> {
    const t = this.tensor(img);
    try {
      const faces = await this.api.detectAllFaces(t, this.options()).withFaceLandmarks().withFaceDescriptors();
      return [...faces].sort((a, b) => b.detection.box.width - a.detection.box.width)[0]?.descriptor;
    } finally {
      t.dispose();
    }
  }

  distance(a: Float32Array, b: Float32Array): number {
    return this.api.euclideanDistance(a, b);
  }
}
