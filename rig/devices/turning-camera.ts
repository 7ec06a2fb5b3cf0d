/**
 * TurningCamera: the rig's face camera, able to turn the patient's head (issue 14, the e2e face
 * flows with the head-turn challenge). It shows what its base camera (ffmpeg playing a still of
 * the persona, `rig/personas/face-images.ts`) gives, until `play()` is asked for a sequence: then
 * the base is stopped and the sequence's frames follow at the camera's rate, the last one held
 * for as long as the camera runs (a patient holds the turned pose; a held pose keeps the device's
 * judgement the same however many frames it takes, however loaded the machine is).
 *
 * The switch happens inside one CameraSource, seq numbers continuing, because the face attempt
 * reads the camera object it started with: restarting the camera (`faceCameraChanged`) in the
 * middle of a challenge would leave the attempt waiting on a stopped camera.
 */
import { CameraSourceBase, type CameraSource } from '../../src/devices/camera/camera-source';
import type { RgbFrame } from '../../src/devices/camera/frame';

export type TurnFrame = Pick<RgbFrame, 'width' | 'height' | 'rgb'>;

export class TurningCamera extends CameraSourceBase {
  private seq = 0;
  private wanted = false;
  private playing = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly offBase: (() => void)[] = [];

  /**
   * `poseMs`: how long each pose of a sequence is shown before the next (the last is held). The
   * patient turns in steps slow enough for the device to see every pose however slowly it judges
   * a frame: the challenge ties each frame to the one before it by its descriptor (face-attempt.ts
   * `headTurnStep`), and from frontal straight to two thirds of the rig's coarse turn is a bigger
   * step than any real camera at 10–15 fps shows (measured in session 10: a loaded machine that
   * skipped the first step at 10 fps failed the genuine e2e).
   */
  constructor(
    private readonly base: CameraSource,
    private readonly fps: number,
    private readonly poseMs = 600,
  ) {
    super();
  }

  get running(): boolean {
    return this.wanted;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.offBase.push(
      this.base.onFrame((f) => {
        if (!this.playing) this.emit(f);
      }),
      this.base.on('camera-failed', (e) => {
        if (!this.playing) this.listeners.emitFailed(e);
      }),
    );
    this.base.start();
  }

  /** Plays `frames` in order from now on, each for `poseMs`, then holds the last one (the base camera is stopped). */
  async play(frames: readonly TurnFrame[]): Promise<void> {
    if (!this.wanted || frames.length === 0) return;
    this.playing = true;
    if (this.timer) clearInterval(this.timer);
    await this.base.stop();
    if (!this.wanted) return;
    const perPose = Math.max(1, Math.ceil((this.poseMs * this.fps) / 1000));
    let k = 0;
    const next = (): void => {
      const f = frames[Math.min(Math.floor(k++ / perPose), frames.length - 1)]!;
      this.emit(f);
    };
    next();
    this.timer = setInterval(next, 1000 / this.fps);
  }

  private emit(img: TurnFrame): void {
    if (!this.wanted) return;
    this.latest = { width: img.width, height: img.height, rgb: img.rgb, capturedAt: performance.now(), seq: ++this.seq };
    this.listeners.emitFrame(this.latest);
  }

  async stop(): Promise<void> {
    this.wanted = false;
    this.playing = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const off of this.offBase.splice(0)) off();
    this.latest = undefined;
    await this.base.stop();
  }

}
