/**
 * The in-thread inference engine: TensorFlow.js on WebAssembly running the face models shipped in
 * `models/` (issue 5 §2, issue 14). It answers "where are the faces (BlazeFace), with the
 * antispoof / liveness scores, and for the main face a descriptor": human's 1024-D FaceRes on a
 * greyscale, histogram-equalised crop of the frame (faceres.ts) by default; face-api's 128-D net
 * after its 68-landmark alignment (the issue-5 pipeline) only when asked for, to compare.
 * Decisions: decision.ts.
 *
 * Backend: `@tensorflow/tfjs-node` is tried through a guarded require (it cannot be installed on
 * these machines — FACTS.md), otherwise WebAssembly with SIMD from node_modules. The pure-JS CPU
 * backend is never used: it is ~25× slower (FACTS.md) and would freeze a session, so failing to
 * start WASM is an InferenceBackendError at start-up.
 *
 * Nothing is fetched at run time: human loads models with `fetch`, which in Node cannot read
 * `file://`; we install a fetch that serves files from the model directory only and refuses any
 * other URL (NetworkFetchRefusedError). The models are checked against models/manifest.json first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InferenceBackendError, NetworkFetchRefusedError } from './errors';
import { defaultModelDir, verifyModels } from './manifest';
import { FaceResEmbedder, type FaceCropOptions, type Preparations, type TfLike } from './faceres';
import { FaceResOnnxEmbedder } from './faceres-onnx';
import { faceSkinBands, isGrey, toRgb, type AnyImage, type Box } from './image';

export type BackendName = 'tensorflow' | 'wasm';
export type DescriptorKind = 'facerec128' | 'faceres';
/** BlazeFace 'back' (256 px input, human's default) or 'front' (128 px, short range: a face at the counter). */
export type DetectorKind = 'blazeface' | 'blazeface-front';
/**
 * Where FaceRes runs: `tfjs` (the engine's default, the reference) = the TF.js graph on human's
 * backend; `onnx` (the face settings' default) = the same weights converted offline (tools/onnx,
 * models/faceres.onnx) on ONNX Runtime, one thread. Same crop, same embedding within cosine 0.999
 * (test/face/faceres-onnx.test.ts), ~5× faster per crop here (`npm run bench -- face-onnx`).
 */
export type FaceResRuntime = 'tfjs' | 'onnx';

/** What the engine needs of a FaceRes runtime. */
interface FaceDescriber {
  embed(img: AnyImage, box: Box, which?: Preparations): Float32Array | Promise<Float32Array>;
}

export interface FaceEngineOptions {
  modelDir?: string;
  /**
   * FaceMesh (boxes from the mesh, detector rotation on). Only test/face/make-fixtures.ts uses it,
   * to cut the offline set's faces exactly as when it was made; the product never loads FaceMesh
   * (rotating before the descriptor was slower and no better, docs/face.md).
   */
  align?: boolean;
  /** Run the antispoof and liveness models. */
  liveness?: boolean;
  /** Compute a descriptor at all (off only to time detection alone in the bench). */
  describe?: boolean;
  /**
   * Which descriptor: `faceres` (default) = human's 1024-D FaceRes on a greyscale, equalised
   * crop of the BlazeFace box (faceres.ts); `facerec128` = face-api's 68-landmark net to tighten
   * the crop, then its 128-D recognition net (the issue-5 pipeline, kept to compare in the eval:
   * it gave 8 false accepts on the offline set). docs/face.md.
   */
  descriptor?: DescriptorKind;
  /** Face detector (default `blazeface-front`); docs/face.md has both measured. */
  detector?: DetectorKind;
  /** FaceRes crop (side in px, scale of the detector box, equalisation); the shipped default is 192 px, ×1, equalised. */
  faceCrop?: FaceCropOptions;
  /** FaceRes on TF.js (default) or on ONNX Runtime (FaceResRuntime). */
  faceResRuntime?: FaceResRuntime;
  maxFaces?: number;
  minDetectorScore?: number;
  /**
   * face-api's 68 landmarks of the main face on every frame (loads `landmark68`, ~21 CPU ms a frame
   * here), for the head-turn challenge (src/face/liveness/). Implied by `descriptor: 'facerec128'`.
   */
  landmarks?: boolean;
  /**
   * Exposure compensation for the liveness models (issue 14): when the main face is darker than
   * `belowLuma`, the antispoof / liveness scores come from a second pass on the frame brightened
   * so that the face reaches `targetLuma` (gain at most `maxGain`). The models score dim live
   * faces as spoofs (the eval's `dim` frames: live 0.3–0.6 for 5 of 20 persons, 0.8–1.0 after the
   * gain), while the printed photos and screens of the offline set show their face above luma 80
   * in all but 9 of 320 frames, and no more of them pass with it than without (docs/face.md).
   * `false` turns it off (eval comparison). Default DEFAULT_EXPOSURE.
   */
  exposure?: ExposureCompensation | false;
}

