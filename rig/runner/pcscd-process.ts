/**
 * Starts a private `pcscd` for the rig and the tests: its own reader.conf.d with the vpcd driver
 * on its own TCP ports, and its own client socket, so several test runs (and a system pcscd) can
 * coexist on one machine.
 *
 * pcscd 1.9.9 has no option for the socket path, but it accepts a socket handed over by systemd
 * socket activation (LISTEN_FDS), and libpcsclite reads `PCSCLITE_CSOCK_NAME`. So the daemon is
 * launched through `systemd-socket-activate -l <socket> pcscd --foreground -c <conf>`, which
 * execs pcscd (same PID) on the first connection; stopping is a signal to that PID.
 * No systemd is needed (CI containers have none).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export interface PcscdInstance {
  /** Unix socket clients must use: set `PCSCLITE_CSOCK_NAME` to it before the first PC/SC call. */
  socketPath: string;
  /** vpcd TCP ports: index 0 is `Virtual PCD 00 00`, index 1 is `Virtual PCD 00 01`. */
  vpcdPorts: [number, number];
  pid: number;
  stop(): Promise<void>;
}

export const VPCD_LIBRARY = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function canConnect(opts: net.NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(opts);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe()) return;
    await sleep(25);
  }
  throw new Error(`pcscd: timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface StartPcscdOptions {
  /** vpcd channel id; ports are channelId and channelId+1. Random in 0x9000–0x9F00 by default. */
  channelId?: number;
  /** Log APDUs of the daemon to this file (never on a device with a real card). */
  debugLogFile?: string;
}

/**
 * Daemons started by this process and not stopped yet: killed when the process exits, so a test
 * run that ends abruptly (mocha --exit, a crash) leaves no orphaned pcscd holding vpcd ports.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** A random channel whose two vpcd ports nobody listens on (a leftover daemon would answer). */
async function freeChannel(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const id = 0x9000 + 2 * Math.floor(Math.random() * 0x780);
    const busy = (await canConnect({ host: '127.0.0.1', port: id })) || (await canConnect({ host: '127.0.0.1', port: id + 1 }));
    if (!busy) return id;
  }
  throw new Error('pcscd: no free vpcd channel found');
}

export async function startPcscd(options: StartPcscdOptions = {}): Promise<PcscdInstance> {
  if (!existsSync(VPCD_LIBRARY)) {
    throw new Error(`pcscd: vpcd driver missing at ${VPCD_LIBRARY} (apt-get install vsmartcard-vpcd)`);
  }
  installExitHook();
  const channelId = options.channelId ?? (await freeChannel());
  const dir = mkdtempSync(join(tmpdir(), 'fcr-pcscd-'));
  const confDir = join(dir, 'reader.conf.d');
  mkdirSync(confDir);
  const hex = '0x' + channelId.toString(16).toUpperCase();
  writeFileSync(
    join(confDir, 'vpcd'),
    `FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:${hex}\nLIBPATH      ${VPCD_LIBRARY}\nCHANNELID    ${hex}\n`,
  );
  const socketPath = join(dir, 'pcscd.comm');
  const child: ChildProcess = spawn(
    'systemd-socket-activate',
    ['-l', socketPath, 'pcscd', '--foreground', '-c', confDir, ...(options.debugLogFile ? ['--apdu', '--debug'] : [])],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  let exited = false;
  running.add(child);
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  const vpcdPorts: [number, number] = [channelId, channelId + 1];
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) => reject(new Error(`pcscd: cannot start systemd-socket-activate: ${e.message}`)));
    });
    await waitFor('the pcscd socket', async () => !exited && existsSync(socketPath), 5000);
    // The first connection makes systemd-socket-activate exec pcscd, which then opens the vpcd ports.
    await canConnect({ path: socketPath });
    await waitFor(`vpcd port ${vpcdPorts[0]}`, () => canConnect({ host: '127.0.0.1', port: vpcdPorts[0] }), 5000);
  } catch (e) {
    // Do not leave a half-started daemon (or systemd-socket-activate) behind.
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('pcscd: no pid');
  let stopped = false;
  return {
    socketPath,
    vpcdPorts,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
