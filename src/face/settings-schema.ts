/**
 * The face part of the device configuration, as one zod schema the config owner (src/config/)
 * embeds (STYLE §11). Defaults are the measured ones of docs/face.md. Kept apart from the
 * factories in ./settings.ts so that checking a configuration loads no camera driver (issue 12
 * item 5). Every object is strict: a misspelt key (`matchTreshold`) is an error, not a default.
 */
import { z } from 'zod';
import { DEFAULT_CROP_SIDE } from './faceres';
import { defaultFlashConfig } from './liveness/flash';

/** The measured defaults (docs/face.md, issue 14): see decisionDefaultsFor for the threshold they go with. */
const DEFAULT_DETECTOR = 'blazeface-front';
const DEFAULT_CROP = DEFAULT_CROP_SIDE;

export const faceSettingsSchema = z.strictObject({
  camera: z
    .strictObject({
      device: z.string().default('/dev/video0').describe('V4L2 device of the face camera'),
      width: z.number().int().min(160).max(1920).default(640),
      height: z.number().int().min(120).max(1080).default(480),
      fps: z.number().int().min(1).max(60).default(15),
      stallMs: z.number().int().min(200).default(3000).describe('no frame for this long = stalled; ffmpeg is restarted'),
      maxRestarts: z.number().int().min(0).max(20).default(4).describe('restarts in a row before camera-failed (PIN / staff fallback)'),
    })
    .prefault({}),
  descriptor: z
    .enum(['faceres', 'facerec128'])
    .default('faceres')
    .describe('faceres: FaceRes 1024-D on a grey, equalised crop (0 false accepts on the eval); facerec128: the issue-5 128-D net, kept to compare (8 false accepts)'),
  detector: z.enum(['blazeface', 'blazeface-front']).default(DEFAULT_DETECTOR).describe('BlazeFace back (256 px) or front (128 px, faster); docs/face.md'),
  cropSize: z.number().int().min(128).max(224).default(DEFAULT_CROP).describe('FaceRes input side in px; docs/face.md has 224, 192 and 160 measured'),
  faceResRuntime: z
    .enum(['tfjs', 'onnx'])
    .default('onnx')
    .describe('where FaceRes runs: onnx (the TF.js weights converted offline, models/faceres.onnx, on ONNX Runtime, one thread: ~5x faster per crop here) or tfjs (the graph as shipped by human, on WebAssembly); the same embedding (1 - cosine < 1e-11 on the eval crops), docs/face.md'),
  localContrast: z
    .boolean()
    .default(true)
    .describe('FaceRes also on a CLAHE crop (local contrast), card and probe alike, the better of the two cosines decides: a face half in shadow matches; one more FaceRes per frame (docs/face.md, "Local contrast")'),
  matchThreshold: z.number().min(0).max(1).optional().describe('default per descriptor and detector: decisionDefaultsFor() (measured, docs/face.md)'),
  minReal: z.number().min(0).max(1).default(0.2),
  minLive: z.number().min(0).max(1).default(0.75),
  attempt: z
    .strictObject({
      burstMs: z.number().int().min(500).max(10_000).default(3000).describe('one decision per patient over a burst this long from the first face (issue 14)'),
      maxFrames: z.number().int().min(1).max(100).default(30).describe('frames judged at most in a burst'),
      minLiveFrames: z.number().int().min(1).max(20).default(3).describe('judged frames whose median antispoof / liveness decides, before a match is accepted'),
      timeoutMs: z.number().int().min(1000).max(120_000).default(15_000).describe('waiting for a face at all'),
    })
    .prefault({}),
  activeCheck: z.strictObject({ minYawChange: z.number().min(0.1).max(1).default(0.35) }).optional().describe('experimental head-turn check (yaw proxy alone); off unless present; superseded by headTurn'),
  headTurn: z
    .strictObject({
      minFrames: z.number().int().min(3).max(30).default(5),
      minYawDeg: z.number().min(5).max(45).default(15),
      minParallax: z.number().min(0).max(0.5).default(0.07),
    })
    .optional()
    .describe('head-turn challenge with the plane test (issue 14, src/face/liveness/head-turn.ts; loads the 68-landmark net); off unless present: docs/face.md has its figures'),
  colourFlash: z
    .strictObject({
      minFaceGain: z.number().min(0).max(1).default(defaultFlashConfig.minFaceGain),
      minSurroundRatio: z.number().min(1).max(20).default(defaultFlashConfig.minSurroundRatio),
      minRelief: z.number().min(0).max(1).default(defaultFlashConfig.minRelief),
      settleFrames: z.number().int().min(0).max(5).default(1).describe('camera frames skipped after the panel acknowledged a colour (its refresh and the exposure)'),
    })
    .optional()
    .describe('colour-flash cue after an accepted face (issue 14, src/face/liveness/flash.ts): the panel lit red/blue, the face must answer it as a face does; off unless present; the camera exposure and white balance are held for its frames through v4l2-ctl: docs/face.md has its figures'),
});

export type FaceSettings = z.infer<typeof faceSettingsSchema>;
