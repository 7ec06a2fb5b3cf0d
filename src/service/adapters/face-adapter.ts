/**
 * The face port (SPEC §3 step 4, §5.1; issues 5 and 7): unlock the card photo by the card-face
 * scan, prove the chip and the photo authentic, then match live camera frames against it with
 * liveness. Each piece is its own module; this adapter only sequences them for one patient:
 *
 *   tray image → OCR 照合番号B → 券面事項確認AP (issuer signature + card-key challenge) → JPEG 2000
 *   photo → enrol in the face worker → camera frames → decision.
 *
 * The photo, its descriptor and the frames stay in memory; `wipe()` drops the enrolment flag and
 * the session's presentation count (the worker's descriptor is replaced at the next enrolment).
 */
import type { Logger } from '../../log/logger';
import type { CardReaderDriver } from '../../devices/card-reader/card-reader-driver';
import type { CameraSource } from '../../devices/camera';
import type { FaceVerifier } from '../../face/verifier';
import { runFaceAttempt } from '../../face/face-attempt';
import type { attemptOptions, ColourFlashOptions } from '../../face/settings';
import type { FaceHint as MatcherHint } from '../../face/decision';
import { CardFaceRefusedError, CardFaceSession, MAX_PRESENTATIONS, type CardFaceTrustAnchor } from '../../card-face/card-face-session';
import type { CardFaceReader } from '../../card-face/ocr';
import type { FaceHint } from '../../session/events';
import type { FaceFlashPanel, FaceMatchOutcome, FacePort } from '../ports';
import type { SessionMemories, SessionMemory } from './session-memory';

/** The matcher's hint ids → the panel's hint ids (SPEC §3 step 4: one hint per cause). */
const HINTS: Record<MatcherHint, FaceHint> = {
  'move-closer': 'come-closer',
  'center-face': 'face-camera',
  'hold-still': 'hold-still',
  'one-person-only': 'face-camera',
  'face-the-camera': 'face-camera',
  backlight: 'backlight',
  'too-dark': 'backlight',
  'turn-head': 'face-camera',
  'turn-left': 'turn-left',
  'turn-right': 'turn-right',
  'follow-turn': 'follow-turn',
  'remove-mask': 'remove-mask',
  'remove-cap': 'remove-cap',
};

export interface FaceAdapterOptions {
  cardDriver: CardReaderDriver;
  /** The current session's memory; each attempt captures it before its first await (issue 11). */
  sessions: SessionMemories;
  /** A camera for this attempt (the rig picks the video the tester chose). */
  camera(): CameraSource;
  verifier: FaceVerifier;
  cardFaceReader: CardFaceReader;
  /** An image of the card in the tray (the tray camera on the device; the rendered face on the rig). */
  cardFaceImage(): Promise<Buffer | undefined>;
  trustAnchors: readonly CardFaceTrustAnchor[];
  rigMode: boolean;
  /** One attempt's budget (a little under the engine's face timeout). */
  attemptMs: number;
  /**
   * The configured attempt (`attemptOptions(config.face)`: the burst, the liveness minima, the
   * head-turn challenge when `face.headTurn` is set); the burst defaults when absent.
   */
  attempt?: ReturnType<typeof attemptOptions>;
  /**
   * The colour-flash cue (`colourFlashOptions(config.face)`, issue 14): after an accepted face the
   * attempt lights the panel it is given red and blue and judges the face's answer. Off when absent.
   */
  colourFlash?: ColourFlashOptions | undefined;
  log: Logger;
}

export class FaceAdapter implements FacePort {
  private camera: CameraSource | undefined;

  constructor(private readonly o: FaceAdapterOptions) {}

