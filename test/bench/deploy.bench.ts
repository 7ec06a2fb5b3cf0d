/**
 * `{"bench":"deploy",...}` and `{"bench":"cold-start",...}` (issue 12 item 7, issue 17): what the
 * device installs and what a (re)start costs.
 *
 * - `deploy`: the tree `firmware/stage-service` makes for /opt/face-card-reader (bundles,
 *   production dependencies trimmed, models once): MB and files, beside the same tree before the
 *   trim (`npm ci --omit=dev` as installed) and the checkout's node_modules (dev dependencies too).
 * - `cold-start`: `fcr service run` from spawn to READY (the "reader service ready" log line,
 *   sent with READY=1 under systemd) and the process's RSS then, the median of RUNS starts, with
 *   and without the face path (face worker + card-face OCR, on when a card-face trust anchor is
 *   configured). `compiled` runs the staged tree's dist/fcr.js with plain node; `tsx` runs the
 *   sources as the unit did before, with a fresh tsx cache each start (the unit's PrivateTmp gives
 *   every watchdog restart an empty one). Runs interleave the two entries; `cpuMs` (user + system
 *   time until READY) is the figure least moved by other load on a shared machine.
 *   `srcModules` / `nodeModulesFiles`: the modules the main thread loaded (TypeScript sources for
 *   tsx; the compiled service loads one bundle).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startToReady, writeDeviceConfig, type StartFigures } from '../firmware/device-start';
import { median } from './stats';

const RUNS = 5;
const repo = resolve(__dirname, '../..');
const probe = join(__dirname, 'fixtures', 'start-probe.cjs');
const MB = (bytes: number): number => Math.round(bytes / 1e5) / 10;

interface ProbeCounts {
  src: number;
  dist: number;
  nodeModules: number;
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'fcr-deploy-bench-'));
  try {
    const stage = join(work, 'opt-face-card-reader');
    const t0 = performance.now();
    const staged = JSON.parse(execFileSync(join(repo, 'firmware', 'stage-service'), [stage], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { bytes: number; files: number; untrimmedBytes: number };
    const stageSeconds = Math.round((performance.now() - t0) / 100) / 10;
    const duBytes = (dir: string): number => Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
    console.log(
      JSON.stringify({
        bench: 'deploy',
        tree: 'staged',
        MB: MB(staged.bytes),
        files: staged.files,
        nodeModulesMB: MB(duBytes(join(stage, 'node_modules'))),
        modelsMB: MB(duBytes(join(stage, 'models'))),
        untrimmedMB: MB(staged.untrimmedBytes),
        checkoutNodeModulesMB: MB(duBytes(join(repo, 'node_modules'))),
        stageSeconds,
      }),
    );

    for (const face of [false, true]) {
      const dir = join(work, face ? 'face' : 'no-face');
      const { configFile } = writeDeviceConfig(repo, dir, { face });
      const entries: { entry: string; start: () => Promise<StartFigures> }[] = [
        { entry: 'compiled', start: () => startToReady(['--require', probe, join(stage, 'dist', 'fcr.js')], configFile, { cwd: stage }) },
        {
          entry: 'tsx',
          start: () => {
            const cache = mkdtempSync(join(work, 'tsx-cache-'));
            return startToReady(['--require', probe, '--import', 'tsx', join(repo, 'bin', 'fcr.js')], configFile, { cwd: repo, env: { PATH: process.env.PATH ?? '', TMPDIR: cache } });
          },
        },
      ];
      // Interleaved, so both entries see the same load on a shared machine.
      const runsOf = new Map<string, StartFigures[]>(entries.map((e) => [e.entry, []]));
      for (let i = 0; i < RUNS; i++) for (const { entry, start } of entries) runsOf.get(entry)!.push(await start());
      for (const { entry } of entries) {
        const runs = runsOf.get(entry)!;
        const counts = runs[0]?.probe as ProbeCounts | undefined;
        console.log(
          JSON.stringify({
            bench: 'cold-start',
            entry,
            face,
            faceReady: runs.every((r) => r.faceReady),
            readyMs: median(runs.map((r) => r.readyMs)),
            rssMB: median(runs.map((r) => r.rssMB)),
            cpuMs: median(runs.map((r) => r.cpuMs)),
            srcModules: counts?.src,
            bundles: counts?.dist,
            nodeModulesFiles: counts?.nodeModules,
            runs: RUNS,
          }),
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
