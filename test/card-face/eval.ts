/**
 * `npm run eval:card-face [-- --samples N --from I --seed S --severity F]`: scans N (default 600) card faces
 * (indices I… — a face depends only on the seed and its index, so two halves run side by side give
 * the same faces as one run)
 * drawn by the independent generator (`independent-faces.ts`: three designs, random layouts within
 * a few mm, three font families, tinted bands, patterns, then a camera) once each, and prints one
 * JSON object: overall and per design `samples`, `exact` (share read exactly and presented on the
 * first scan), `confidentWrong` (wrong digits the reader would have presented — each would cost a
 * card try; must be 0), `unreadable` (share refused), plus refusal reasons, `medianMs` and `p90Ms`, and
 * the detector cascade's second passes (`cascade`: how many scans ran more than one detector side,
 * how many of those the later pass read confidently, their median and 90th-percentile time; and
 * the refused scans' times).
 * Tune on one seed (default 1) and report on another (`--seed 2`, never looked at while tuning).
 * `CARD_FACE_EVAL_VERBOSE=1` prints every scan to stderr (digits included: test data only), and for
 * each face not read exactly every page line and crop read the scan made (the error analysis).
 * Nothing is written to disk.
 */
import { CardFaceReader, type ReadTrace } from '../../src/card-face/ocr';
import type { PaddleEngineOptions } from '../../src/card-face/ocr-engine';
import { DESIGNS, faceSample, type Design } from './independent-faces';

interface Tally {
  samples: number;
  exact: number;
  confidentWrong: number;
  unreadable: number;
  reasons: Record<string, number>;
}

const tally = (): Tally => ({ samples: 0, exact: 0, confidentWrong: 0, unreadable: 0, reasons: {} });

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, def: number): number => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const samples = opt('samples', 600);
  const seed = opt('seed', 1);
  const severity = opt('severity', 1);
  const upsideDownShare = opt('upside-down', 0);
  const from = opt('from', 0);
  // The reads of the scan under way, for the verbose error analysis (test faces only).
  let reads: ReadTrace[] = [];
  // CARD_FACE_PADDLE='{"detectorSides":[960]}' measures other PaddleOCR settings than the reader's own.
  const paddle = process.env.CARD_FACE_PADDLE ? { paddle: JSON.parse(process.env.CARD_FACE_PADDLE) as PaddleEngineOptions } : {};
  const reader = new CardFaceReader({ ...paddle, ...(process.env.CARD_FACE_EVAL_VERBOSE ? { trace: (e: ReadTrace) => reads.push(e) } : {}) });
  const t0 = performance.now();
  await reader.start();
  const startMs = Math.round(performance.now() - t0);
  const all = tally();
  const per = new Map<Design, Tally>(DESIGNS.map((d) => [d, tally()]));
  const ms: number[] = [];
  // Scans that ran a second detector pass (the first refused), and scans refused in the end.
  const morePassesMs: number[] = [];
  let morePassesOk = 0;
  const refusedMs: number[] = [];
  for (let i = from; i < from + samples; i++) {
    if (process.env.ONLY && Number(process.env.ONLY) !== i) continue;
    reads = [];
    const s = await faceSample(i, { seed, samples, severity, upsideDownShare });
    const scan = await reader.scan(s.image);
    const wrongOrRefused = !scan.ok || `${scan.birth ?? ''}${scan.expiryYear ?? ''}${scan.securityCode ?? ''}` !== s.expectedCodeB;
    ms.push(scan.ms);
    if ((scan.detectorSides?.length ?? 0) > 1) {
      morePassesMs.push(scan.ms);
      if (scan.ok) morePassesOk++;
    }
    if (!scan.ok) refusedMs.push(scan.ms);
    const got = `${scan.birth ?? ''}${scan.expiryYear ?? ''}${scan.securityCode ?? ''}`;
    if (process.env.CARD_FACE_EVAL_VERBOSE) console.error(JSON.stringify({ i, design: s.design, font: s.font, expected: s.expectedCodeB, got, ok: scan.ok, reason: scan.reason, confidence: scan.confidence, ms: scan.ms, detectorSides: scan.detectorSides, camera: s.camera, ...(wrongOrRefused ? { reads } : {}) }));
    for (const t of [all, per.get(s.design) as Tally]) {
      t.samples++;
      if (scan.ok && got === s.expectedCodeB) t.exact++;
      else if (scan.ok) t.confidentWrong++;
      else {
        t.unreadable++;
        const reason = scan.reason ?? 'unknown';
        t.reasons[reason] = (t.reasons[reason] ?? 0) + 1;
      }
    }
    if (scan.ok && got !== s.expectedCodeB) console.error(JSON.stringify({ sample: i, design: s.design, camera: s.camera, note: 'confident wrong read' }));
  }
  await reader.stop();
  for (const xs of [ms, morePassesMs, refusedMs]) xs.sort((a, b) => a - b);
  const at = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
  const summary = (t: Tally): Record<string, unknown> => ({
    samples: t.samples,
    exact: t.samples ? Number((t.exact / t.samples).toFixed(3)) : 0,
    confidentWrong: t.confidentWrong,
    unreadable: t.samples ? Number((t.unreadable / t.samples).toFixed(3)) : 0,
    refusedReasons: t.reasons,
  });
  console.log(
    JSON.stringify({
      eval: 'card-face',
      generator: 'independent',
      seed,
      severity,
      ...summary(all),
      perDesign: Object.fromEntries([...per].map(([d, t]) => [d, summary(t)])),
      medianMs: ms[Math.floor(ms.length / 2)] ?? 0,
      p90Ms: at(ms, 0.9),
      cascade: { secondPass: morePassesMs.length, secondPassOk: morePassesOk, secondPassMedianMs: at(morePassesMs, 0.5), secondPassP90Ms: at(morePassesMs, 0.9) },
      refusedMedianMs: at(refusedMs, 0.5),
      refusedP90Ms: at(refusedMs, 0.9),
      ...(process.env.CARD_FACE_PADDLE ? { paddle: JSON.parse(process.env.CARD_FACE_PADDLE) as unknown } : {}),
      engineStartMs: startMs,
    }),
  );
}

void main();
