/**
 * The small factories that turn the face settings (`./settings-schema.ts`, re-exported here) into
 * a camera, verifier options and attempt options. The schema lives apart so that configuration
 * loading never imports the camera driver this file needs.
 */
import { FfmpegCamera, type CameraInput } from '../devices/camera/ffmpeg-camera';
import type { Logger } from '../log/logger';
import { FACERES_CHALLENGE_LINK, decisionDefaultsFor } from './decision';
import type { FaceAttemptOptions } from './face-attempt';
import type { FaceSettings } from './settings-schema';
import { defaultFlashConfig, type FlashConfig } from './liveness/flash';
import type { WorkerFaceVerifierOptions } from './verifier';

export { faceSettingsSchema, type FaceSettings } from './settings-schema';

export function verifierOptions(s: FaceSettings, logger?: Logger): WorkerFaceVerifierOptions {
  const base = decisionDefaultsFor(s.descriptor, s.localContrast);
  return {
    engine: { descriptor: s.descriptor, detector: s.detector, faceCrop: { size: s.cropSize, localContrast: s.localContrast }, faceResRuntime: s.faceResRuntime, ...(s.headTurn ? { landmarks: true } : {}) },
    decision: { ...base, matchThreshold: s.matchThreshold ?? base.matchThreshold, minReal: s.minReal, minLive: s.minLive },
    warmUp: { width: s.camera.width, height: s.camera.height },
    ...(logger ? { logger } : {}),
  };
}

/** The device camera, or (rig) a given input such as `rigCameraSource(...)` as stills. */
export function createCamera(s: FaceSettings, input?: CameraInput, logger?: Logger): FfmpegCamera {
  return new FfmpegCamera({
    input: input ?? { kind: 'v4l2', device: s.camera.device },
    width: s.camera.width,
    height: s.camera.height,
    fps: s.camera.fps,
    stallMs: s.camera.stallMs,
    maxRestarts: s.camera.maxRestarts,
    ...(logger ? { logger } : {}),
  });
}

/** The colour-flash cue's settings (`face.colourFlash`); the panel to flash comes with each attempt. */
export type ColourFlashOptions = { config: FlashConfig; settleFrames: number };

export function colourFlashOptions(s: FaceSettings): ColourFlashOptions | undefined {
  if (!s.colourFlash) return undefined;
  const { settleFrames, ...thresholds } = s.colourFlash;
  return { config: { ...defaultFlashConfig, ...thresholds }, settleFrames };
}

export function attemptOptions(
  s: FaceSettings,
): Pick<FaceAttemptOptions, 'burstMs' | 'maxFrames' | 'minLiveFrames' | 'timeoutMs' | 'liveness' | 'identity' | 'activeCheck' | 'headTurn'> {
  const base = decisionDefaultsFor(s.descriptor, s.localContrast);
  const sameFace = s.matchThreshold ?? base.matchThreshold;
  return {
    ...s.attempt,
    // Two frames are one face when they would match each other as a frame matches the card; a
    // challenge frame and the last one counted: FaceRes's link threshold, never above the match's.
    // Probes are the global descriptor alone (decide), compared by plain cosine.
    identity: { metric: base.metric === 'best-cosine' ? 'cosine' : base.metric, sameFace, challengeLink: s.descriptor === 'faceres' ? Math.min(sameFace, FACERES_CHALLENGE_LINK) : sameFace },
    liveness: { minReal: s.minReal, minLive: s.minLive },
    ...(s.activeCheck ? { activeCheck: s.activeCheck } : {}),
    ...(s.headTurn ? { headTurn: { config: s.headTurn } } : {}),
  };
}
