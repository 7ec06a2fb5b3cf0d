/**
 * Starting the device service (`fcr service run`) off the device, for the compiled-service test
 * and the deploy bench: a facility configuration with throwaway TLS files and a card-face trust
 * anchor (so the face worker and the card-face OCR start, as on a counter that offers face
 * authentication), the headless panel, and the time until the service logs that it is ready (the
 * moment it sends READY=1 under systemd).
 *
 * The TLS files come from the openssl command line, not from the product or the rig: the service
 * only has to load them. No pcscd is needed: the card driver starts and retries in the background.
 */
import { spawn, execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeviceConfigFiles {
  configFile: string;
}

/** Writes config.json (from hardware/config.example.json) and its files under `dir`. */
export function writeDeviceConfig(repo: string, dir: string, options: { face: boolean }): DeviceConfigFiles {
  const tls = join(dir, 'tls');
  mkdirSync(tls, { recursive: true });
  const key = join(tls, 'device.key');
  const cert = join(tls, 'device.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=fcr-reader-01', '-days', '1'], { stdio: 'ignore' });
  const anchorFile = join(dir, 'card-face-issuer.pem');
  writeFileSync(anchorFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
  const config = JSON.parse(readFileSync(join(repo, 'hardware', 'config.example.json'), 'utf8')) as Record<string, unknown>;
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      ...config,
      face: { camera: { device: join(dir, 'no-camera.png'), width: 640, height: 480 } },
      cardFace: { trayCamera: { device: join(dir, 'no-tray.png') }, trustAnchors: options.face ? [{ label: 'throwaway', keyId: '01', publicKeyFile: anchorFile }] : [] },
      backend: { url: 'https://127.0.0.1:9/', deviceId: 'fcr-reader-01', tls: { caFile: cert, certFile: cert, keyFile: key } },
      reception: { resultFolder: join(dir, 'reception'), resultEncoding: 'utf-8' },
      touch: {},
      console: undefined,
      stateDirectory: join(dir, 'state'),
    }),
  );
  return { configFile };
}

export interface StartFigures {
  /** Spawn to the "reader service ready" log line. */
  readyMs: number;
  /** Resident set of the service process (all its threads) at READY. */
  rssMB: number;
  /** CPU time (user + system, all threads) the process spent until READY: less noisy than readyMs on a shared machine. */
  cpuMs: number;
  /** Whether the face path came up (face worker and OCR ready). */
  faceReady: boolean;
  /** What the probe (if given) reported at exit. */
  probe: unknown;
  stderr: string;
}

/** utime + stime from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMBOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

/**
 * Runs `node ...nodeArgs service run --headless --config FILE` until READY, then SIGTERM, and
 * waits for its exit. Rejects if it exits before READY or takes longer than `timeoutMs`.
 */
export function startToReady(nodeArgs: string[], configFile: string, options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<StartFigures> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, 'service', 'run', '--headless', '--config', configFile], { cwd: options.cwd, env: options.env ?? { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let figures: Omit<StartFigures, 'probe' | 'stderr'> | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr += s;
      if (!figures && stderr.includes('reader service ready')) {
        figures = { readyMs: Math.round(performance.now() - t0), rssMB: rssMBOf(child.pid!), cpuMs: cpuMsOf(child.pid!), faceReady: stderr.includes('face path ready') };
        child.kill('SIGTERM');
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!figures) return reject(new Error(`service exited (${code ?? signal}) before READY:\n${stderr}`));
      const m = /^start-probe: (.*)$/m.exec(stderr);
      resolve({ ...figures, probe: m ? (JSON.parse(m[1]!) as unknown) : undefined, stderr });
    });
  });
}
