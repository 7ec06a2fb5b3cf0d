/**
 * The device runs the compiled service (`npm run build` → esbuild bundles in dist/) with plain
 * Node, no TypeScript loader (issue 12 item 7, issue 17). Builds dist/ as the image recipe does,
 * then runs the device entry with a probe preloaded that reports any TypeScript source or tsx
 * module loaded; reads esbuild's metafile to see which source modules the device bundles hold;
 * and stages the deployable tree (firmware/stage-service) to start the service from it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startToReady, writeDeviceConfig } from './device-start';

const repo = resolve(__dirname, '../..');
const entry = join(repo, 'bin', 'fcr-device.js');
const probe = join(__dirname, 'fixtures', 'no-typescript-probe.cjs');

function runCompiled(args: string[]): { status: number | null; stdout: string; stderr: string; loadedTypeScript: string[] } {
  // A clean environment: nothing inherited (NODE_OPTIONS from a tsx-run parent) can add a loader.
  const r = spawnSync(process.execPath, ['--require', probe, entry, ...args], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '' } });
  const m = /^loaded-typescript: (.*)$/m.exec(r.stderr);
  assert.ok(m, `the probe reports at exit:\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loadedTypeScript: JSON.parse(m[1]!) as string[] };
}

describe('the compiled service (dist/, no TypeScript loader)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, `npm run build:\n${b.stdout}${b.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'fcr-compiled-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the systemd unit starts the compiled entry from /opt/face-card-reader with plain node', () => {
    const unit = readFileSync(join(repo, 'systemd', 'face-card-reader.service'), 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
    assert.match(exec, /^\/usr\/bin\/node \/opt\/face-card-reader\/dist\/fcr\.js service run /);
    assert.doesNotMatch(exec, /tsx|--import|--loader/);
  });

  it('config check validates the example configuration from dist/ alone', () => {
    const r = runCompiled(['config', 'check', join(repo, 'hardware', 'config.example.json')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid/);
    assert.deepEqual(r.loadedTypeScript, []);
  });

  it('service run loads the device entry and refuses a bad configuration with exit 78', () => {
    const f = join(dir, 'invalid.json');
    writeFileSync(f, JSON.stringify({ facility: { name: '', code: '12' }, backend: { url: 'https://127.0.0.1:1' } }));
    const r = runCompiled(['service', 'run', '--headless', '--config', f]);
    assert.equal(r.status, 78, r.stderr);
    for (const field of ['facility.name', 'facility.code', 'staff']) assert.ok(r.stderr.includes(field), `${field} in:\n${r.stderr}`);
    assert.deepEqual(r.loadedTypeScript, []);
  });

  it('the device bundles come from src/ and hold no rig code (emulator, personas, rig, backend simulator, simulated drivers)', () => {
    // The rig's places, written out here from the folder move's list (not the build's own rule).
    const rig = [/^rig\//, /^src\/emulator\//, /^src\/personas\//, /^src\/rig\//, /^src\/backend\/simulator\//, /^src\/backend\/rig-files\.ts$/, /^src\/devices\/.*\/simulated-/, /^src\/face\/face-check\.ts$/];
    const meta = JSON.parse(readFileSync(join(repo, 'dist', 'meta.json'), 'utf8')) as { outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown> }> };
    const bundles = Object.entries(meta.outputs).filter(([, o]) => o.entryPoint);
    assert.deepEqual(bundles.map(([out]) => out).sort(), ['dist/face-worker.js', 'dist/fcr.js']);
    for (const [out, o] of bundles) {
      assert.match(o.entryPoint!, /^src\//, out);
      const sources = Object.keys(o.inputs).filter((i) => !i.startsWith('node_modules/'));
      assert.ok(sources.some((s) => s === 'src/service/device-main.ts' || s === 'src/face/worker.ts'), `${out} holds the device code`);
      assert.deepEqual(sources.filter((s) => rig.some((r) => r.test(s))), [], `rig modules in ${out}`);
    }
    // No text drawn with a system font (the image lists no fonts; SVG text through sharp needs one).
    for (const [out] of bundles) assert.doesNotMatch(readFileSync(join(repo, out), 'utf8'), /font-family/, out);
  });

  it('fcr --help works compiled, and the device fcr has no rig commands', () => {
    const help = spawnSync(process.execPath, [join(repo, 'dist', 'fcr.js'), '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /fcr service run/);
    assert.doesNotMatch(help.stdout, /fcr rig|backend-sim|card emulate/);
    const rigCmd = runCompiled(['rig', 'start']);
    assert.equal(rigCmd.status, 2, 'an unknown command on the device');
    assert.deepEqual(rigCmd.loadedTypeScript, []);
  });

  it('the compiled service reaches READY with plain node, its face worker and OCR started from dist/', async () => {
    const { configFile } = writeDeviceConfig(repo, join(dir, 'ready'), { face: true });
    const r = await startToReady(['--require', probe, join(repo, 'dist', 'fcr.js')], configFile, { cwd: dir });
    assert.ok(r.faceReady, r.stderr);
    assert.match(r.stderr, /worker ready: backend wasm/);
    assert.match(r.stderr, /loaded-typescript: \[\]/);
  });

  it('the probe itself sees TypeScript when the sources run through tsx', () => {
    const r = spawnSync(process.execPath, ['--require', probe, '--import', 'tsx', join(repo, 'bin', 'fcr.js'), 'config', 'check', join(repo, 'hardware', 'config.example.json')], { encoding: 'utf8', timeout: 30_000, cwd: repo });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /loaded-typescript: \[".*\.ts"/);
  });
});

describe('the deployable tree (firmware/stage-service: npm ci --omit=dev + the bundles, trimmed)', function () {
  this.timeout(600_000);
  let work: string;
  let stage: string;
  let staged: { bytes: number; files: number; untrimmedBytes: number };
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'fcr-stage-'));
    stage = join(work, 'opt-face-card-reader');
    staged = JSON.parse(execFileSync(join(repo, 'firmware', 'stage-service'), [stage], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as typeof staged;
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('holds no dev dependency, source map, TypeScript, TF.js browser bundle or second copy of the weights', () => {
    const nm = join(stage, 'node_modules');
    for (const dev of ['tsx', 'esbuild', 'typescript', 'mocha', '@peculiar/x509', 'reflect-metadata']) assert.ok(!existsSync(join(nm, dev)), dev);
    const files = execFileSync('find', [stage, '-type', 'f'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);
    assert.deepEqual(files.filter((f) => /\.(map|ts)$/.test(f)), []);
    assert.deepEqual(files.filter((f) => /@tensorflow\/[^/]+\/dist\/.*\.(min|esm|es2017|fesm)\.js$/.test(f) || /@tensorflow\/tfjs\/dist\/tf\.js$/.test(f)), []);
    // Each model weight file of models/ once in the tree (human and face-api ship copies).
    for (const bin of readdirSync(join(repo, 'models')).filter((f) => f.endsWith('.bin'))) {
      assert.deepEqual(files.filter((f) => f.endsWith(`/${bin}`)), [join(stage, 'models', bin)], bin);
    }
    assert.deepEqual(readdirSync(join(stage, 'dist')).sort(), ['face-worker.js', 'fcr.js']);
    assert.ok(staged.bytes < staged.untrimmedBytes / 2, `trimmed ${staged.bytes} of ${staged.untrimmedBytes} bytes`);
  });

  it('starts from the staged tree alone: READY with the face worker (TF.js wasm, models) and the OCR (tesseract data)', async () => {
    const { configFile } = writeDeviceConfig(repo, join(work, 'config'), { face: true });
    const outside = join(__dirname, 'fixtures', 'outside-probe.cjs');
    const r = await startToReady(['--require', probe, '--require', outside, join(stage, 'dist', 'fcr.js')], configFile, { cwd: stage, env: { PATH: process.env.PATH ?? '', FCR_PROBE_ROOT: stage } });
    assert.ok(r.faceReady, r.stderr);
    assert.match(r.stderr, /loaded-typescript: \[\]/);
    const loadedOutside = JSON.parse(/^loaded-outside: (.*)$/m.exec(r.stderr)?.[1] ?? 'null') as string[] | null;
    assert.deepEqual(loadedOutside?.filter((f) => !f.endsWith('no-typescript-probe.cjs')), [], 'every module from the staged tree');
  });
});
