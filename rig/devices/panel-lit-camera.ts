/**
 * PanelLitCamera: the rig's face camera seeing the panel's light (issue 14, the e2e face flows
 * with the colour flash). A real camera at the counter sees the patient lit by the room and by
 * the panel beside it; when the panel shows full red or blue, the next frame shows the subject
 * under that light. The rig has no light, so the subject is pre-rendered under each of the three
 * lights (test/face/spoofs/make-rig-flash.ts) and this camera, clocked by its base camera (ffmpeg
 * playing the subject's `ambient` still), delivers the frame for whatever the panel shows when
 * the base frame arrives. Without a subject it passes the base camera's frames through unchanged:
 * a subject the rig has no lit frames for does not answer the panel (as a screen would not).
 */
import { CameraSourceBase, type CameraSource } from '../../src/devices/camera/camera-source';
import type { RgbFrame } from '../../src/devices/camera/frame';
import type { PanelView } from '../../src/ui/panel-view';
import { decodeCameraFrames } from './camera-frames';

export type PanelLight = NonNullable<PanelView['fill']>;
export type LitFrame = Pick<RgbFrame, 'width' | 'height' | 'rgb'>;
/** One held pose of the subject under the counter's light alone and under the panel's red and blue. */
export type LitSubject = Record<PanelLight | 'ambient', LitFrame>;

/** Decodes a subject's three pre-rendered lights as the camera delivers them (camera-frames.ts). */
export async function loadLitSubject(files: Record<PanelLight | 'ambient', string>, width: number, height: number): Promise<LitSubject> {
  const [ambient, red, blue] = await decodeCameraFrames([files.ambient, files.red, files.blue], width, height);
  return { ambient: ambient!, red: red!, blue: blue! };
}

export class PanelLitCamera extends CameraSourceBase {
  private off: (() => void)[] = [];

  /** `light()`: what the panel lights the counter with now (the rig reads it off the panel driver). */
  constructor(
    private readonly base: CameraSource,
    private readonly light: () => PanelLight | undefined,
    private readonly subject: LitSubject | undefined,
  ) {
    super();
  }

  get running(): boolean {
    return this.off.length > 0;
  }

  start(): void {
    if (this.off.length > 0) return;
    this.off.push(
      this.base.onFrame((f) => this.emit(f)),
      this.base.on('camera-failed', (e) => this.listeners.emitFailed(e)),
    );
    this.base.start();
  }

  private emit(f: RgbFrame): void {
    const lit = this.subject ? this.subject[this.light() ?? 'ambient'] : undefined;
    this.latest = lit ? { width: lit.width, height: lit.height, rgb: lit.rgb, capturedAt: f.capturedAt, seq: f.seq } : f;
    this.listeners.emitFrame(this.latest);
  }

  async stop(): Promise<void> {
    for (const off of this.off.splice(0)) off();
    this.latest = undefined;
    await this.base.stop();
  }

}
