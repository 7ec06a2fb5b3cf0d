// `npm run build`: the device's compiled JavaScript (issue 12 item 7, issue 17). Two bundles into
// dist/, made by esbuild from entry points in src/ only:
//
//   dist/fcr.js          `fcr` on the device: the technician commands and `fcr service run`, the
//                        systemd unit's ExecStart (plain node, no TypeScript loader)
//   dist/face-worker.js  the face inference worker thread, started by src/face/verifier.ts from
//                        the directory of the bundle that runs it
//   dist/meta.json       esbuild's metafile: every source module in each bundle (the build test
//                        and the bench read it; the stage script leaves it out of the device tree)
//
// Packages stay external (resolved from node_modules at run time): the native modules (pcsclite,
// node-hid, onoff, serialport, sharp), the ones that load their own files by path (TF.js and its
// wasm binaries, human/face-api's node builds, tesseract.js and its language data, openjpeg's
// wasm), and blessed, whose widgets are required by name. Bundled: the service's sources and the
// pure-JavaScript libraries in BUNDLED (zod alone is ~95 files a start otherwise).
//
// The device bundle holds no rig code (README: the rig depends on src/, never the reverse): any
// import of a rig module from device code, static or dynamic, fails the build (ESLint refuses it
// too; this is the second check, on what actually lands in the bundle).
import * as esbuild from 'esbuild';
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';

const repo = dirname(fileURLToPath(import.meta.url));
const outdir = join(repo, 'dist');

/**
 * Rig-only modules (issue 12's folder move): the top-level rig/ and their former places in src/
 * (emulator, personas, rig runner, backend simulator and its files, simulated drivers, the rig's
 * commands and `face check`).
 */
export const RIG_MODULE =
  /^(rig\/|src\/(emulator|personas|rig|backend\/simulator)\/|src\/backend\/(rig-files|confirm-once)\.ts$|src\/face\/face-check\.ts$|src\/devices\/[^/]+\/simulated-[^/]+\.ts$|src\/cli\/commands\/(card-emulate|card-render-face|backend-sim|rig|confirm)\.ts$)/;

const posix = (p) => p.split(sep).join('/');

/**
 * Pure-JavaScript dependencies compiled into the bundles, with whatever they import; every other
 * package stays external.
 */
const BUNDLED = new Set(['zod', 'fast-xml-parser', 'iconv-lite']);
const packageOf = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const builtins = new Set(builtinModules);

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || builtins.has(packageOf(args.path))) return { path: args.path, external: true };
      const fromBundledPackage = posix(relative(repo, args.importer)).startsWith('node_modules/');
      return fromBundledPackage || BUNDLED.has(packageOf(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
};

/** Resolves relative imports itself to see where they land; packages are left to esbuild (external). */
const keepRigOut = {
  name: 'keep-rig-out',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData?.fromKeepRigOut) return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { fromKeepRigOut: true } });
      if (r.errors.length > 0 || !r.path) return undefined;
      const rel = posix(relative(repo, r.path));
      if (!RIG_MODULE.test(rel)) return { path: r.path };
      const from = posix(relative(repo, args.importer));
      return { errors: [{ text: `device bundle: ${from} imports the rig module ${rel} (${args.kind}); the rig depends on src/, never the reverse` }] };
    });
  },
};

export async function build({ sourcemap = false } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: repo,
    entryPoints: { fcr: 'src/cli/main.ts', 'face-worker': 'src/face/worker.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Names stay readable in stack traces and in error.name checks (errors set name explicitly,
    // but class names are also logged).
    keepNames: true,
    sourcemap: sourcemap ? 'linked' : false,
    metafile: true,
    logLevel: 'warning',
    plugins: [externalPackages, keepRigOut],
  });
  // Every entry must come from src/ (the lead's rule for the device bundle).
  for (const [out, o] of Object.entries(result.metafile.outputs)) {
    if (o.entryPoint && !o.entryPoint.startsWith('src/')) throw new Error(`${out}: entry ${o.entryPoint} is not in src/`);
  }
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sourcemap = process.argv.includes('--sourcemap');
  build({ sourcemap }).then(
    (meta) => {
      for (const [out, o] of Object.entries(meta.outputs)) {
        if (!out.endsWith('.js')) continue;
        const sources = Object.keys(o.inputs).filter((i) => i.startsWith('src/')).length;
        process.stderr.write(`build: ${out} ${(o.bytes / 1024).toFixed(0)} KiB, ${sources} source modules\n`);
      }
      process.stderr.write('build: done\n');
    },
    (e) => {
      if (!e.errors) process.stderr.write(`build: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
