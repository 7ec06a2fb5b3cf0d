/** Messages between FaceVerifier (panel thread) and the inference worker. Frames are copied, never stored. */
import type { DecisionConfig, VerifyResult } from './decision';
import type { BackendName, FaceEngineOptions } from './engine';
import type { AnyImage } from './image';

export interface WorkerInit {
  engine: FaceEngineOptions;
  /** Warm the models up after start-up, for frames of this size (FaceEngine.warmUp). */
  warmUp?: { width: number; height: number };
}

export type WorkerRequest =
  | { id: number; type: 'enrol'; image: AnyImage }
  | { id: number; type: 'verify'; frame: AnyImage; card: Float32Array; config: DecisionConfig };

export type WorkerReply =
  | { type: 'ready'; backend: BackendName; models: string[] }
  | { type: 'init-failed'; error: SerializedError }
  | { id: number; type: 'enrolled'; embedding: Float32Array }
  | { id: number; type: 'verified'; result: VerifyResult }
  | { id: number; type: 'failed'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  /** Own enumerable fields of typed errors (file, reason, …), for re-creating them. */
  fields: Record<string, unknown>;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(err)) if (typeof v === 'string' || typeof v === 'number') fields[k] = v;
    return { name: err.name, message: err.message, fields };
  }
  return { name: 'Error', message: String(err), fields: {} };
}
