/** Typed errors of face verification (issue 5 §2); each carries what was being done. */

/** A model file is missing, unreadable or differs from `models/manifest.json` (start-up error). */
export class ModelIntegrityError extends Error {
  override readonly name = 'ModelIntegrityError';
  constructor(
    readonly file: string,
    readonly reason: 'missing' | 'sha256-mismatch' | 'not-in-manifest' | 'manifest-unreadable',
    readonly expected?: string,
    readonly actual?: string,
  ) {
    super(`model ${file}: ${reason}${expected ? ` (expected ${expected.slice(0, 12)}…, got ${actual?.slice(0, 12) ?? 'nothing'}…)` : ''}`);
  }
}

/** The WebAssembly backend could not start: we refuse to fall back to the pure-JS CPU backend. */
export class InferenceBackendError extends Error {
  override readonly name = 'InferenceBackendError';
  constructor(
    readonly backend: string,
    readonly underlying?: unknown,
  ) {
    super(`TensorFlow.js backend '${backend}' could not be initialised${underlying instanceof Error ? `: ${underlying.message}` : ''}`);
  }
}

/** Something tried to fetch a URL at run time; only local model files may be read (issue 5 §2). */
export class NetworkFetchRefusedError extends Error {
  override readonly name = 'NetworkFetchRefusedError';
  constructor(readonly url: string) {
    super(`refused run-time fetch of ${url}: models load from the local models/ directory only`);
  }
}

/** The inference worker died during an attempt; that attempt fails, the worker is restarted. */
export class FaceWorkerCrashedError extends Error {
  override readonly name = 'FaceWorkerCrashedError';
  constructor(
    readonly during: string,
    readonly exitCode?: number,
  ) {
    super(`face worker died during ${during}${exitCode === undefined ? '' : ` (exit code ${exitCode})`}`);
  }
}

/** verify() was called before a card photo was enrolled, or the card photo has no usable face. */
export class CardPhotoError extends Error {
  override readonly name = 'CardPhotoError';
  constructor(readonly reason: 'not-enrolled' | 'no-face' | 'several-faces') {
    super(`card photo unusable: ${reason}`);
  }
}
