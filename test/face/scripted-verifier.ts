/**
 * Test doubles for the attempt loop (face-attempt.ts): a verifier answering from a script, one
 * answer per frame, and descriptors placed on a circle so that a test can choose their cosine.
 */
import type { VerifyResult } from '../../src/face/decision';
import type { FaceVerifier } from '../../src/face/verifier';

export class ScriptedVerifier implements FaceVerifier {
  calls = 0;
  constructor(private readonly answers: VerifyResult[]) {}
  async enrolCardPhoto(): Promise<void> {}
  async verify(): Promise<VerifyResult> {
    await new Promise((r) => setImmediate(r));
    return this.answers[this.calls++] ?? { outcome: 'no-face' };
  }
  async close(): Promise<void> {}
}

/** A face's descriptor at angle `deg` on a circle: two of them have cosine cos(Δdeg). */
export const descriptorAt = (deg: number): Float32Array => Float32Array.from([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);
