/**
 * FfmpegCamera: frames from an `ffmpeg` child writing rawvideo rgb24 to its stdout (issue 5 §1).
 * On the device the input is V4L2 (`/dev/video0`, size and rate from the config); on the rig a
 * video file looped or a still image looped, paced in real time with `-re`.
 *
 * Only the newest complete frame is kept. If ffmpeg exits, or no frame arrives for `stallMs`, it
 * is killed and restarted with a capped exponential back-off; after `maxRestarts` consecutive
 * failures without a frame in between, `camera-failed` is emitted and the camera stops.
 * Nothing is written to disk: the output is a pipe.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { silentLogger, type Logger } from '../../log/logger';
import { CameraFailedError, CameraSourceBase, type CameraFailureReason } from './camera-source';
import type { RgbFrame } from './frame';
import { execFileRunner, holdExposure, type CommandRunner } from './v4l2-controls';

export type CameraInput =
  | { kind: 'v4l2'; device: string }
  | { kind: 'video'; path: string }
  | { kind: 'stills'; path: string }
  /** An ffmpeg lavfi source such as `testsrc=size=640x480:rate=15` (tests, selftest). */
  | { kind: 'lavfi'; graph: string };

export interface FfmpegCameraOptions {
  input: CameraInput;
  width: number;
  height: number;
  fps: number;
  ffmpegPath?: string;
  /** No frame for this long counts as a stall (default 3000 ms, or 10 frame periods if longer). */
  stallMs?: number;
  /** Consecutive restarts without a frame before giving up (default 4). */
  maxRestarts?: number;
  /** Back-off: baseMs × 2^(attempt-1), capped at capMs (defaults 250 ms, 4000 ms). */
  backoff?: { baseMs: number; capMs: number };
  logger?: Logger;
  /** How camera controls are set (`v4l2-ctl`); tests give a fake. */
  controls?: CommandRunner;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** ffmpeg arguments for an input; exported for the tests and `fcr` diagnostics. */
export function ffmpegArgs(o: Pick<FfmpegCameraOptions, 'input' | 'width' | 'height' | 'fps'>): string[] {
  const size = `${o.width}x${o.height}`;
  const input: string[] = (() => {
    switch (o.input.kind) {
      case 'v4l2':
        return ['-f', 'v4l2', '-framerate', String(o.fps), '-video_size', size, '-i', o.input.device];
      case 'video':
        return ['-re', '-stream_loop', '-1', '-i', o.input.path];
      case 'stills':
        return ['-re', '-loop', '1', '-framerate', String(o.fps), '-i', o.input.path];
      case 'lavfi':
        return ['-re', '-f', 'lavfi', '-i', o.input.graph];
    }
  })();
  // The fps filter holds each frame until the next one arrives (it needs the next timestamp to
  // decide), so it delays the first frame by one frame period (~55 ms measured at 15 fps, issue 14:
  // camera start → decision). A looped still (`-framerate`) and a lavfi graph already come at the
  // rate asked; a video file or a V4L2 device may not, and keep it.
  const fps = o.input.kind === 'video' || o.input.kind === 'v4l2' ? `,fps=${o.fps}` : '';
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...input,
    '-an',
    '-vf', `scale=${o.width}:${o.height}:force_original_aspect_ratio=decrease,pad=${o.width}:${o.height}:(ow-iw)/2:(oh-ih)/2${fps}`,
    '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
  ];
}

export class FfmpegCamera extends CameraSourceBase {
  private readonly frameBytes: number;
  private child: Child | undefined;
  private childExited: Promise<void> = Promise.resolve();
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private seq = 0;
  private lastFrameAt = 0;
  private failuresInARow = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private stderrTail = '';
  private wanted = false;
  private readonly log: Logger;
  /** Processes spawned so far (first start + restarts). */
  spawnCount = 0;

  constructor(private readonly opts: FfmpegCameraOptions) {
    super();
    this.frameBytes = opts.width * opts.height * 3;
    this.log = (opts.logger ?? silentLogger).child('camera');
  }

  get running(): boolean {
    return this.wanted;
  }

