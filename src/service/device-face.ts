/**
 * The device's face path (SPEC §3 step 4, §5.1): the face camera and the card-tray camera from the
 * configuration, the face worker, the card-face OCR and the configured issuer trust anchors.
 * Without a trust anchor the card photo cannot be proven authentic, so face authentication is not
 * offered at all (PIN and the staff check remain) — a reader must never match a face against a
 * photo it could not verify.
 */
import sharp from 'sharp';
import type { Logger } from '../log/logger';
import type { FacilityConfig } from '../config';
import type { CardReaderDriver } from '../devices/card-reader/card-reader-driver';
import { FfmpegCamera, type CameraInput } from '../devices/camera/ffmpeg-camera';
import type { CameraSource } from '../devices/camera/camera-source';
import { WorkerFaceVerifier, type FaceVerifier } from '../face/verifier';
import { attemptOptions, colourFlashOptions, createCamera, verifierOptions } from '../face/settings';
import { CardFaceReader } from '../card-face/ocr';
import type { CardFaceTrustAnchor } from '../card-face/card-face-session';
import { trustAnchorsFrom } from '../card-face';
import { FaceAdapter } from './adapters/face-adapter';
import { NoFacePort } from './adapters/no-face';
import type { SessionMemories } from './adapters/session-memory';
import type { FacePort } from './ports';

/** A V4L2 device, or (bench and tests) an image file played as stills. */
function cameraInput(device: string): CameraInput {
  return device.startsWith('/dev/') ? { kind: 'v4l2', device } : { kind: 'stills', path: device };
}

/** One still of the card tray, as an encoded image for the OCR; undefined when the camera gives none. */
export async function grabTrayImage(camera: CameraSource, timeoutMs = 5000): Promise<Buffer | undefined> {
  const frame = await new Promise<import('../devices/camera').RgbFrame | undefined>((resolve) => {
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const off = camera.onFrame((f) => done(f));
    const offFail = camera.on('camera-failed', () => done(undefined));
    function done(f: import('../devices/camera').RgbFrame | undefined): void {
      clearTimeout(timer);
      off();
      offFail();
      resolve(f);
    }
    camera.start();
  });
  await camera.stop();
  if (!frame) return undefined;
  // Encoded in memory only: the card face never touches the disk (SPEC §5.1 last paragraph).
  return sharp(Buffer.from(frame.rgb), { raw: { width: frame.width, height: frame.height, channels: 3 } }).png().toBuffer();
}

export interface DeviceFacePath {
  face: (sessions: SessionMemories) => FacePort;
  available: boolean;
  stop(): Promise<void>;
}

/**
 * What the rig changes in this path (and nothing else): its cameras play the persona's face and
 * printed card face, and its cards are signed by the rig's test anchor, which only a rig-mode
 * card-face session accepts. `off`: no face path at all (e.g. FCR_RIG_FACE=off).
 */
export type FacePathOverrides =
  | {
      trustAnchors: CardFaceTrustAnchor[];
      rigMode: true;
      camera: () => CameraSource;
      cardFaceImage: () => Promise<Buffer | undefined>;
    }
  | { off: string };

export async function startDeviceFacePath(config: FacilityConfig, cardDriver: CardReaderDriver, log: Logger, overrides?: FacePathOverrides): Promise<DeviceFacePath> {
  const none = (reason: string): DeviceFacePath => {
    log.warn(`face authentication not offered: ${reason}`);
    return { face: () => new NoFacePort(reason), available: false, stop: async () => undefined };
  };
  if (config.mode === 'qualification-only') return { face: () => new NoFacePort('qualification-only mode'), available: false, stop: async () => undefined };
  if (overrides && 'off' in overrides) return none(overrides.off);
  const rig = overrides;
  let anchors: CardFaceTrustAnchor[];
  try {
    anchors = rig ? rig.trustAnchors : trustAnchorsFrom(config);
  } catch (e) {
    return none(`a card-face trust anchor cannot be read (${(e as Error).message})`);
  }
  if (anchors.length === 0) return none('no card-face trust anchor configured');
  let verifier: FaceVerifier;
  const reader = new CardFaceReader();
  try {
    verifier = await WorkerFaceVerifier.create(verifierOptions(config.face, log.child('face-worker')));
    await reader.start();
  } catch (e) {
    await reader.stop();
    return none(`${(e as Error).name}: ${(e as Error).message}`);
  }
  const tray = config.cardFace.trayCamera;
  log.info('face path ready');
  return {
    available: true,
    face: (sessions) =>
      new FaceAdapter({
        cardDriver,
        sessions,
        verifier,
        cardFaceReader: reader,
        trustAnchors: anchors,
        rigMode: rig?.rigMode ?? false,
        attemptMs: config.face.attempt.timeoutMs,
        attempt: attemptOptions(config.face),
        colourFlash: colourFlashOptions(config.face),
        log: log.child('face'),
        camera: rig?.camera ?? (() => createCamera(config.face, cameraInput(config.face.camera.device), log.child('camera'))),
        cardFaceImage: rig?.cardFaceImage ?? (() => grabTrayImage(new FfmpegCamera({ input: cameraInput(tray.device), width: tray.width, height: tray.height, fps: 5, logger: log.child('tray-camera') }))),
      }),
    stop: async () => {
      await verifier.close();
      await reader.stop();
    },
  };
}
