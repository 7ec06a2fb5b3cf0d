/**
 * Text drawn with the Debian IPAGothic font through sharp's SVG renderer (librsvg + fontconfig):
 * the 1-bit field images of EF 0002 (DF25 name, DF26 address, DF2A security code) and the
 * printed card face use the same helper.
 */
import sharp from 'sharp';

export const CARD_FONT = 'IPAGothic';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A 1-bit (two-colour palette) PNG of one line of text, black on white. */
export async function textLinePng(text: string, fontSize: number, width: number): Promise<Buffer> {
  const height = Math.round(fontSize * 1.3);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/><text x="2" y="${Math.round(fontSize * 1.05)}" font-family="${CARD_FONT}" font-size="${fontSize}" fill="#000">${escapeXml(text)}</text></svg>`;
  return sharp(Buffer.from(svg)).greyscale().threshold(128).png({ palette: true, colours: 2 }).toBuffer();
}