export interface ExposureCompensation {
  belowLuma: number;
  targetLuma: number;
  maxGain: number;
}

/** Measured on the offline set (docs/face.md): dim genuine faces sit at luma 21–72, print and screen faces nearly all above 80. */
export const DEFAULT_EXPOSURE: ExposureCompensation = { belowLuma: 80, targetLuma: 110, maxGain: 3 };

export interface DetectedFace {
  box: Box;
  score: number;
  embedding?: Float32Array;
  /** antispoof model: 0 = presentation attack, 1 = real face. */
  real?: number;
  /** liveness model: 0 = not live, 1 = live. */
  live?: number;
  /**
   * Head-yaw proxy from the 68 landmarks: horizontal offset of the nose tip from the midpoint of
   * the eyes, in interocular distances (≈0 frontal, ±0.3 at a clear turn). A flat photo turned
   * in front of the camera keeps it nearly constant (the offset and the eye distance shrink
   * together), a real head changes it: the basis of the optional active check (face-attempt.ts).
   */
  yaw?: number;
  /** face-api's 68 landmarks (iBUG order) in frame pixels, when FaceEngineOptions.landmarks asks. */
  landmarks?: { x: number; y: number }[];
  /** FaceMesh's 468 points [x, y, z] in frame pixels (z: depth, smaller = nearer), only with `align` (eval tooling). */
  mesh?: [number, number, number][];
  /** Skin fractions of the cheek and mouth-chin bands (colour frames only), for the mask hint. */
  skin?: { upper: number; lower: number };
  /** Gain of the exposure-compensated pass the liveness scores come from (FaceEngineOptions.exposure); absent when none ran. */
  livenessGain?: number;
}

export interface Analysis {
  width: number;
  height: number;
  faces: DetectedFace[];
  /** Milliseconds spent in the models for this image. */
  ms: number;
}

/** The model names (manifest `model` field) the engine loads. */
export function engineModels(opts: FaceEngineOptions): string[] {
  const models: string[] = [detectorOf(opts)];
  if (opts.describe !== false) models.push(...(descriptorOf(opts) === 'faceres' ? [opts.faceResRuntime === 'onnx' ? 'faceres-onnx' : 'faceres'] : ['landmark68', 'facerec128']));
  if (opts.landmarks === true && !models.includes('landmark68')) models.push('landmark68');
  if (opts.align === true) models.push('facemesh');
  if (opts.liveness !== false) models.push('antispoof', 'liveness');
  return models;
}

export function descriptorOf(opts: FaceEngineOptions): DescriptorKind {
  return opts.descriptor ?? 'faceres';
}

/** `blazeface-front` by default: 128 px input, about a fifth of the back model's time here, and as accurate at the counter's range (docs/face.md). */
export function detectorOf(opts: FaceEngineOptions): DetectorKind {
  return opts.detector ?? 'blazeface-front';
}

/** Package folder without require.resolve (human's `exports` map hides package.json and the node-wasm build). */
function packageDir(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new InferenceBackendError('wasm', new Error(`package ${name} not found`));
}

/**
 * Runs `fn` with `globalThis.fetch` replaced by a reader of files under `modelDir` that refuses
 * every other URL, then restores the original. Model loading is the only time the libraries
 * fetch; scoping the replacement keeps it from leaking into the rest of the process (the
 * backend client's HTTP, other tests) when the engine runs in-thread.
 */
export async function withModelFetch<T>(modelDir: string, fn: () => Promise<T>): Promise<T> {
  const root = resolve(modelDir);
  const g = globalThis as { fetch: typeof fetch };
  const original = g.fetch;
  g.fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file://')) throw new NetworkFetchRefusedError(url);
    const path = resolve(fileURLToPath(url));
    if (!path.startsWith(root + sep)) throw new NetworkFetchRefusedError(url);
    return new Response(readFileSync(path), { status: 200 });
  };
  try {
    return await fn();
  } finally {
    g.fetch = original;
  }
}

