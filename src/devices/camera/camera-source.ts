/**
 * The camera as the face flow sees it (issue 5 §1, STYLE §1): started only when the flow needs
 * it, stopped after; only the newest frame is kept (a slow model never builds a queue); losing
 * the camera for good is one `camera-failed` event, after which the flow offers PIN or the staff
 * check (SPEC §3 step 4). Frames live in memory only — no implementation writes one to disk.
 *
 * Contract for calls in flight: stop() is idempotent; after it, latestFrame() is undefined (the
 * last image of a patient is dropped) and no listener is called again.
 */
import type { RgbFrame } from './frame';

export type { RgbFrame } from './frame';

export type CameraFailureReason = 'exited' | 'stalled' | 'spawn-failed' | 'simulated';

export class CameraFailedError extends Error {
  override readonly name = 'CameraFailedError';
  constructor(
    readonly reason: CameraFailureReason,
    readonly restarts: number,
    /** Last lines ffmpeg wrote on stderr (device and codec messages, never pixel data). */
    readonly detail: string = '',
  ) {
    super(`camera failed (${reason}) after ${restarts} restart(s)${detail ? `: ${detail}` : ''}`);
  }
}

export interface CameraEvents {
  /** The source died or stalled and will be restarted after `delayMs`. */
  restarting: (info: { attempt: number; delayMs: number; reason: CameraFailureReason }) => void;
  /** Restarts are exhausted: the camera is stopped; the flow falls back to PIN / staff check. */
  'camera-failed': (err: CameraFailedError) => void;
}

export interface CameraSource {
  start(): void;
  /** Idempotent; resolves when the underlying process (if any) has exited. */
  stop(): Promise<void>;
  latestFrame(): RgbFrame | undefined;
  /** Called with every new frame (newest only); returns the unsubscribe function. */
  onFrame(listener: (frame: RgbFrame) => void): () => void;
  on<E extends keyof CameraEvents>(event: E, listener: CameraEvents[E]): () => void;
  readonly running: boolean;
  /**
   * Holds the picture's automatic exposure and white balance where they are (the colour flash,
   * issue 14); resolves with the function that lets them go again. Only a real camera has them.
   */
  holdExposure?(): Promise<() => Promise<void>>;
}

/** Listener bookkeeping shared by the implementations; one listener throwing cannot break the camera. */
export class CameraListeners {
  private readonly frame = new Set<(f: RgbFrame) => void>();
  private readonly events: { [E in keyof CameraEvents]: Set<CameraEvents[E]> } = { restarting: new Set(), 'camera-failed': new Set() };

  onFrame(l: (f: RgbFrame) => void): () => void {
    this.frame.add(l);
    return () => this.frame.delete(l);
  }

  on<E extends keyof CameraEvents>(event: E, l: CameraEvents[E]): () => void {
    (this.events[event] as Set<CameraEvents[E]>).add(l);
    return () => (this.events[event] as Set<CameraEvents[E]>).delete(l);
  }

  emitFrame(f: RgbFrame): void {
    for (const l of this.frame) {
      try {
        l(f);
      } catch {
        // fault isolation (STYLE §8): a subscriber's bug must not stop the camera
      }
    }
  }

  emitRestarting(info: Parameters<CameraEvents['restarting']>[0]): void {
    for (const l of this.events.restarting) {
      try {
        l(info);
      } catch {
        // see emitFrame
      }
    }
  }

  emitFailed(err: CameraFailedError): void {
    for (const l of this.events['camera-failed']) {
      try {
        l(err);
      } catch {
        // see emitFrame
      }
    }
  }
}

/**
 * What every camera shares: its listeners and the newest frame (`latest`, dropped on stop by the
 * implementation), and the three methods that only read them.
 */
export abstract class CameraSourceBase implements CameraSource {
  protected readonly listeners = new CameraListeners();
  protected latest: RgbFrame | undefined;

  abstract start(): void;
  abstract stop(): Promise<void>;
  abstract get running(): boolean;

  latestFrame(): RgbFrame | undefined {
    return this.latest;
  }

  onFrame(listener: (frame: RgbFrame) => void): () => void {
    return this.listeners.onFrame(listener);
  }

  on<E extends keyof CameraEvents>(event: E, listener: CameraEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }
}
