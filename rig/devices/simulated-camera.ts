/**
 * SimulatedCamera: the in-process fake (STYLE §1, §12) obeying the CameraSource contract — the
 * newest frame only, nothing after stop(), `camera-failed` on demand. Frames are given by the test
 * (or the rig) and played in a loop at `fps`, or pushed one by one with `push()`.
 */
import { CameraFailedError, CameraSourceBase } from '../../src/devices/camera/camera-source';
import type { RgbFrame } from '../../src/devices/camera/frame';

export type FrameImage = Pick<RgbFrame, 'width' | 'height' | 'rgb'>;

export class SimulatedCamera extends CameraSourceBase {
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private index = 0;
  private wanted = false;

  constructor(
    private readonly frames: readonly FrameImage[] = [],
    private readonly fps = 15,
  ) {
    super();
  }

  get running(): boolean {
    return this.wanted;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    if (this.frames.length > 0) this.timer = setInterval(() => this.playNext(), 1000 / this.fps);
  }

  private playNext(): void {
    const f = this.frames[this.index % this.frames.length];
    this.index++;
    if (f) this.push(f);
  }

  /** Deliver one frame now (ignored when stopped, like a real camera). */
  push(img: FrameImage): void {
    if (!this.wanted) return;
    this.latest = { width: img.width, height: img.height, rgb: img.rgb, capturedAt: performance.now(), seq: ++this.seq };
    this.listeners.emitFrame(this.latest);
  }

  /** Simulate the camera being lost for good. */
  fail(): void {
    if (!this.wanted) return;
    void this.stop();
    this.listeners.emitFailed(new CameraFailedError('simulated', 0));
  }

  async stop(): Promise<void> {
    this.wanted = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.latest = undefined;
  }

}
