/**
 * `npm run eval:face`: accuracy of the shipped pipeline on the offline set (test/face/README.md).
 * Prints one JSON object. Genuine pairs are augmented (one photograph per person in the source),
 * impostor pairs are real (different people); both are reported per augmentation too.
 * The pipeline is the product's face section (src/face/settings.ts defaults), the card photo goes
 * through JPEG 2000 as on the device (`--card=jpeg` for the old shortcut).
 * Options: --descriptor=faceres|facerec128, --detector=blazeface|blazeface-front, --size=… (FaceRes
 * crop), --threshold=…, --sweep (threshold sweep), --baseline (also face-api's default pipeline on
 * the same pairs, euclidean distance < 0.6), --compare (the matchers alone side by side, issue 14's
 * table; --variants=… picks rows, one detector per run).
 */
import { FaceEngine, type Analysis, type FaceEngineOptions } from '../../src/face/engine';
import type { GreyImage } from '../../rig/personas/face-images';
import { cardPhotoEmbedding, decide, decisionDefaultsFor, qualityGate, similarity, type DecisionConfig, type VerifyOutcome } from '../../src/face/decision';
import { toGrey, type RgbImage } from '../../src/face/image';
import { faceSettingsSchema, verifierOptions } from '../../src/face/settings';
import { BURST_FRAMES, jitter, runTransaction, type BurstFrame } from './transactions';
import { FaceApiBaseline, FACEAPI_DISTANCE_THRESHOLD } from './baseline-faceapi';
import { augmentations, cameraProbe, cardPhoto, cardPhotoAsOnDevice, counterConditions, counterProbe, faceIds, spoofKinds, spoofProbe, withMask, type Augmentation, type SpoofKind } from './eval-set';

interface Probe {
  id: string;
  aug: Augmentation;
  analysis: Analysis;
  image: RgbImage;
}

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

/** The card photo as the device has it (JPEG 2000 round trip), unless `--card=jpeg` asks for the old shortcut. */
const cardImage = (id: string): Promise<GreyImage> => (arg('card') === 'jpeg' ? cardPhoto(id) : cardPhotoAsOnDevice(id));

interface MatcherVariant {
  name: string;
  engine: FaceEngineOptions;
  metric: DecisionConfig['metric'];
}

/**
 * `--compare`: the matchers side by side on the same pairs and the same detector (issue 14's
 * table): for each, the similarity of every pair whose card and probe both gave a descriptor,
 * the lowest threshold with zero false accepts (just above the best impostor score), the share of
 * the 160 genuine pairs below it (a pair without a descriptor counts as rejected), and the model
 * time per frame. No quality gate and no liveness decision here: the matcher alone.
 */
