import assert from 'node:assert/strict';
import sharp from 'sharp';
import { PSM } from 'tesseract.js';
import { TesseractEngines } from '../../src/card-face/ocr-engine';

/** One printed line, black on white, drawn here (not by the product's renderer). */
async function line(text: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="72"><rect width="100%" height="100%" fill="white"/><text x="16" y="52" font-family="IPAGothic" font-size="44" fill="black">${text}</text></svg>`;
  return sharp(Buffer.from(svg)).greyscale().png().toBuffer();
}

// The scan re-reads two date fields at once (ocr.ts): each read sets the Japanese worker's mode
// and glyph whitelist, then recognises. Without one job at a time, a read that finds the worker
// already in its mode skips setting it and is recognised with the other read's whitelist.
describe('tesseract engines under concurrent line reads', function () {
  this.timeout(120_000);
  const engines = new TesseractEngines();
  before(() => engines.start());
  after(() => engines.stop());

  it('reads each line with its own whitelist when two reads overlap', async () => {
    const png = await line('12年3月');
    const [digitsOnly, any] = await Promise.all([engines.readLine(png, PSM.SINGLE_LINE, '0123456789'), engines.readLine(png, PSM.SINGLE_LINE, '')]);
    assert.doesNotMatch(digitsOnly.text, /[年月]/, digitsOnly.text);
    assert.match(any.text, /年/, `the unrestricted read came back as ${JSON.stringify(any.text)}`);
  });
});
