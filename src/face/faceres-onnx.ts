/**
 * FaceRes on ONNX Runtime (issue 14 §Speed): the same 1024-D descriptor as FaceResEmbedder
 * (faceres.ts), from `models/faceres.onnx`, which tools/onnx converted offline from the shipped
 * TF.js weights (provenance and sha256 in models/manifest.json). The crop is prepared by the very
 * same prepareFaceCrop; test/face/faceres-onnx.test.ts holds the two runtimes to the same
 * embedding (TF.js is the reference).
 *
 * One intra-op thread, sequential: the device's other models run single-threaded beside it and
 * the card-face OCR has its own threads (docs/face.md, docs/card-face.md). The face settings'
 * default (`faceResRuntime: 'onnx'`, settings-schema.ts); FaceEngine without that option keeps
 * the TF.js graph, the reference the test holds this one to.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DEFAULT_CROP_SIDE, joinDescriptors, prepareFaceCrops, type FaceCropOptions, type Preparations } from './faceres';
import type { AnyImage, Box } from './image';
import { onnxSessionOptions } from '../imaging/onnx-session';

export const FACERES_ONNX_FILE = 'faceres.onnx';

export class FaceResOnnxEmbedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly crop: Required<FaceCropOptions>,
  ) {}

  /** Loads the converted model (check it against the manifest first: verifyModels(['faceres-onnx'])). */
  static async load(modelDir: string, crop: FaceCropOptions = {}, threads = 1): Promise<FaceResOnnxEmbedder> {
    // Idle intra-op threads sleep, as the OCR's sessions do (onnx-session.ts).
    const session = await ort.InferenceSession.create(join(modelDir, FACERES_ONNX_FILE), onnxSessionOptions(threads));
    return new FaceResOnnxEmbedder(session, { size: crop.size ?? DEFAULT_CROP_SIDE, scale: crop.scale ?? 1, equalise: crop.equalise ?? true, localContrast: crop.localContrast ?? false });
  }

  /** The 1024-D descriptor of an already prepared NHWC crop (`size`×`size`×3). */
  async embedPrepared(input: Float32Array, size: number): Promise<Float32Array> {
    const x = new ort.Tensor('float32', input, [1, size, size, 3]);
    const name = this.session.inputNames[0] ?? 'input_1';
    const outName = this.session.outputNames[0] ?? 'global_pooling/Mean';
    const out = await this.session.run({ [name]: x });
    const t = out[outName];
    if (!t) throw new Error('FaceRes (ONNX) gave no descriptor');
    const data = Float32Array.from(t.data as Float32Array);
    t.dispose();
    return data;
  }

  /** The descriptor of the face in `box` (one 1024-D part per preparation), prepared exactly as FaceResEmbedder.embed does. */
  async embed(img: AnyImage, box: Box, which: Preparations = 'all'): Promise<Float32Array> {
    const parts: Float32Array[] = [];
    // One after the other: the session runs one input at a time (its batch side is 1).
    for (const input of prepareFaceCrops(img, box, this.crop, which)) parts.push(await this.embedPrepared(input, this.crop.size));
    return joinDescriptors(parts);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
