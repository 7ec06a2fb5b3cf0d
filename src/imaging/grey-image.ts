/**
 * The one luminance image type of the product (issue 12 item 4): camera frames turned grey, the
 * rectified card face for the OCR, and the card photo decoded from JPEG 2000 for face matching.
 * Pixels in memory only; none of them is ever written to disk (SPEC §5.1).
 */
export interface GreyImage {
  width: number;
  height: number;
  /** Row-major 8-bit luminance, width × height bytes. */
  grey: Uint8Array;
}
