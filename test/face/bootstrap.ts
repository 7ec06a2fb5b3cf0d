/**
 * Per-person bootstrap intervals for the face eval (issue 14): persons are resampled with
 * replacement, never pairs — the pairs of one person share her face, her photograph and her
 * card, so they are not independent, and resampling pairs would give intervals far too narrow.
 * 95 % percentile intervals over `replicates` resamples from a fixed seed (reproducible).
 */

export interface Interval {
  /** The observed rate. */
  rate: number;
  /** 2.5 % and 97.5 % percentiles of the resampled rate. */
  lo: number;
  hi: number;
  /** Trials (transactions or pairs) and persons behind the rate. */
  n: number;
  persons: number;
  replicates: number;
}

/** mulberry32: a small seeded generator, so the intervals are the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number): number => Number(x.toFixed(4));

function percentiles(rates: number[]): { lo: number; hi: number } {
  const s = [...rates].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.floor(q * s.length)))] ?? NaN;
  return { lo: at(0.025), hi: at(0.975) };
}

/** How often each of `k` persons is drawn in one resample of size k. */
function drawCounts(k: number, rand: () => number): number[] {
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    const j = Math.floor(rand() * k);
    c[j] = (c[j] ?? 0) + 1;
  }
  return c;
}

/** Genuine trials, one row per trial with its person: the rate of `failed`, persons resampled. */
export function bootstrapByPerson(rows: readonly { person: string; failed: boolean }[], replicates = 2000, seed = 14): Interval {
  const persons = [...new Set(rows.map((r) => r.person))];
  const fails = persons.map((p) => rows.filter((r) => r.person === p && r.failed).length);
  const totals = persons.map((p) => rows.filter((r) => r.person === p).length);
  const rand = generator(seed);
  const rates: number[] = [];
  for (let b = 0; b < replicates; b++) {
    const c = drawCounts(persons.length, rand);
    let f = 0;
    let n = 0;
    c.forEach((w, i) => {
      f += w * (fails[i] ?? 0);
      n += w * (totals[i] ?? 0);
    });
    rates.push(n === 0 ? 0 : f / n);
  }
  const observed = rows.filter((r) => r.failed).length / Math.max(1, rows.length);
  const { lo, hi } = percentiles(rates);
  return { rate: round(observed), lo: round(lo), hi: round(hi), n: rows.length, persons: persons.length, replicates };
}

/**
 * Impostor trials, one row per trial with the card's person and the presenting person: persons
 * are resampled once and a pair (card i, probe j) of two different persons counts with the
 * product of their draws (two-way person bootstrap).
 */
export function bootstrapImpostorByPerson(rows: readonly { card: string; probe: string; accepted: boolean }[], replicates = 2000, seed = 14): Interval & { zeroUpper95IfPairsIndependent?: number } {
  const persons = [...new Set(rows.flatMap((r) => [r.card, r.probe]))];
  const index = new Map(persons.map((p, i) => [p, i]));
  const k = persons.length;
  const acc = new Float64Array(k * k);
  const tot = new Float64Array(k * k);
  for (const r of rows) {
    const cell = (index.get(r.card) ?? 0) * k + (index.get(r.probe) ?? 0);
    tot[cell] = (tot[cell] ?? 0) + 1;
    if (r.accepted) acc[cell] = (acc[cell] ?? 0) + 1;
  }
  const rand = generator(seed);
  const rates: number[] = [];
  for (let b = 0; b < replicates; b++) {
    const c = drawCounts(k, rand);
    let a = 0;
    let n = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        if (i === j) continue;
        const w = (c[i] ?? 0) * (c[j] ?? 0);
        if (w === 0) continue;
        a += w * (acc[i * k + j] ?? 0);
        n += w * (tot[i * k + j] ?? 0);
      }
    }
    rates.push(n === 0 ? 0 : a / n);
  }
  const accepted = rows.filter((r) => r.accepted).length;
  const { lo, hi } = percentiles(rates);
  const out: Interval & { zeroUpper95IfPairsIndependent?: number } = { rate: round(accepted / Math.max(1, rows.length)), lo: round(lo), hi: round(hi), n: rows.length, persons: k, replicates };
  // With no false accept the bootstrap interval is [0, 0]; the rule of three (3/n, one-sided 95 %)
  // bounds the rate only if the pairs were independent, which they are not: a lower bound on the
  // real uncertainty, never a promise of FAR ≤ 3/n.
  if (accepted === 0) out.zeroUpper95IfPairsIndependent = Number((3 / Math.max(1, rows.length)).toFixed(6));
  return out;
}