/** Guarded require of the native binding; it is optional and absent here (FACTS.md). */
function tryNativeBackend(): boolean {
  try {
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

interface HumanResultFace {
  box: [number, number, number, number];
  score: number;
  boxScore?: number;
  embedding?: number[];
  real?: number;
  live?: number;
  mesh?: [number, number, number][];
  /** BlazeFace keypoints (mesh disabled): eyes, nose, mouth, ears. */
  annotations?: Record<string, [number, number][] | undefined>;
}

interface HumanLike {
  load(): Promise<void>;
  /** The loaded graph models by name (human's `Models.models`), for the warm-up. */
  models?: { models?: Record<string, { inputs: { shape?: number[] }[]; execute(input: unknown): unknown } | null> };
  detect(input: unknown): Promise<{ face: HumanResultFace[]; error?: string | null }>;
  tf: TfLike & {
    getBackend(): string;
    zeros(shape: number[]): { dispose(): void };
    dispose(t: unknown): void;
    tensor4d(values: Int32Array, shape: [number, number, number, number], dtype: 'int32'): { dispose(): void };
    memory(): { numTensors: number };
  };
}

interface FaceApiTensor {
  dispose(): void;
}

/** The parts of @vladmandic/face-api used for the 128-D descriptor (same tfjs-core as human). */
interface FaceApiLike {
  tf: {
    getBackend(): string;
    tensor3d(values: Int32Array, shape: [number, number, number], dtype: 'int32'): FaceApiTensor;
    slice(t: FaceApiTensor, begin: number[], size: number[]): FaceApiTensor;
  };
  nets: Record<'faceLandmark68Net' | 'faceRecognitionNet', { loadFromDisk(dir: string): Promise<void> }>;
  detectFaceLandmarks(input: FaceApiTensor): Promise<{ positions: { x: number; y: number }[]; align(detection: null, options: { useDlibAlignment: boolean }): Box }>;
  computeFaceDescriptor(input: FaceApiTensor): Promise<Float32Array | Float32Array[]>;
}

async function loadFaceApi(modelDir: string, recognition = true): Promise<FaceApiLike> {
  const api = require(join(packageDir('@vladmandic/face-api'), 'dist', 'face-api.node-wasm.js')) as FaceApiLike;
  await api.nets.faceLandmark68Net.loadFromDisk(modelDir);
  if (recognition) await api.nets.faceRecognitionNet.loadFromDisk(modelDir);
  return api;
}

/** See DetectedFace.yaw. iBUG-68 indices: 30 nose tip, 36–41 one eye, 42–47 the other. */
export function yawProxy(points: readonly { x: number; y: number }[]): number | undefined {
  if (points.length < 68) return undefined;
  const mean = (from: number, to: number): { x: number; y: number } => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += points[i]?.x ?? 0;
      y += points[i]?.y ?? 0;
    }
    const n = to - from + 1;
    return { x: x / n, y: y / n };
  };
  const a = mean(36, 41);
  const b = mean(42, 47);
  const nose = points[30];
  const eyeDistance = Math.hypot(b.x - a.x, b.y - a.y);
  if (!nose || eyeDistance < 1) return undefined;
  return (nose.x - (a.x + b.x) / 2) / eyeDistance;
}

/**
 * The same yaw proxy from BlazeFace's six keypoints (used with FaceRes, which needs no landmark
 * net): the nose tip's offset from the eyes' midpoint in eye distances.
 */
export function yawFromKeypoints(annotations: HumanResultFace['annotations']): number | undefined {
  const a = annotations?.leftEye?.[0];
  const b = annotations?.rightEye?.[0];
  const nose = annotations?.nose?.[0];
  if (!a || !b || !nose) return undefined;
  const eyeDistance = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (eyeDistance < 1) return undefined;
  return (nose[0] - (a[0] + b[0]) / 2) / eyeDistance;
}

