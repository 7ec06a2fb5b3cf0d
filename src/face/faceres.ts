/**
 * The face descriptor (issue 14 §Matching): human's FaceRes (1024-D, the `global_pooling/Mean`
 * output; the age and gender heads are never run) on a square crop of the BlazeFace box taken
 * from the frame, greyscale and histogram-equalised. The card photo and the camera frame go
 * through exactly this preparation, so the greyscale JPEG 2000 card photo (SPEC §5 DF27) and a
 * colour camera frame are compared as like with like: on the offline set this removed every false
 * accept and most false rejects of the shipped 128-D net (docs/face.md, `npm run eval:face`).
 *
 * The crop is prepared in plain JS (a few ×10⁵ multiplications, well under a millisecond) and the
 * model runs inside `tf.tidy`, so no tensor outlives one call (issue 11 item 8: native memory).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGrey, type AnyImage, type Box } from './image';

/** Input side of FaceRes in pixels. The graph ends in a global pooling, so any side works; 224 is the trained one. */
export const FACERES_INPUT = 224;

/**
 * The shipped crop side: 192 px costs ~60 % of 224 px and, with BlazeFace front, rejected no more
 * genuine pairs at zero false accepts on the offline set (docs/face.md); the threshold
 * (decision.ts) was read for it.
 */
export const DEFAULT_CROP_SIDE = 192;

/** Length of one FaceRes descriptor (one preparation's); a descriptor with `localContrast` is two of them end to end. */
export const FACERES_DESCRIPTOR_LENGTH = 1024;