async function compare(): Promise<void> {
  const variants: MatcherVariant[] = [
    { name: 'face-api 128-D on the BlazeFace box (issue-5 default)', engine: { descriptor: 'facerec128' }, metric: 'euclidean' },
    { name: 'FaceRes 224 px, grey + equalised', engine: { descriptor: 'faceres', faceCrop: { size: 224 } }, metric: 'cosine' },
    { name: 'FaceRes 192 px, grey + equalised', engine: { descriptor: 'faceres', faceCrop: { size: 192 } }, metric: 'cosine' },
    { name: 'FaceRes 160 px, grey + equalised', engine: { descriptor: 'faceres', faceCrop: { size: 160 } }, metric: 'cosine' },
    { name: 'FaceRes 224 px, grey, not equalised', engine: { descriptor: 'faceres', faceCrop: { size: 224, equalise: false } }, metric: 'cosine' },
    { name: 'blazeface-front + FaceRes 224 px, grey + equalised', engine: { detector: 'blazeface-front', descriptor: 'faceres', faceCrop: { size: 224 } }, metric: 'cosine' },
    { name: 'blazeface-front + FaceRes 192 px, grey + equalised', engine: { detector: 'blazeface-front', descriptor: 'faceres', faceCrop: { size: 192 } }, metric: 'cosine' },
  ];
  const only = arg('variants')?.split(',').map(Number) ?? [0, 1, 2, 3, 4];
  const chosen = variants.filter((_, n) => only.includes(n));
  // human keeps its detector model in a module variable: the first one loaded stays for the whole
  // process, so variants with another detector must run in a process of their own.
  if (new Set(chosen.map((v) => v.engine.detector ?? 'blazeface')).size > 1) throw new Error('--compare: one detector per run (use --variants=5,6 apart)');
  for (const v of chosen) {
    const engine = await FaceEngine.create(v.engine);
    const cards = new Map<string, Float32Array>();
    for (const id of faceIds) {
      const e = cardPhotoEmbedding(await engine.analyse(await cardImage(id)));
      if (e !== 'no-face') cards.set(id, e);
    }
    const genuine: number[] = [];
    const impostor: number[] = [];
    const ms: number[] = [];
    let genuineWithout = 0;
    for (const id of faceIds) {
      for (const aug of augmentations) {
        const a = await engine.analyse(await cameraProbe(id, aug));
        ms.push(a.ms);
        const face = [...a.faces].sort((x, y) => y.box.width - x.box.width)[0];
        if (!face?.embedding || !cards.has(id)) genuineWithout++;
        for (const [cardId, card] of cards) {
          if (!face?.embedding) continue;
          (cardId === id ? genuine : impostor).push(similarity(face.embedding, card, v.metric));
        }
      }
    }
    const maxImpostor = Math.max(...impostor);
    const rejected = genuine.filter((g) => g <= maxImpostor).length + genuineWithout;
    const sorted = [...ms].sort((x, y) => x - y);
    process.stdout.write(
      JSON.stringify({
        compare: v.name,
        card: arg('card') === 'jpeg' ? 'JPEG q70 (no JPEG 2000)' : 'JPEG 2000 round trip',
        cardPhotosWithFace: cards.size,
        genuinePairs: faceIds.length * augmentations.length,
        impostorPairs: impostor.length,
        zeroFalseAcceptThreshold: Number(maxImpostor.toFixed(4)),
        genuineRejectedThere: rejected,
        genuineRejectedShare: Number((rejected / (faceIds.length * augmentations.length)).toFixed(4)),
        genuineMin: Number(Math.min(...genuine).toFixed(4)),
        gap: Number((Math.min(...genuine) - maxImpostor).toFixed(4)),
        modelMsMedian: Number((sorted[Math.floor(sorted.length / 2)] ?? NaN).toFixed(1)),
        impostorTop5: [...impostor].sort((x, y) => y - x).slice(0, 5).map((x) => Number(x.toFixed(4))),
        genuineBottom8: [...genuine].sort((x, y) => x - y).slice(0, 8).map((x) => Number(x.toFixed(4))),
      }) + '\n',
    );
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--compare')) return compare();
  // The product's face section (settings.ts defaults) unless a flag overrides a part of it.
  const settings = faceSettingsSchema.parse({
    ...(arg('descriptor') ? { descriptor: arg('descriptor') } : {}),
    ...(arg('detector') ? { detector: arg('detector') } : {}),
    ...(arg('size') ? { cropSize: Number(arg('size')) } : {}),
    ...(arg('threshold') ? { matchThreshold: Number(arg('threshold')) } : {}),
  });
  const minLuma = arg('min-luma');
  const descriptor = settings.descriptor;
  const options = verifierOptions(settings);
  const cfg: DecisionConfig = { ...decisionDefaultsFor(descriptor), ...options.decision, ...(minLuma ? { minFaceLuma: Number(minLuma) } : {}) };
  const threshold = cfg.matchThreshold;
  const engine = await FaceEngine.create(options.engine);
  const cards = new Map<string, Float32Array>();
  for (const id of faceIds) {
    const e = cardPhotoEmbedding(await engine.analyse(await cardImage(id)));
    if (e !== 'no-face') cards.set(id, e);
  }
  const probes: Probe[] = [];
  for (const id of faceIds) {
    for (const aug of augmentations) {
      const image = await cameraProbe(id, aug);
      probes.push({ id, aug, image, analysis: await engine.analyse(image) });
    }
  }
  const outcome = (card: Float32Array, p: Probe, c: DecisionConfig = cfg): { outcome: VerifyOutcome; score?: number } => decide(p.analysis, toGrey(p.image), card, c);
  const count = (rows: { outcome: string }[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of rows) out[r.outcome] = (out[r.outcome] ?? 0) + 1;
    return out;
  };

  const genuine: { aug: Augmentation; outcome: VerifyOutcome; score?: number }[] = [];
  const impostor: { aug: Augmentation; outcome: VerifyOutcome; score?: number }[] = [];
  const genuineSims: number[] = [];
  const impostorSims: number[] = [];
  for (const p of probes) {
    const face = [...p.analysis.faces].sort((a, b) => b.box.width - a.box.width)[0];
    for (const [cardId, card] of cards) {
      const r = outcome(card, p);
      if (cardId === p.id) genuine.push({ aug: p.aug, ...r });
      else impostor.push({ aug: p.aug, ...r });
      if (face?.embedding && !qualityGate(p.analysis, toGrey(p.image), cfg)) (cardId === p.id ? genuineSims : impostorSims).push(similarity(face.embedding, card, cfg.metric));
    }
  }
  const fa = impostor.filter((r) => r.outcome === 'match').length;
  const fr = genuine.filter((r) => r.outcome !== 'match').length;
  const perAug = Object.fromEntries(
    augmentations.map((aug) => {
      const g = genuine.filter((r) => r.aug === aug);
      const i = impostor.filter((r) => r.aug === aug);
      return [aug, { genuinePairs: g.length, genuine: count(g), impostorPairs: i.length, falseAccepts: i.filter((r) => r.outcome === 'match').length }];
    }),
  );
  const spoofs: { kind: SpoofKind; outcome: VerifyOutcome; real?: number; live?: number }[] = [];
  for (const kind of spoofKinds) {
    for (const id of faceIds) {
      const card = cards.get(id);
      if (!card) continue;
      const image = await spoofProbe(id, kind);
      const r = decide(await engine.analyse(image), toGrey(image), card, cfg);
      spoofs.push({ kind, outcome: r.outcome, real: r.liveness?.real, live: r.liveness?.live });
    }
  }
  // Masks (separate from FAR/FRR): each person's original view with a synthetic mask, against
  // their own card; and how often the mask hint shows on unmasked genuine frames.
  const masked: { outcome: VerifyOutcome; hint?: string }[] = [];
  for (const p of probes.filter((q) => q.aug === 'original')) {
    const face = [...p.analysis.faces].sort((a, b) => b.box.width - a.box.width)[0];
    const card = cards.get(p.id);
    if (!face || !card) continue;
    const image = withMask(p.image, face.box);
    const r = decide(await engine.analyse(image), toGrey(image), card, cfg);
    masked.push({ outcome: r.outcome, ...(r.hint ? { hint: r.hint } : {}) });
  }
  const maskHintOnUnmasked = probes.filter((p) => {
    const card = cards.get(p.id);
    return card !== undefined && decide(p.analysis, toGrey(p.image), card, cfg).hint === 'remove-mask';
  }).length;
  // Counter conditions that should produce a hint (SPEC §3 step 4): outcomes and hints per condition.
  const conditions: Record<string, { samples: number; outcomes: Record<string, number>; hints: Record<string, number> }> = {};
  for (const condition of counterConditions) {
    const rows: { outcome: VerifyOutcome; hint?: string }[] = [];
    for (const [n, id] of faceIds.entries()) {
      const card = cards.get(id);
      if (!card) continue;
      const image = await counterProbe(id, faceIds[(n + 1) % faceIds.length] ?? id, condition);
      const r = decide(await engine.analyse(image), toGrey(image), card, cfg);
      rows.push({ outcome: r.outcome, ...(r.hint ? { hint: r.hint } : {}) });
    }
    const hints: Record<string, number> = {};
    for (const r of rows) if (r.hint) hints[r.hint] = (hints[r.hint] ?? 0) + 1;
    conditions[condition] = { samples: rows.length, outcomes: count(rows), hints };
  }
  // Liveness on genuine live-camera originals: how often a real person would be called a spoof.
  const liveOriginals = probes.filter((p) => p.aug === 'original').map((p) => outcome(cards.get(p.id) ?? new Float32Array(), p));
  const sweep =
    process.argv.includes('--sweep')
      ? [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7].map((t) => ({
          threshold: t,
          frrOnAcceptedFrames: genuineSims.filter((s) => s < t).length / Math.max(1, genuineSims.length),
          far: impostorSims.filter((s) => s >= t).length / Math.max(1, impostorSims.length),
        }))
      : undefined;
  const stats = (xs: number[]): object => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (f: number): number => Number((s[Math.min(s.length - 1, Math.floor(f * s.length))] ?? NaN).toFixed(3));
    return { n: s.length, min: q(0), p05: q(0.05), median: q(0.5), p95: q(0.95), max: q(1 - 1e-9) };
  };
  // Per transaction (transactions.ts): each genuine probe as a burst of BURST_FRAMES frames through
  // the product's attempt loop, against its own card and against every other card.
  const bursts = new Map<Probe, BurstFrame[]>();
  for (const p of probes) {
    const frames: BurstFrame[] = [{ image: p.image, analysis: p.analysis, grey: toGrey(p.image) }];
    for (let k = 1; k < (process.argv.includes('--no-transactions') ? 0 : BURST_FRAMES); k++) {
      const image = jitter(p.image, k);
      frames.push({ image, analysis: await engine.analyse(image), grey: toGrey(image) });
    }
    bursts.set(p, frames);
  }
  const txGenuine: { aug: Augmentation; outcome: string; judged: number; hints: string[] }[] = [];
  let txImpostor = 0;
  let txFalseAccepts = 0;
  const txImpostorBest: number[] = [];
  for (const p of process.argv.includes('--no-transactions') ? [] : probes) {
    const burst = bursts.get(p) ?? [];
    for (const [cardId, card] of cards) {
      const r = await runTransaction(burst, card, cfg);
      if (cardId === p.id) txGenuine.push({ aug: p.aug, outcome: r.outcome, judged: r.framesJudged, hints: r.hints });
      else {
        txImpostor++;
        if (r.outcome === 'match') txFalseAccepts++;
        if (r.score !== undefined) txImpostorBest.push(r.score);
      }
    }
  }
  const txFr = txGenuine.filter((t) => t.outcome !== 'match').length;
  // The ROC per transaction above the threshold in use: an impostor burst matches at t iff its best
  // judged score reaches t (it ran every frame unless it matched or ended on spoofs); genuine bursts
  // are replayed at t.
  const txSweep: { threshold: number; falseAccepts: number; falseRejects: number }[] = [];
  for (const t of [threshold, 0.775, 0.78, 0.785, 0.79, 0.8, 0.81].filter((x) => x >= threshold)) {
    let frAt = 0;
    for (const p of process.argv.includes('--no-transactions') ? [] : probes) {
      const card = cards.get(p.id);
      if (!card || (await runTransaction(bursts.get(p) ?? [], card, { ...cfg, matchThreshold: t })).outcome !== 'match') frAt++;
    }
    txSweep.push({ threshold: t, falseAccepts: txImpostorBest.filter((b) => b >= t).length, falseRejects: frAt });
  }
  const transactions = {
    note: `a transaction = one face attempt (runFaceAttempt) over a burst of ${BURST_FRAMES} frames: the probe and ${BURST_FRAMES - 1} jittered copies (sway, light, noise) of it, not new photographs; genuine pairs stay augmented`,
    framesPerBurst: BURST_FRAMES,
    genuineTransactions: txGenuine.length,
    impostorTransactions: txImpostor,
    falseAccepts: txFalseAccepts,
    falseRejects: txFr,
    FAR: Number((txFalseAccepts / Math.max(1, txImpostor)).toFixed(4)),
    FRR: Number((txFr / Math.max(1, txGenuine.length)).toFixed(4)),
    genuineOutcomes: count(txGenuine),
    bestImpostorScore: Number(Math.max(...txImpostorBest).toFixed(4)),
    sweep: txSweep,
    matchedAfterRetry: txGenuine.filter((t) => t.outcome === 'match' && t.hints.length + t.judged > 0).length,
    hintsShownInGenuineTransactions: txGenuine.reduce<Record<string, number>>((acc, t) => {
      for (const h of new Set(t.hints)) acc[h] = (acc[h] ?? 0) + 1;
      return acc;
    }, {}),
    perAugmentation: Object.fromEntries(augmentations.map((aug) => [aug, count(txGenuine.filter((t) => t.aug === aug))])),
  };
  const baseline = process.argv.includes('--baseline') ? await evalBaseline() : undefined;
  const result = {
    eval: 'face',
    backend: engine.backend,
    models: engine.models,
    descriptor,
    metric: cfg.metric,
    threshold,
    persons: faceIds.length,
    cardPhotosWithFace: cards.size,
    note: 'genuine pairs are augmented (card photo and camera view rendered from one photograph); impostor pairs are real (different people)',
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    falseAccepts: fa,
    falseRejects: fr,
    FAR: Number((fa / Math.max(1, impostor.length)).toFixed(4)),
    FRR: Number((fr / Math.max(1, genuine.length)).toFixed(4)),
    genuineOutcomes: count(genuine),
    impostorOutcomes: count(impostor),
    perAugmentation: perAug,
    transactions,
    similarity: { genuine: stats(genuineSims), impostor: stats(impostorSims) },
    liveness: {
      thresholds: { minReal: cfg.minReal, minLive: cfg.minLive },
      spoofSamples: spoofs.length,
      spoofOutcomes: count(spoofs),
      spoofsPassedAsMatch: spoofs.filter((s) => s.outcome === 'match').length,
      spoofsCaughtByLiveness: spoofs.filter((s) => s.outcome === 'spoof').length,
      byKind: Object.fromEntries(
        spoofKinds.map((k) => {
          const of = spoofs.filter((s) => s.kind === k);
          return [k, { samples: of.length, outcomes: count(of), passedAsMatch: of.filter((s) => s.outcome === 'match').length }];
        }),
      ),
      liveOriginalsCalledSpoof: liveOriginals.filter((r) => r.outcome === 'spoof').length,
      liveOriginals: liveOriginals.length,
      spoofScores: spoofs.map((s) => [s.kind, Number((s.real ?? NaN).toFixed(2)), Number((s.live ?? NaN).toFixed(2))]),
    },
    conditions,
    masks: {
      samples: masked.length,
      outcomes: count(masked),
      removeMaskHints: masked.filter((m) => m.hint === 'remove-mask').length,
      removeMaskHintOnUnmaskedGenuineFrames: maskHintOnUnmasked,
      unmaskedGenuineFrames: probes.length,
    },
    ...(sweep ? { sweep } : {}),
    ...(baseline ? { faceApiBaseline: baseline } : {}),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** face-api default pipeline on the same card photos and probes (no quality gate, no liveness). */
async function evalBaseline(): Promise<object> {
  const api = await FaceApiBaseline.create();
  const cards = new Map<string, Float32Array>();
  for (const id of faceIds) {
    const d = await api.describe(await cardPhoto(id));
    if (d) cards.set(id, d);
  }
  let gp = 0;
  let fr = 0;
  let ip = 0;
  let fa = 0;
  let noFace = 0;
  for (const id of faceIds) {
    for (const aug of augmentations) {
      const d = await api.describe(await cameraProbe(id, aug));
      for (const [cardId, card] of cards) {
        const match = d !== undefined && api.distance(d, card) < FACEAPI_DISTANCE_THRESHOLD;
        if (cardId === id) {
          gp++;
          if (!match) fr++;
        } else {
          ip++;
          if (match) fa++;
        }
      }
      if (!d) noFace++;
    }
  }
  return {
    pipeline: 'face-api SSD MobileNet v1 + 68 landmarks + recognition net',
    threshold: `euclidean < ${FACEAPI_DISTANCE_THRESHOLD}`,
    cardPhotosWithFace: cards.size,
    note: 'pairs whose card photo face-api cannot find a face in are left out of genuine/impostor pairs; falseRejectsCountingUnenrolled counts them as rejected',
    probesWithoutFace: noFace,
    falseRejectsCountingUnenrolled: fr + (faceIds.length - cards.size) * augmentations.length,
    FRRCountingUnenrolled: Number(((fr + (faceIds.length - cards.size) * augmentations.length) / (faceIds.length * augmentations.length)).toFixed(4)),
    genuinePairs: gp,
    impostorPairs: ip,
    falseAccepts: fa,
    falseRejects: fr,
    FAR: Number((fa / Math.max(1, ip)).toFixed(4)),
    FRR: Number((fr / Math.max(1, gp)).toFixed(4)),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
