/**
 * The ONNX Runtime session options every model on the device runs with (the card-face OCR's
 * PaddleOCR sessions, the face worker's FaceRes): CPU, a fixed number of intra-op threads, and
 * idle threads that sleep instead of spinning. The cores are shared — the face worker,
 * tesseract's workers and (on the rig) the other services — and a spinning pool took a card-face
 * scan from 0.76–0.93 s to 1.35–1.50 s at load ~4 (docs/card-face.md, "Speed on a quiet machine").
 */
import type * as ort from 'onnxruntime-node';

export function onnxSessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