/** One descriptor per preparation, end to end (the order of prepareFaceCrops). */
export function joinDescriptors(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The descriptor output of the FaceRes graph (the other two outputs are age and gender). */
const DESCRIPTOR_NODE = 'global_pooling/Mean';

/**
 * Luma of an image at (x, y) with bilinear interpolation; coordinates outside the image are
 * clamped to the edge (a face at the border keeps its own pixels rather than black bands).
 */
function lumaSampler(img: AnyImage): (x: number, y: number) => number {
  const { width, height } = img;
  const grey = isGrey(img) ? img.grey : undefined;
  const rgb = isGrey(img) ? undefined : img.rgb;
  const at = (x: number, y: number): number => {
    const i = y * width + x;
    if (grey) return grey[i] ?? 0;
    const j = i * 3;
    const r = rgb?.[j] ?? 0;
    const g = rgb?.[j + 1] ?? 0;
    const b = rgb?.[j + 2] ?? 0;
    return 0.299 * r + 0.587 * g + 0.114 * b; // ITU-R BT.601, as toGrey
  };
  return (x: number, y: number): number => {
    const cx = Math.min(width - 1, Math.max(0, x));
    const cy = Math.min(height - 1, Math.max(0, y));
    const x0 = Math.floor(cx);
    const y0 = Math.floor(cy);
    const x1 = Math.min(width - 1, x0 + 1);
    const y1 = Math.min(height - 1, y0 + 1);
    const fx = cx - x0;
    const fy = cy - y0;
    const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
    const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
    return top * (1 - fy) + bottom * fy;
  };
}

/**
 * Histogram equalisation in place (256 bins, the classic CDF mapping): spreads a dim or washed-out
 * face over the whole range, so exposure and the card printer's tone curve matter less.
 */
export function equaliseHistogram(values: Float32Array): void {
  const hist = new Uint32Array(256);
  for (const v of values) hist[Math.max(0, Math.min(255, Math.round(v)))]!++;
  const cdf = new Uint32Array(256);
  let run = 0;
  let cdfMin = 0;
  for (let i = 0; i < 256; i++) {
    run += hist[i] ?? 0;
    cdf[i] = run;
    if (cdfMin === 0 && run > 0) cdfMin = run;
  }
  const n = values.length;
  if (n === cdfMin) return; // a flat patch: nothing to spread
  for (let i = 0; i < n; i++) {
    const bin = Math.max(0, Math.min(255, Math.round(values[i] ?? 0)));
    values[i] = (((cdf[bin] ?? 0) - cdfMin) / (n - cdfMin)) * 255;
  }
}

/**
 * Contrast-limited adaptive histogram equalisation (CLAHE, Zuiderveld 1994) in place on a
 * `size`×`size` grey crop: one histogram per tile of a `tiles`×`tiles` grid, each clipped at
 * `clip`× its mean bin (the excess spread over all bins, so noise in a flat tile is not blown up),
 * mapped through its CDF, and every pixel's value interpolated bilinearly between the maps of the
 * four nearest tile centres (no seams). Unlike the global mapping it lifts a face half in shadow
 * on its own: the shadowed half gets its own tone curve (docs/face.md, "Local contrast").
 */
export function claheInPlace(values: Float32Array, size: number, tiles = CLAHE_TILES, clip = CLAHE_CLIP): void {
  const tile = size / tiles;
  const bin = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
  const maps: Float32Array[] = [];
  for (let ty = 0; ty < tiles; ty++) {
    for (let tx = 0; tx < tiles; tx++) {
      const hist = new Float64Array(256);
      let n = 0;
      for (let y = Math.floor(ty * tile); y < Math.floor((ty + 1) * tile); y++) {
        for (let x = Math.floor(tx * tile); x < Math.floor((tx + 1) * tile); x++) {
          hist[bin(values[y * size + x] ?? 0)]! += 1;
          n++;
        }
      }
      const limit = Math.max(1, (clip * n) / 256);
      let excess = 0;
      for (let i = 0; i < 256; i++) {
        const h = hist[i] ?? 0;
        if (h > limit) {
          excess += h - limit;
          hist[i] = limit;
        }
      }
      const map = new Float32Array(256);
      let run = 0;
      for (let i = 0; i < 256; i++) {
        run += (hist[i] ?? 0) + excess / 256;
        map[i] = n === 0 ? i : (run / n) * 255;
      }
      maps.push(map);
    }
  }
  const out = new Float32Array(values.length);
  const last = tiles - 1;
  for (let y = 0; y < size; y++) {
    const fy = Math.min(last, Math.max(0, (y + 0.5) / tile - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(last, y0 + 1);
    const ay = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = Math.min(last, Math.max(0, (x + 0.5) / tile - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(last, x0 + 1);
      const ax = fx - x0;
      const b = bin(values[y * size + x] ?? 0);
      const m = (ty: number, tx: number): number => maps[ty * tiles + tx]?.[b] ?? b;
      out[y * size + x] = (1 - ay) * ((1 - ax) * m(y0, x0) + ax * m(y0, x1)) + ay * ((1 - ax) * m(y1, x0) + ax * m(y1, x1));
    }
  }
  values.set(out);
}

/** CLAHE's grid and clip limit: 4×4 tiles, clip 2 — session 8's best of 2–8 tiles and clips 2–4 (docs/face.md). */
export const CLAHE_TILES = 4;
export const CLAHE_CLIP = 2;

export interface FaceCropOptions {
  /** Side of the square crop in pixels (the model input). */
  size?: number;
  /** Crop side as a multiple of the larger side of the detector box (BlazeFace's box is already padded). */
  scale?: number;
  /** Histogram equalisation (on unless measuring without it). */
  equalise?: boolean;
  /**
   * A second preparation of the same crop, CLAHE instead of the global equalisation: the
   * descriptor is then both FaceRes descriptors end to end (2 × 1024), compared preparation by
   * preparation and the better cosine taken (`best-cosine`, decision.ts). Off unless asked.
   */
  localContrast?: boolean;
}

/**
 * The model input for one face: a `size`×`size` square centred on `box`, greyscale, equalised,
 * replicated into three channels (FaceRes takes RGB 0–255), row-major HWC.
 */
export function prepareFaceCrop(img: AnyImage, box: Box, opts: FaceCropOptions = {}): Float32Array {
  return prepareFaceCrops(img, box, opts, 'global')[0] as Float32Array;
}

/**
 * The model inputs for one face, one per preparation: the globally equalised crop, then (with
 * `localContrast`) the same crop through CLAHE. The crop is sampled once.
 */
export function prepareFaceCrops(img: AnyImage, box: Box, opts: FaceCropOptions = {}, which: Preparations = 'all'): Float32Array[] {
  const sampled = sampleFaceCrop(img, box, opts);
  const out: Float32Array[] = [];
  if (which !== 'local') {
    const global = Float32Array.from(sampled);
    if (opts.equalise !== false) equaliseHistogram(global);
    out.push(toModelInput(global));
  }
  if (opts.localContrast && which !== 'global') {
    claheInPlace(sampled, opts.size ?? FACERES_INPUT);
    out.push(toModelInput(sampled));
  }
  return out;
}

/**
 * Which of the crop's preparations to describe: `all` (the options' preparations, in order),
 * `global` (the first alone) or `local` (the CLAHE one alone): a frame is described by its
 * global crop first and by its CLAHE crop only when that did not match (decision.ts,
 * `decideWithSecondLook`).
 */
export type Preparations = 'all' | 'global' | 'local';

/** The grey `size`×`size` square centred on the box, sampled bilinearly (not yet equalised). */
function sampleFaceCrop(img: AnyImage, box: Box, opts: FaceCropOptions): Float32Array {
  const size = opts.size ?? FACERES_INPUT;
  const side = Math.max(box.width, box.height) * (opts.scale ?? 1);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const step = side / size;
  const sample = lumaSampler(img);
  const grey = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const sy = cy - side / 2 + (y + 0.5) * step - 0.5;
    for (let x = 0; x < size; x++) grey[y * size + x] = sample(cx - side / 2 + (x + 0.5) * step - 0.5, sy);
  }
  return grey;
}

/** FaceRes takes RGB 0–255: the grey crop replicated into three channels, row-major HWC. */
function toModelInput(grey: Float32Array): Float32Array {
  const out = new Float32Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i] ?? 0;
    out[i * 3] = v;
    out[i * 3 + 1] = v;
    out[i * 3 + 2] = v;
  }
  return out;
}

/** The few tfjs calls used here (the namespace human was built with: same backend, same registry). */
export interface TfLike {
  tidy<T>(fn: () => T): T;
  tensor4d(values: Float32Array, shape: [number, number, number, number], dtype: 'float32'): unknown;
  loadGraphModel(handler: unknown): Promise<GraphModelLike>;
  io: { fromMemory(artifacts: object): unknown };
}

interface TensorLike {
  shape: number[];
  dataSync(): Float32Array | Int32Array | Uint8Array;
}

export interface GraphModelLike {
  execute(input: unknown, outputs: string): TensorLike | TensorLike[];
  dispose(): void;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: object[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: object;
  userDefinedMetadata?: object;
}

/**
 * Declares another input side in the in-memory graph (the file on disk is untouched and still
 * matches the manifest): TF.js checks inputs against the placeholder's declared 224×224, while
 * FaceRes itself, ending in a global pooling, runs at any side.
 */
function setInputSide(json: ModelJson, side: number): void {
  const nodes = (json.modelTopology as { node?: { op: string; attr?: { shape?: { shape?: { dim?: { size: string }[] } } } }[] }).node ?? [];
  for (const node of nodes) {
    const dim = node.op === 'Placeholder' ? node.attr?.shape?.shape?.dim : undefined;
    if (dim && dim.length === 4 && dim[1] && dim[2]) {
      dim[1].size = String(side);
      dim[2].size = String(side);
    }
  }
  const inputs = (json.signature as { inputs?: Record<string, { tensorShape?: { dim?: { size: string }[] } }> } | undefined)?.inputs ?? {};
  for (const input of Object.values(inputs)) {
    const dim = input.tensorShape?.dim;
    if (dim && dim.length === 4 && dim[1] && dim[2]) {
      dim[1].size = String(side);
      dim[2].size = String(side);
    }
  }
}

/**
 * Loads a TF.js graph model from the model directory without any fetch (the files were checked
 * against the manifest before this is called).
 */
export async function loadGraphModelFromDir(tf: TfLike, modelDir: string, file: string, inputSide?: number): Promise<GraphModelLike> {
  const json = JSON.parse(readFileSync(join(modelDir, file), 'utf8')) as ModelJson;
  if (inputSide !== undefined) setInputSide(json, inputSide);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p))));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData,
      ...(json.format ? { format: json.format } : {}),
      ...(json.signature ? { signature: json.signature } : {}),
      ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
    }),
  );
}

