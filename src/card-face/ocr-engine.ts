/**
 * The OCR engines (issue 12 item 3: the OCR's transport): tesseract.js 7 with
 * `@tesseract.js-data/jpn` (4.0.0_best_int, LSTM) for the page and the line re-reads, and
 * `@tesseract.js-data/eng` (digits only) as the second engine that must read the same security
 * code; both from node_modules, `cacheMethod: 'none'`: nothing is cached or written anywhere; no
 * network. Images in (PNG), text out; no card and no policy.
 */
import { dirname } from 'node:path';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import type { Box } from './ocr-image';

export interface TextLine {
  /** Text with all whitespace removed. */
  text: string;
  bbox: Box;
  confidence: number;
}

export class TesseractEngines {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  /** A second, independent engine (tesseract's English LSTM, digits only). */
  private digits: Worker | undefined;
  private psm: PSM = PSM.SPARSE_TEXT;

  /** Both engines warm; idempotent. */
  async start(): Promise<void> {
    await this.ensureWorker();
    if (!this.digits) {
      const langPath = `${dirname(require.resolve('@tesseract.js-data/eng'))}/4.0.0`;
      const w = await createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' });
      await w.setParameters({ tessedit_char_whitelist: '0123456789', tessedit_pageseg_mode: PSM.SINGLE_LINE, user_defined_dpi: '300', debug_file: '/dev/null' });
      if (this.digits) await w.terminate();
      else this.digits = w;
    }
  }

  get hasDigitsEngine(): boolean {
    return this.digits !== undefined;
  }

  async stop(): Promise<void> {
    const w = this.worker ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.worker = undefined;
    this.starting = undefined;
    if (w) await w.terminate();
    const d = this.digits;
    this.digits = undefined;
    if (d) await d.terminate();
  }

  /** Every text line the Japanese engine's sparse-text layout analysis finds, whitespace removed by `clean`. */
  async readPage(png: Buffer, clean: (text: string) => string): Promise<TextLine[]> {
    const worker = await this.setPsm(PSM.SPARSE_TEXT);
    const { data } = await worker.recognize(png, {}, { blocks: true, text: true });
    const lines: TextLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const line of para.lines) {
          const text = clean(line.text);
          if (text) lines.push({ text, bbox: line.bbox, confidence: line.confidence / 100 });
        }
      }
    }
    return lines;
  }

  /** One line crop read by the Japanese engine in a page-segmentation mode; confidence 0–1. */
  async readLine(png: Buffer, psm: PSM): Promise<{ text: string; confidence: number }> {
    const worker = await this.setPsm(psm);
    const { data } = await worker.recognize(png, {}, { blocks: true, text: true });
    return { text: data.text ?? '', confidence: data.confidence / 100 };
  }

  /** One line crop read by the digits-only English engine. */
  async readDigits(png: Buffer): Promise<string> {
    if (!this.digits) return '';
    const { data } = await this.digits.recognize(png, {}, { text: true });
    return data.text ?? '';
  }

  private ensureWorker(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    if (!this.starting) {
      const langPath = `${dirname(require.resolve('@tesseract.js-data/jpn'))}/4.0.0_best_int`;
      this.starting = (async () => {
        const w = await createWorker('jpn', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' });
        // debug_file: tesseract's own diagnostics would go to stdout.
        await w.setParameters({ tessedit_pageseg_mode: PSM.SPARSE_TEXT, user_defined_dpi: '300', debug_file: '/dev/null' });
        this.psm = PSM.SPARSE_TEXT;
        this.worker = w;
        return w;
      })();
      this.starting.catch(() => (this.starting = undefined));
    }
    return this.starting;
  }

  private async setPsm(psm: PSM): Promise<Worker> {
    const worker = await this.ensureWorker();
    if (this.psm !== psm) {
      await worker.setParameters({ tessedit_pageseg_mode: psm });
      this.psm = psm;
    }
    return worker;
  }
}
