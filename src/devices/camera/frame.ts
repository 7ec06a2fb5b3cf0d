/** One camera frame as it reaches the face pipeline: packed RGB, 3 bytes a pixel (ffmpeg rgb24). */
export interface RgbFrame {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major, R G B. */
  rgb: Uint8Array;
  /** Monotonic capture time (performance.now()), for staleness checks. */
  capturedAt: number;
  /** Sequence number from the source, starting at 1, to tell a new frame from the one already seen. */
  seq: number;
}