  /** A V4L2 camera's automatic exposure and white balance held (v4l2-controls.ts); files and test sources have none. */
  holdExposure(): Promise<() => Promise<void>> {
    const input = this.opts.input;
    if (input.kind !== 'v4l2') return Promise.resolve(async () => undefined);
    return holdExposure(input.device, this.opts.controls ?? execFileRunner);
  }

  /** pid of the current ffmpeg, for diagnostics and tests. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private get stallMs(): number {
    return this.opts.stallMs ?? Math.max(3000, (10 * 1000) / this.opts.fps);
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.failuresInARow = 0;
    this.spawnOnce();
    this.stallTimer = setInterval(() => this.checkStall(), Math.max(50, Math.floor(this.stallMs / 4)));
  }

  private spawnOnce(): void {
    this.restartTimer = undefined;
    if (!this.wanted) return;
    this.partial = [];
    this.partialBytes = 0;
    this.stderrTail = '';
    this.lastFrameAt = performance.now();
    const args = ffmpegArgs(this.opts);
    const child = spawn(this.opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.spawnCount++;
    this.child = child;
    this.log.debug(`ffmpeg started (pid ${child.pid ?? '?'}, ${this.opts.input.kind} ${this.opts.width}x${this.opts.height}@${this.opts.fps})`);
    let spawnFailed = false;
    this.childExited = new Promise<void>((resolve) => {
      child.once('close', (code, signal) => {
        resolve();
        if (this.child !== child) return;
        this.child = undefined;
        if (!this.wanted) return;
        this.failed(spawnFailed ? 'spawn-failed' : this.stalledKill === child ? 'stalled' : 'exited', `code ${code ?? signal}`);
      });
    });
    child.once('error', () => {
      spawnFailed = true; // ENOENT and the like; 'close' follows
    });
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-600);
    });
  }

  private stalledKill: Child | undefined;

  private checkStall(): void {
    const child = this.child;
    if (!this.wanted || !child) return;
    if (performance.now() - this.lastFrameAt > this.stallMs) {
      this.log.warn(`no frame for ${this.stallMs} ms; killing ffmpeg`);
      this.stalledKill = child;
      this.lastFrameAt = performance.now(); // one kill per stall
      child.kill('SIGKILL');
    }
  }

  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const need = this.frameBytes - this.partialBytes;
      const take = Math.min(need, chunk.length - offset);
      this.partial.push(chunk.subarray(offset, offset + take));
      this.partialBytes += take;
      offset += take;
      if (this.partialBytes === this.frameBytes) {
        // Copy into a fresh buffer: the newest frame replaces the previous one, nothing queues.
        const rgb = new Uint8Array(Buffer.concat(this.partial, this.frameBytes));
        this.partial = [];
        this.partialBytes = 0;
        this.lastFrameAt = performance.now();
        this.failuresInARow = 0;
        this.latest = { width: this.opts.width, height: this.opts.height, rgb, capturedAt: this.lastFrameAt, seq: ++this.seq };
        this.listeners.emitFrame(this.latest);
      }
    }
  }

  private failed(reason: CameraFailureReason, detail: string): void {
    this.failuresInARow++;
    const maxRestarts = this.opts.maxRestarts ?? 4;
    const tail = this.stderrTail.trim().split('\n').slice(-2).join(' | ');
    if (this.failuresInARow > maxRestarts) {
      const err = new CameraFailedError(reason, maxRestarts, [detail, tail].filter(Boolean).join('; '));
      this.log.error(err.message);
      void this.stop();
      this.listeners.emitFailed(err);
      return;
    }
    const { baseMs, capMs } = this.opts.backoff ?? { baseMs: 250, capMs: 4000 };
    const delayMs = Math.min(capMs, baseMs * 2 ** (this.failuresInARow - 1));
    this.log.warn(`ffmpeg ${reason} (${detail}); restart ${this.failuresInARow}/${maxRestarts} in ${delayMs} ms`);
    this.listeners.emitRestarting({ attempt: this.failuresInARow, delayMs, reason });
    this.restartTimer = setTimeout(() => this.spawnOnce(), delayMs);
  }

  async stop(): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.restartTimer = undefined;
    this.stallTimer = undefined;
    this.latest = undefined;
    this.partial = [];
    this.partialBytes = 0;
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.kill('SIGKILL');
      await this.childExited;
    }
  }

}