/** Mean luma (BT.601) of an RGB box given as the Int32 values fed to the models. */
function boxLuma(values: Int32Array, width: number, height: number, box: Box): number {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const i = (y * width + x) * 3;
      sum += 0.299 * (values[i] ?? 0) + 0.587 * (values[i + 1] ?? 0) + 0.114 * (values[i + 2] ?? 0);
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** The frame cut to the detector box (clamped to the frame), as a tensor the caller disposes; none under 16 px. */
function cropToBox(
  api: FaceApiLike,
  values: Int32Array,
  width: number,
  height: number,
  box: Box,
): { crop: ReturnType<FaceApiLike['tf']['slice']>; x: number; y: number; w: number; h: number } | undefined {
  const x = Math.max(0, Math.round(box.x));
  const y = Math.max(0, Math.round(box.y));
  const w = Math.min(width - x, Math.round(box.width));
  const h = Math.min(height - y, Math.round(box.height));
  if (w < 16 || h < 16) return undefined;
  const frame = api.tf.tensor3d(values, [height, width, 3], 'int32');
  const crop = api.tf.slice(frame, [y, x, 0], [h, w, 3]);
  frame.dispose();
  return { crop, x, y, w, h };
}

export class FaceEngine {
  private constructor(
    private readonly human: HumanLike,
    readonly backend: BackendName,
    readonly models: string[],
    private readonly faceApi: FaceApiLike | undefined,
    private readonly faceRes: FaceDescriber | undefined,
    /** Only the 68-landmark net (FaceEngineOptions.landmarks with FaceRes as descriptor). */
    private readonly landmarker: FaceApiLike | undefined,
    private readonly exposure: ExposureCompensation | false,
  ) {}

  static async create(opts: FaceEngineOptions = {}): Promise<FaceEngine> {
    const modelDir = opts.modelDir ?? defaultModelDir;
    const models = engineModels(opts);
    verifyModels(models, modelDir); // ModelIntegrityError before anything loads
    const native = tryNativeBackend();
    const humanFile = join(packageDir('@vladmandic/human'), 'dist', native ? 'human.node.js' : 'human.node-wasm.js');
    const { Human } = require(humanFile) as { Human: new (config: object) => HumanLike };
    const backendWanted = native ? 'tensorflow' : 'wasm';
    const on = (enabled: boolean, modelPath: string): object => ({ enabled, modelPath });
    const human = new Human({
      backend: backendWanted,
      wasmPath: join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/',
      wasmPlatformFetch: false,
      modelBasePath: pathToFileURL(resolve(modelDir)).href + '/',
      cacheSensitivity: 0, // every frame is analysed afresh (a cached result would defeat liveness)
      cacheModels: false,
      debug: false,
      async: false,
      warmup: 'none',
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: { enabled: true, modelPath: `${detectorOf(opts)}.json`, rotation: opts.align === true, maxDetected: opts.maxFaces ?? 4, minConfidence: opts.minDetectorScore ?? 0.5, skipFrames: 0, skipTime: 0, return: false },
        mesh: { ...on(opts.align === true, 'facemesh.json') },
        iris: { enabled: false },
        emotion: { enabled: false },
        attention: { enabled: false },
        gear: { enabled: false },
        description: { enabled: false }, // FaceRes runs on our own prepared crop (faceres.ts)
        antispoof: { ...on(opts.liveness !== false, 'antispoof.json'), skipFrames: 0, skipTime: 0 },
        liveness: { ...on(opts.liveness !== false, 'liveness.json'), skipFrames: 0, skipTime: 0 },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
    });
    let faceApi: FaceApiLike | undefined;
    let faceRes: FaceDescriber | undefined;
    let landmarker: FaceApiLike | undefined;
    await withModelFetch(modelDir, async () => {
      try {
        await human.load();
        if (opts.describe !== false && descriptorOf(opts) === 'facerec128') faceApi = await loadFaceApi(modelDir);
        if (opts.describe !== false && descriptorOf(opts) === 'faceres') {
          faceRes = opts.faceResRuntime === 'onnx' ? await FaceResOnnxEmbedder.load(modelDir, opts.faceCrop) : await FaceResEmbedder.load(human.tf, modelDir, opts.faceCrop);
        }
        if (opts.landmarks === true && !faceApi) landmarker = await loadFaceApi(modelDir, false);
      } catch (err) {
        throw err instanceof NetworkFetchRefusedError ? err : new InferenceBackendError(backendWanted, err);
      }
    });
    const backend = human.tf.getBackend();
    if (backend !== backendWanted || (faceApi && faceApi.tf.getBackend() !== backendWanted)) {
      throw new InferenceBackendError(backendWanted, new Error(`got '${backend}' instead`));
    }
    const exposure = opts.liveness === false ? false : (opts.exposure ?? DEFAULT_EXPOSURE);
    return new FaceEngine(human, backend === 'tensorflow' ? 'tensorflow' : 'wasm', models, faceApi, faceRes, landmarker, exposure);
  }

  /**
   * Faces, liveness scores and the main face's descriptor (every judged frame needs its own: it is
   * the frame's identity in the burst, face-attempt.ts). `preparations`: which of the FaceRes
   * crop's preparations describe it (default all the options ask for; the worker asks `global`
   * and adds the CLAHE one only to a frame that did not match, decideWithSecondLook).
   */
  async analyse(img: AnyImage, options: { preparations?: Preparations } = {}): Promise<Analysis> {
    const { width, height, rgb } = toRgb(img);
    const values = new Int32Array(rgb); // the same bytes as int32, converted natively (a JS loop cost ~4 ms a frame)
    const tensor = this.human.tf.tensor4d(values, [1, height, width, 3], 'int32');
    const started = performance.now();
    try {
      const result = await this.human.detect(tensor);
      if (result.error) throw new Error(`face analysis failed: ${result.error}`);
      const faces = result.face.map((f): DetectedFace => {
        const [x, y, w, h] = f.box;
        const face: DetectedFace = { box: { x, y, width: w, height: h }, score: f.boxScore ?? f.score };
        if (f.embedding && f.embedding.length > 0) face.embedding = Float32Array.from(f.embedding);
        if (typeof f.real === 'number') face.real = f.real;
        if (typeof f.live === 'number') face.live = f.live;
        if (f.mesh && f.mesh.length > 0) face.mesh = f.mesh;
        const yaw = yawFromKeypoints(f.annotations);
        if (yaw !== undefined) face.yaw = yaw;
        return face;
      });
      const main = [...faces].sort((a, b) => b.box.width - a.box.width)[0];
      if (main && this.exposure) await this.compensateExposure(this.exposure, main, values, width, height);
      if (main && !isGrey(img)) main.skin = faceSkinBands({ width, height, rgb }, main.box);
      if (this.faceRes && main) main.embedding = await this.faceRes.embed(img, main.box, options.preparations ?? 'all');
      if (this.faceApi && main) {
        const described = await this.describe128(this.faceApi, values, width, height, main.box);
        if (described) {
          main.embedding = described.embedding;
          if (described.yaw !== undefined) main.yaw = described.yaw;
          if (described.landmarks) main.landmarks = described.landmarks;
        }
      }
      if (this.landmarker && main) {
        const points = await this.landmarks68(this.landmarker, values, width, height, main.box);
        if (points) main.landmarks = points;
      }
      return { width, height, faces, ms: performance.now() - started };
    } finally {
      tensor.dispose();
    }
  }

  /**
   * A dim face's liveness scores from the frame brightened (FaceEngineOptions.exposure): a second
   * detect pass, only for frames whose face is darker than `belowLuma`. The box and the
   * descriptor stay those of the frame as the camera gave it.
   */
  private async compensateExposure(exposure: ExposureCompensation, main: DetectedFace, values: Int32Array, width: number, height: number): Promise<void> {
    const luma = boxLuma(values, width, height, main.box);
    if (luma >= exposure.belowLuma || luma <= 0) return;
    const gain = Math.min(exposure.maxGain, exposure.targetLuma / luma);
    // Through a table of the 256 byte values: the same numbers as rounding each sample, a few ms less a frame.
    const table = new Int32Array(256);
    for (let v = 0; v < 256; v++) table[v] = Math.min(255, Math.round(v * gain));
    const bright = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) bright[i] = table[values[i] ?? 0] ?? 255;
    const tensor = this.human.tf.tensor4d(bright, [1, height, width, 3], 'int32');
    try {
      const again = await this.human.detect(tensor);
      if (again.error) return;
      // The same face: the brightened frame's face whose centre is nearest to the main face's.
      const cx = main.box.x + main.box.width / 2;
      const cy = main.box.y + main.box.height / 2;
      const near = again.face
        .map((f) => ({ f, d: Math.hypot(f.box[0] + f.box[2] / 2 - cx, f.box[1] + f.box[3] / 2 - cy) }))
        .filter((c) => c.d < main.box.width / 2)
        .sort((a, b) => a.d - b.d)[0]?.f;
      if (!near || typeof near.real !== 'number' || typeof near.live !== 'number') return;
      main.real = near.real;
      main.live = near.live;
      main.livenessGain = gain;
    } finally {
      tensor.dispose();
    }
  }

  /**
   * 128-D descriptor of one face: the 68-landmark net on the BlazeFace box, its aligned (tight)
   * box, then the recognition net on that crop — face-api's own alignment, without its slow SSD.
   */
  private async describe128(api: FaceApiLike, values: Int32Array, width: number, height: number, box: Box): Promise<{ embedding: Float32Array; yaw?: number; landmarks?: { x: number; y: number }[] } | undefined> {
    const c = cropToBox(api, values, width, height, box);
    if (!c) return undefined;
    const { crop, x, y, w, h } = c;
    try {
      const landmarks = await api.detectFaceLandmarks(crop);
      const yaw = yawProxy(landmarks.positions);
      const tight = landmarks.align(null, { useDlibAlignment: false });
      const ax = Math.max(0, Math.round(tight.x));
      const ay = Math.max(0, Math.round(tight.y));
      const aw = Math.min(w - ax, Math.round(tight.width));
      const ah = Math.min(h - ay, Math.round(tight.height));
      const aligned = aw >= 16 && ah >= 16 ? api.tf.slice(crop, [ay, ax, 0], [ah, aw, 3]) : undefined;
      try {
        const d = await api.computeFaceDescriptor(aligned ?? crop);
        const embedding = Array.isArray(d) ? d[0] : d;
        if (!embedding) return undefined;
        const points = landmarks.positions.map((p) => ({ x: p.x + x, y: p.y + y }));
        return yaw === undefined ? { embedding, landmarks: points } : { embedding, yaw, landmarks: points };
      } finally {
        aligned?.dispose();
      }
    } finally {
      crop.dispose();
    }
  }

  /** The 68 landmarks alone on the detector box, in frame pixels (the head-turn challenge's input). */
  private async landmarks68(api: FaceApiLike, values: Int32Array, width: number, height: number, box: Box): Promise<{ x: number; y: number }[] | undefined> {
    const c = cropToBox(api, values, width, height, box);
    if (!c) return undefined;
    const { crop, x, y } = c;
    try {
      const found = await api.detectFaceLandmarks(crop);
      return found.positions.map((p) => ({ x: p.x + x, y: p.y + y }));
    } finally {
      crop.dispose();
    }
  }

  /**
   * Runs every model a few times on inputs without a face (a flat frame of the camera's size
   * through the detector, zeros through antispoof and liveness, FaceRes on a centred box), so that
   * the first patient after a start does not pay for the engine warming up: WebAssembly and the
   * JS around it reach full speed only after some runs (measured here: the first real frames took
   * ~200–280 CPU ms against ~140 once warm, issue 14). Nothing is kept; no image is involved.
   */
  async warmUp(width: number, height: number, rounds = 3): Promise<void> {
    const flat = { width, height, rgb: new Uint8Array(width * height * 3).fill(128) };
    const side = Math.min(width, height) / 2;
    const box = { x: (width - side) / 2, y: (height - side) / 2, width: side, height: side };
    for (let r = 0; r < rounds; r++) {
      await this.analyse(flat);
      await this.faceRes?.embed(flat, box);
      for (const name of ['antispoof', 'liveness']) {
        const model = this.human.models?.models?.[name];
        const shape = model?.inputs[0]?.shape?.map((d) => (d > 0 ? d : 1));
        if (!model || !shape) continue;
        const zeros = this.human.tf.zeros(shape);
        try {
          this.human.tf.dispose(model.execute(zeros));
        } finally {
          zeros.dispose();
        }
      }
    }
  }

  /**
   * The FaceRes descriptor of the CLAHE crop alone (`faceCrop.localContrast`): a frame analysed
   * with `preparations: 'global'` gets it only when it did not match (decideWithSecondLook).
   */
  async describeLocalContrast(img: AnyImage, box: Box): Promise<Float32Array> {
    if (!this.faceRes) throw new Error('describeLocalContrast: the engine has no FaceRes');
    const part = await this.faceRes.embed(img, box, 'local');
    if (part.length === 0) throw new Error('describeLocalContrast: faceCrop.localContrast is off');
    return part;
  }

  /** The main face's FaceRes descriptor alone, on this engine's runtime (the bench times the runtimes apart). */
  async describeFace(img: AnyImage, box: Box): Promise<Float32Array | undefined> {
    return this.faceRes ? await this.faceRes.embed(img, box) : undefined;
  }

  tensorCount(): number {
    return this.human.tf.memory().numTensors;
  }
}
