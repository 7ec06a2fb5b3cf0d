/**
 * The rig's control socket: a Unix socket (mode 0600) the `fcr rig …` commands talk to. Every
 * request is validated; a bad one gets an error line and the connection stays usable, so a typo
 * in a test script never disturbs the session on the panel.
 */
import net from 'node:net';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../src/log/logger';
import { defaultRigDir } from '../personas/credentials';
import { RigCommandError, RigRequestSchema, type RigActions, type RigRequest, type RigResponse } from './control-protocol';

async function perform(actions: RigActions, req: RigRequest): Promise<RigResponse> {
  switch (req.command) {
    case 'insert':
      await actions.insert(req.persona, req.mute === true);
      return { ok: true };
    case 'remove':
      await actions.remove();
      return { ok: true };
    case 'phone':
      await actions.phone(req.kind);
      return { ok: true };
    case 'tap':
      await actions.tap(req.label);
      return { ok: true };
    case 'touch':
      await actions.touch(req.col, req.row);
      return { ok: true };
    case 'pin':
      await actions.pin(req.digits);
      return { ok: true };
    case 'face':
      await actions.face(req.kind);
      return { ok: true };
    case 'staff':
      await actions.staff(req.passcode);
      return { ok: true };
    case 'screen':
      return { ok: true, text: await actions.screen() };
    case 'receptions':
      return { ok: true, data: await actions.receptions() };
    case 'guidance': {
      const lines = await actions.guidance();
      return { ok: true, text: lines.length > 0 ? lines.join('\n') : 'no staff guidance yet' };
    }
    case 'backend':
      await actions.backend(req.fault);
      return { ok: true };
    case 'visual-mode':
      await actions.visualMode(req.on);
      return { ok: true };
    case 'visual-confirm':
      await actions.visualConfirm();
      return { ok: true };
    case 'notices':
      return { ok: true, data: await actions.notices(req.clear === true) };
    case 'leds': {
      const l = await actions.leds();
      return { ok: true, text: `green=${l.green} amber=${l.amber} red=${l.red} buzzer=${l.buzzer}`, data: l };
    }
    case 'presence':
      await actions.presence(req.on);
      return { ok: true };
  }
}

export async function handleRigLine(actions: RigActions, line: string): Promise<RigResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, error: 'BadRequest', message: 'not JSON' };
  }
  const parsed = RigRequestSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: 'BadRequest', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  try {
    return await perform(actions, parsed.data);
  } catch (e) {
    const err = e as Error;
    return { ok: false, error: err instanceof RigCommandError ? err.name : (err.name ?? 'Error'), message: err.message };
  }
}

/** Where the running rig listens and `fcr rig …` connects: `<rig dir>/control.sock`. */
export function rigControlSocketPath(rigDir: string = defaultRigDir()): string {
  return join(rigDir, 'control.sock');
}

export interface RigControlServer {
  path: string;
  close(): Promise<void>;
}

export async function startRigControlServer(path: string, actions: RigActions, log: Logger): Promise<RigControlServer> {
  if (existsSync(path)) unlinkSync(path);
  const server = net.createServer((socket) => {
    let buffered = '';
    // Requests on one connection are answered in order.
    let chain = Promise.resolve();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        chain = chain.then(async () => {
          const res = await handleRigLine(actions, line);
          if (!res.ok) log.warn(`rig command refused: ${res.error}`);
          if (!socket.destroyed) socket.write(JSON.stringify(res) + '\n');
        });
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (existsSync(path)) unlinkSync(path);
      }),
  };
}

/** Client side: one request, one answer. */
export function sendRigRequest(path: string, req: RigRequest, timeoutMs = 15000): Promise<RigResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let buffered = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`rig did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(req) + '\n'));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        socket.end();
        try {
          resolve(JSON.parse(buffered.slice(0, nl)) as RigResponse);
        } catch (e) {
          reject(e as Error);
        }
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
