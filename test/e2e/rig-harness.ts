/**
 * End-to-end harness: runs the whole rig (`fcr rig start`, as `npm start` does) in a real terminal
 * under tmux, drives it with `fcr rig …` exactly as a tester would, and reads the panel with
 * `tmux capture-pane`. Each rig gets its own tmux server socket, rig directory and pcscd, so tests
 * never touch a developer's tmux or the system pcscd.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const repo = resolve(__dirname, '../..');
const fcr = join(repo, 'bin/fcr.js');

let counter = 0;

export interface RigOptions {
  /** Facility configuration overrides written to a JSON file passed with `--config`. */
  config?: Record<string, unknown>;
  cols?: number;
  rows?: number;
}

export class RigUnderTmux {
  readonly dir: string;
  private readonly tmuxSocket: string;
  private readonly session = 'rig';
  private stopped = false;

  private constructor(dir: string) {
    this.dir = dir;
    this.tmuxSocket = `fcr-e2e-${process.pid}-${++counter}`;
  }

  static async start(options: RigOptions = {}): Promise<RigUnderTmux> {
    const dir = mkdtempSync(join(tmpdir(), 'fcr-e2e-'));
    const rig = new RigUnderTmux(dir);
    const args = ['--import', 'tsx', fcr, 'rig', 'start'];
    if (options.config) {
      const file = join(dir, 'facility.json');
      writeFileSync(file, JSON.stringify(options.config));
      args.push('--config', file);
    }
    const command = [process.execPath, ...args].map((a) => `'${a}'`).join(' ') + ` 2>'${join(dir, 'service.log')}'`;
    execFileSync('tmux', [
      '-L', rig.tmuxSocket, '-f', '/dev/null',
      'new-session', '-d', '-s', rig.session,
      '-x', String(options.cols ?? 160), '-y', String(options.rows ?? 48),
      '-e', `FCR_RIG_DIR=${dir}`, '-e', 'TERM=xterm-256color', '-e', 'LANG=C.UTF-8',
      command,
    ]);
    await rig.waitFor(() => existsSync(join(dir, 'control.sock')), 90_000, 'the rig control socket');
    return rig;
  }

  /** Runs `fcr rig <args>` as a separate process, as a tester types it. */
  async fcr(...args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', fcr, 'rig', ...args], {
        env: { ...process.env, FCR_RIG_DIR: this.dir },
        cwd: repo,
        encoding: 'utf8',
      });
      return stdout;
    } catch (e) {
      const err = e as Error & { stderr?: string; code?: number };
      throw new Error(`fcr rig ${args.join(' ')} failed (exit ${err.code}): ${err.stderr ?? err.message}\n--- screen ---\n${this.capture()}`);
    }
  }

  /** The terminal as the patient sees it. */
  capture(): string {
    return execFileSync('tmux', ['-L', this.tmuxSocket, 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
  }

  /** The terminal with lines trimmed and joined, so text wrapped across lines still matches. */
  flatScreen(): string {
    return this.capture()
      .split('\n')
      .map((l) => l.trim())
      .join('');
  }

  async waitForScreen(text: string, timeoutMs = 20_000): Promise<void> {
    await this.waitFor(() => this.flatScreen().includes(text), timeoutMs, `「${text}」 on the panel`);
  }

  async waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (cond()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    let screen = '';
    try {
      screen = this.capture();
    } catch {
      screen = '(no tmux session)';
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- screen ---\n${screen}\n--- service log (tail) ---\n${this.logTail()}`);
  }

  logTail(lines = 30): string {
    const f = join(this.dir, 'service.log');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';
  }

  /** The service log, to assert that nothing personal was written. */
  log(): string {
    const f = join(this.dir, 'service.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      // Ctrl-C to the panel: the rig shuts its children down (pcscd, emulator, simulator).
      execFileSync('tmux', ['-L', this.tmuxSocket, 'send-keys', '-t', this.session, 'C-c']);
      await this.waitFor(() => !existsSync(join(this.dir, 'control.sock')), 10_000, 'the rig to stop').catch(() => undefined);
    } finally {
      try {
        execFileSync('tmux', ['-L', this.tmuxSocket, 'kill-server'], { stdio: 'ignore' });
      } catch {
        // already gone
      }
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
