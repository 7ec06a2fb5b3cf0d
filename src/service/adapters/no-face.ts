/**
 * The face port of a reader without a working face path (no camera configured, or the face
 * models failed their integrity check at start-up): every attempt reports the camera failed, so
 * the flow offers PIN or the staff check at once (SPEC §3 step 4, §8) instead of hanging.
 */
import type { FacePort } from '../ports';

export class NoFacePort implements FacePort {
  constructor(readonly reason: string) {}
  startCamera(): Promise<{ ok: boolean }> {
    return Promise.resolve({ ok: false });
  }
  stopCamera(): Promise<void> {
    return Promise.resolve();
  }
  match() {
    return Promise.resolve({ outcome: 'no-face' as const });
  }
  wipe(): void {}
}