export class FaceResEmbedder {
  constructor(
    private readonly tf: TfLike,
    private readonly model: GraphModelLike,
    readonly crop: Required<FaceCropOptions>,
  ) {}

  static async load(tf: TfLike, modelDir: string, crop: FaceCropOptions = {}): Promise<FaceResEmbedder> {
    const size = crop.size ?? DEFAULT_CROP_SIDE;
    const model = await loadGraphModelFromDir(tf, modelDir, 'faceres.json', size === FACERES_INPUT ? undefined : size);
    return new FaceResEmbedder(tf, model, { size, scale: crop.scale ?? 1, equalise: crop.equalise ?? true, localContrast: crop.localContrast ?? false });
  }

  /**
   * The descriptor of the face in `box`: 1024-D, or 2 × 1024 end to end with `localContrast`
   * (joinDescriptors); every tensor is released before it returns.
   */
  embed(img: AnyImage, box: Box, which: Preparations = 'all'): Float32Array {
    const size = this.crop.size;
    return joinDescriptors(
      prepareFaceCrops(img, box, this.crop, which).map((input) =>
        this.tf.tidy(() => {
          const x = this.tf.tensor4d(input, [1, size, size, 3], 'float32');
          const out = this.model.execute(x, DESCRIPTOR_NODE);
          const t = Array.isArray(out) ? out[0] : out;
          if (!t) throw new Error('FaceRes gave no descriptor');
          return Float32Array.from(t.dataSync());
        }),
      ),
    );
  }

  dispose(): void {
    this.model.dispose();
  }
}
