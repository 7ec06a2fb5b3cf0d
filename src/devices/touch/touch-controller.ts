/**
 * The touch controller driver: reads HID reports and turns them into taps at panel cells. The
 * real one opens the USB device with `node-hid`; the simulated one takes reports injected by the
 * rig. Both run the same parser and calibration, so the rig exercises the device's code path.
 */
import type { Logger } from '../../log/logger';
import { MalformedTouchReportError, parseTouchReport, TapDetector, toPanelCell, type TouchCalibration } from './touch-report';

export interface TouchTap {
  x: number;
  y: number;
}

export interface TouchController {
  onTap(listener: (tap: TouchTap) => void): () => void;
  close(): void;
}

abstract class TouchControllerBase implements TouchController {
  private readonly listeners = new Set<(tap: TouchTap) => void>();
  private readonly taps = new TapDetector();
  constructor(
    protected readonly calibration: TouchCalibration,
    private readonly panelSize: () => { cols: number; rows: number },
    protected readonly log: Logger,
  ) {}

  onTap(listener: (tap: TouchTap) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected handleReport(report: Uint8Array): void {
    try {
      const tap = this.taps.feed(parseTouchReport(report, this.calibration));
      if (!tap) return;
      const { cols, rows } = this.panelSize();
      const cell = toPanelCell(tap, this.calibration, cols, rows);
      for (const l of this.listeners) l(cell);
    } catch (e) {
      // A glitchy report must not take the panel down: drop it and carry on.
      if (e instanceof MalformedTouchReportError) this.log.warn(`touch report dropped (${e.length} bytes)`);
      else throw e;
    }
  }

  abstract close(): void;
}

export class SimulatedTouchController extends TouchControllerBase {
  inject(report: Uint8Array): void {
    this.handleReport(report);
  }
  close(): void {}
}

export interface HidTouchOptions {
  vendorId: number;
  productId: number;
}

export class HidTouchController extends TouchControllerBase {
  private device: { on(ev: string, cb: (arg: Buffer | Error) => void): void; close(): void } | undefined;

  static async open(
    options: HidTouchOptions,
    calibration: TouchCalibration,
    panelSize: () => { cols: number; rows: number },
    log: Logger,
  ): Promise<HidTouchController> {
    const controller = new HidTouchController(calibration, panelSize, log);
    // Loaded lazily: the rig without a touch controller never loads the native module.
    const hid = (await import('node-hid')) as unknown as { HID: new (vid: number, pid: number) => NonNullable<HidTouchController['device']> };
    const device = new hid.HID(options.vendorId, options.productId);
    device.on('data', (data) => controller.handleReport(data as Buffer));
    device.on('error', (err) => log.error(`touch controller error: ${(err as Error).message}`));
    controller.device = device;
    return controller;
  }

  close(): void {
    this.device?.close();
    this.device = undefined;
  }
}
