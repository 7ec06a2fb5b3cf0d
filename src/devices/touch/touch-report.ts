/**
 * Single-touch HID digitizer reports, as the panel's USB touch controller sends them (HID usage
 * page 0x0D, one contact): report id, a status byte whose bit 0 is the tip switch, then X and Y
 * as 16-bit little-endian logical coordinates. A touch counts on release (tip 1 → 0), like a
 * button on a phone, so a finger sliding off a button cancels nothing it did not mean to press.
 *
 * The calibration maps logical coordinates to panel cells; it lives in the device configuration
 * because every panel is mounted slightly differently.
 */
export interface TouchCalibration {
  reportId: number;
  /** Raw logical value at the panel's left/top and right/bottom edge. */
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** Swap axes for a panel mounted in portrait. */
  swapXY?: boolean;
  /** Mirror an axis for a digitizer mounted the other way round. */
  invertX?: boolean;
  invertY?: boolean;
}

export interface TouchSample {
  tip: boolean;
  x: number;
  y: number;
}

export class MalformedTouchReportError extends Error {
  override readonly name = 'MalformedTouchReportError';
  constructor(readonly length: number, readonly reportId: number | undefined) {
    super(`touch report of ${length} bytes (report id ${reportId ?? 'none'}) is not a digitizer report`);
  }
}

export function parseTouchReport(report: Uint8Array, calibration: TouchCalibration): TouchSample {
  if (report.length < 6 || report[0] !== calibration.reportId) {
    throw new MalformedTouchReportError(report.length, report[0]);
  }
  const b = Buffer.from(report.buffer, report.byteOffset, report.byteLength);
  const rawX = b.readUInt16LE(2);
  const rawY = b.readUInt16LE(4);
  return calibration.swapXY ? { tip: (b[1]! & 1) === 1, x: rawY, y: rawX } : { tip: (b[1]! & 1) === 1, x: rawX, y: rawY };
}

/** Logical coordinates → panel cell, clamped to the panel. */
export function toPanelCell(sample: TouchSample, c: TouchCalibration, cols: number, rows: number): { x: number; y: number } {
  let fx = (sample.x - c.minX) / Math.max(1, c.maxX - c.minX);
  let fy = (sample.y - c.minY) / Math.max(1, c.maxY - c.minY);
  if (c.invertX) fx = 1 - fx;
  if (c.invertY) fy = 1 - fy;
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor(v * n)));
  return { x: clamp(fx, cols), y: clamp(fy, rows) };
}

/** Encodes a report (the simulated controller and tests). */
export function encodeTouchReport(reportId: number, tip: boolean, x: number, y: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = reportId;
  b[1] = tip ? 1 : 0;
  b.writeUInt16LE(x, 2);
  b.writeUInt16LE(y, 4);
  return b;
}

/**
 * Turns a stream of samples into taps: remembers the last position while the tip is down and
 * reports one tap at the release point.
 */
export class TapDetector {
  private down: TouchSample | undefined;
  feed(sample: TouchSample): TouchSample | undefined {
    if (sample.tip) {
      this.down = sample;
      return undefined;
    }
    const released = this.down;
    this.down = undefined;
    return released ? { tip: false, x: released.x, y: released.y } : undefined;
  }
}