  async startCamera(): Promise<{ ok: boolean }> {
    await this.camera?.stop();
    const camera = this.o.camera();
    this.camera = camera;
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), 8000);
      const offFrame = camera.onFrame(() => done(true));
      const offFail = camera.on('camera-failed', () => done(false));
      function done(v: boolean): void {
        clearTimeout(timer);
        offFrame();
        offFail();
        resolve(v);
      }
      camera.start();
    });
    if (!ok) this.o.log.warn('camera gave no frame');
    return { ok };
  }

  async stopCamera(): Promise<void> {
    const c = this.camera;
    this.camera = undefined;
    await c?.stop();
  }

  /** The card photo, authenticated, enrolled in the face worker; a refusal reason otherwise. */
  private async enrolCardPhoto(m: SessionMemory): Promise<true | string> {
    // The unlock state (enrolled, presentations, refused) is the session's own (issue 11): a late
    // enrolment of one patient's photo can never count as the next patient's.
    const state = m.cardFace;
    if (state.enrolled) return true;
    if (state.refused) return 'refused-earlier';
    if (state.presentations >= MAX_PRESENTATIONS) return 'code-b-attempts-used';
    const image = await this.o.cardFaceImage();
    if (!image) return 'no-card-face-image';
    const scan = await this.o.cardFaceReader.scan(image);
    // A scan that is not confident is never presented, so it does not use up a presentation:
    // the patient is asked to place the card again and the next attempt scans anew.
    if (!scan.ok) {
      this.o.log.info(`card face not read with confidence: ${scan.reason ?? 'unknown'}`);
      return `scan-${scan.reason ?? 'failed'}`;
    }
    state.presentations++;
    try {
      const face = await this.o.cardDriver.transact('card', (channel) =>
        new CardFaceSession(channel, { trustAnchors: this.o.trustAnchors, rigMode: this.o.rigMode, logger: this.o.log }).unlockWithScan(scan),
      );
      if (m.closed) {
        face.photo.grey.fill(0);
        return 'session-ended';
      }
      await this.o.verifier.enrolCardPhoto(face.photo);
      face.photo.grey.fill(0);
      if (m.closed) return 'session-ended';
      state.enrolled = true;
      return true;
    } catch (e) {
      // Staff-facing reason only (SPEC §5.1): which check refused, never the digits or the photo.
      const reason = e instanceof CardFaceRefusedError ? e.reason : (e as Error).name;
      if (!(e instanceof CardFaceRefusedError && e.reason === 'scan-not-confident')) state.refused = true;
      this.o.log.warn(`card photo not available: ${reason}`);
      return reason;
    }
  }

  async match(onHint?: (hint: FaceHint) => void, panel?: FaceFlashPanel): Promise<FaceMatchOutcome> {
    const m = this.o.sessions.current();
    const enrolled = await this.enrolCardPhoto(m).catch((e: unknown) => (e as Error).name);
    // SPEC §5.1: data that fails its signature was altered; a chip whose own key does not match the
    // signed data carries copied files. Staff are told which (issue 16 item 6); any other refusal
    // (scan, 照合番号B, unknown issuer key) leaves the PIN and the staff check open.
    if (enrolled === 'data-signature-invalid' || enrolled === 'issuer-certificate-invalid') return { outcome: 'card-data-forged' };
    if (enrolled === 'card-key-mismatch') return { outcome: 'card-data-cloned' };
    if (enrolled !== true) return { outcome: 'card-photo-unavailable' };
    const camera = this.camera;
    if (!camera) return { outcome: 'no-face' };
    const flash = this.o.colourFlash;
    const r = await runFaceAttempt({
      ...this.o.attempt,
      camera,
      verifier: this.o.verifier,
      timeoutMs: this.o.attemptMs,
      ...(onHint ? { onHint: (h: MatcherHint) => onHint(HINTS[h]) } : {}),
      ...(flash && panel ? { flash: { show: (colour) => panel.flash(colour), hold: () => this.holdExposure(camera), config: flash.config, settleFrames: flash.settleFrames } } : {}),
    });
    // The cue's verdict for staff and the technician (a word, never a frame or a measurement of the face).
    if (r.flash) this.o.log.info(`colour flash: ${r.flash}`, { event: 'colour-flash', verdict: r.flash });
    const hint = r.hint ? { hint: HINTS[r.hint] } : {};
    const score = r.score !== undefined ? { score: r.score } : {};
    switch (r.outcome) {
      case 'match':
        // The worker only answers `match` when liveness passed (antispoof and liveness models).
        m.holdFaceMatch({ score: r.score ?? 0, livenessScore: 1 });
        return { outcome: 'match', ...score };
      case 'no-match':
        return { outcome: 'no-match', ...score };
      case 'spoof':
        return { outcome: 'spoof' };
      case 'camera-failed':
        return { outcome: 'no-face', cameraFailed: true };
      case 'error':
        this.o.log.warn(`face attempt failed: ${r.error ?? 'error'}`);
        return { outcome: 'no-face', ...hint };
      default:
        return { outcome: 'no-face', ...hint };
    }
  }

  /**
   * The camera's exposure and white balance held for the flash. A camera whose controls cannot be
   * set is flashed anyway and the technician is told: an automatic white balance can only weaken
   * the face's answer, so what it costs is genuine faces refused, never a spoof accepted.
   */
  private async holdExposure(camera: CameraSource): Promise<() => Promise<void>> {
    const release = await camera.holdExposure?.().catch((e: unknown) => {
      this.o.log.warn(`colour flash without a held exposure: ${(e as Error).message}`, { event: 'camera-controls-failed' });
      return undefined;
    });
    return async () => {
      await release?.().catch((e: unknown) => this.o.log.warn(`camera controls not given back: ${(e as Error).message}`, { event: 'camera-controls-failed' }));
    };
  }

  wipe(): void {
    // The session's unlock state goes with its memory (SessionMemories.renew).
  }
}
