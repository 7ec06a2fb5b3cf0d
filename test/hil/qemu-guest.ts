/**
 * The hardware-in-the-loop rig's guest (issue 17): QEMU boots the amd64 image under TCG (`/dev/kvm`
 * here is not usable, FACTS.md) with OVMF, the image behind a copy-on-write overlay, and two serial
 * lines as the board has: ttyS0 the root console (kernel, systemd, an autologin shell of the rig
 * image), ttyS1 the service's technician console. User networking is restricted to the forwards
 * the test names (the card emulator into vpcd, the guest's backend address out to the simulator).
 *
 * A guest reboot is a cold power-on. OVMF under TCG sometimes never comes back from a warm reset:
 * the kernel prints "reboot: Restarting system" and the firmware prints nothing more, ever (CI
 * stop 19; the same pattern as tianocore/edk2#12441, "cold boot works every time, only warm reset
 * hangs"). So QEMU runs with -no-reboot, and when the guest resets, the rig starts a new QEMU on
 * the same overlay and the same UEFI variable store: what the A/B update relies on — the ESP's
 * boot-counter file names, the slots, the state partition, EFI variables — survives, as it does
 * on the board, whose reboot also runs its firmware from the start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { join, resolve } from 'node:path';

export class GuestTimeoutError extends Error {
  override readonly name = 'GuestTimeoutError';
  constructor(readonly waitingFor: string, readonly tail: string) {
    super(`guest: timed out waiting for ${waitingFor}; console tail:\n${tail}`);
  }
}

export class GuestExitedError extends Error {
  override readonly name = 'GuestExitedError';
  constructor(readonly code: number | null, readonly tail: string) {
    super(`guest: qemu exited (${code}) ; console tail:\n${tail}`);
  }
}

/** A byte stream (a serial line) read as text, with "wait until this appears". */
class Line {
  text = '';
  // A multi-byte character can straddle two reads from the serial line.
  private readonly decoder = new StringDecoder('utf8');
  private waiters = new Set<() => void>();
  private failure: Error | undefined;

  push(chunk: Buffer): void {
    this.text += this.decoder.write(chunk);
    for (const w of this.waiters) w();
  }

  fail(e: Error): void {
    this.failure = e;
    for (const w of this.waiters) w();
  }

  tail(n = 3000): string {
    return this.text.slice(-n);
  }

  /** Resolves with the match once `re` matches the text after `from`; rejects on timeout or exit. */
  waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = re.exec(this.text.slice(from));
        if (m) return finish(() => resolve(m));
        if (this.failure) return finish(() => reject(this.failure));
      };
      const timer = setTimeout(() => finish(() => reject(new GuestTimeoutError(String(re), this.tail()))), timeoutMs);
      const finish = (f: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }
}

export interface GuestOptions {
  image: string;
  /** QEMU user-network forwards, e.g. `hostfwd=tcp:127.0.0.1:35963-10.0.2.15:35963`. */
  forwards?: string[];
  memoryMiB?: number;
  /** More disks, read-only (e.g. an update stick), after the image: /dev/vdb, /dev/vdc, … */
  drives?: string[];
  /**
   * A guest reboot powers the guest on again (a new QEMU, cold, on the same disks and variable
   * store: the A/B updates); otherwise a reboot ends the guest.
   */
  allowReboot?: boolean;
  /**
   * amd64 (the rig's image; q35 + OVMF) or arm64 (the board's image; QEMU's virt machine + AAVMF,
   * its one PL011 UART as ttyAMA0 and the technician line as a virtio console, hvc0).
   */
  arch?: 'amd64' | 'arm64';
}

export interface CommandResult {
  status: number;
  output: string;
}

export class QemuGuest {
  readonly console = new Line();
  readonly technician = new Line();
  readonly startedAt = Date.now();
  /** How many times the guest was powered on (1 + the reboots it went through). */
  powerOns = 0;
  private proc!: ChildProcess;
  private techSocket: Socket | undefined;
  private seq = 0;
  private stopping = false;

  private constructor(
    private readonly qemu: string,
    private readonly args: string[],
    private readonly allowReboot: boolean,
    private readonly dir: string,
    private readonly techServer: Server,
  ) {
    // QEMU connects to the technician line at every power-on; the newest connection is the line.
    techServer.on('connection', (s: Socket) => {
      this.techSocket?.destroy();
      this.techSocket = s;
      s.on('data', (c: Buffer) => this.technician.push(c));
      s.on('error', () => undefined); // the old QEMU's end goes away with it
    });
  }

  static async boot(o: GuestOptions): Promise<QemuGuest> {
    const dir = mkdtempSync(join(tmpdir(), 'fcr-hil-'));
    const arm = o.arch === 'arm64';
    const firmware = arm
      ? { code: '/usr/share/AAVMF/AAVMF_CODE.fd', vars: '/usr/share/AAVMF/AAVMF_VARS.fd' }
      : { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' };
    const vars = join(dir, 'VARS.fd');
    copyFileSync(firmware.vars, vars);
    // The image stays untouched; the guest's writes (state partition, the other slot, the ESP) go
    // to an overlay that lives as long as this guest, across its power-ons.
    const overlay = join(dir, 'disk.qcow2');
    const img = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', resolve(o.image), overlay], { encoding: 'utf8' });
    if (img.status !== 0) throw new Error(`qemu-img create failed: ${img.stderr}`);
    // The technician line: the test listens, QEMU connects at start (no race on the socket file).
    const techPath = join(dir, 'technician.sock');
    const techServer = createServer();
    await new Promise<void>((r, j) => {
      techServer.once('error', j);
      techServer.listen(techPath, () => r());
    });
    const netdev = ['user', 'id=net0', 'restrict=on', ...(o.forwards ?? [])].join(',');
    const technicianLine = arm
      ? ['-device', 'virtio-serial-device', '-chardev', `socket,id=tech,path=${techPath},server=off`, '-device', 'virtconsole,chardev=tech']
      : ['-chardev', `socket,id=tech,path=${techPath},server=off`, '-serial', 'chardev:tech'];
    const args = [
      '-machine', arm ? 'virt' : 'q35', '-accel', 'tcg',
      // sharp's libvips uses SSE4/AVX: TCG's default qemu64 CPU lacks them (SIGILL in the guest).
      '-cpu', 'max',
      '-smp', '1', '-m', String(o.memoryMiB ?? 1024),
      // A guest reset ends this QEMU; allowReboot powers the guest on again (see the file's head).
      '-display', 'none', '-no-reboot', '-monitor', 'none',
      '-drive', `if=pflash,format=raw,readonly=on,file=${firmware.code}`,
      '-drive', `if=pflash,format=raw,file=${vars}`,
      '-drive', `file=${overlay},if=virtio,format=qcow2`,
      ...(o.drives ?? []).flatMap((d) => ['-drive', `file=${d},if=virtio,format=raw,readonly=on`]),
      '-serial', 'stdio',
      ...technicianLine,
      '-netdev', netdev, '-device', 'virtio-net-pci,netdev=net0',
    ];
    const g = new QemuGuest(arm ? 'qemu-system-aarch64' : 'qemu-system-x86_64', args, o.allowReboot ?? false, dir, techServer);
    const techConnected = new Promise<void>((r) => techServer.once('connection', () => r()));
    const exited = g.powerOn();
    await Promise.race([techConnected, exited]);
    return g;
  }

  /**
   * Starts one QEMU. Resolves never; rejects when the guest ended for good (powered off, crashed,
   * or reset without allowReboot). A reset with allowReboot starts the next QEMU instead.
   */
  private powerOn(): Promise<never> {
    this.powerOns += 1;
    const proc = spawn(this.qemu, this.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout!.on('data', (c: Buffer) => this.console.push(c));
    proc.stderr!.on('data', (c: Buffer) => this.console.push(c));
    const ended = new Promise<never>((_, reject) => {
      proc.once('exit', (code) => {
        if (this.stopping) return;
        // With -no-reboot QEMU exits 0 on a guest reset and on a power-off; the kernel's last
        // line says which.
        const reset = code === 0 && !/reboot: Power down/.test(this.console.tail(400));
        if (reset && this.allowReboot) {
          this.console.push(Buffer.from(`\n[hil rig: the guest reset; powering it on again (power-on ${this.powerOns + 1})]\n`));
          this.powerOn().catch(() => undefined); // that power-on's own end fails the lines
          return;
        }
        const e = new GuestExitedError(code, this.console.tail());
        this.console.fail(e);
        this.technician.fail(e);
        reject(e);
      });
    });
    ended.catch(() => undefined); // only boot()'s race cares; the lines carry a later end
    return ended;
  }

  /** Waits for the rig image's autologin shell (the first after console offset `from`), then makes it quiet and parseable. */
  async shell(timeoutMs: number, from = 0): Promise<void> {
    await this.console.waitFor(/root@face-card-reader:~# $/m, timeoutMs, from);
    // Kernel messages off the console, no echo, no prompt: each command's output is what it printed.
    await this.run("stty -echo; dmesg -n 1; PS1=''; PROMPT_COMMAND=''", 30_000);
  }

  /** Runs one shell command on the root console; its output and exit status. */
  async run(command: string, timeoutMs: number): Promise<CommandResult> {
    const n = ++this.seq;
    const from = this.console.text.length;
    // The end marker is assembled by printf, so the echoed command line never matches it.
    this.proc.stdin!.write(`${command}; printf '%s%s:%s@@\\n' '@@E' 'ND${n}' "$?"\n`);
    const m = await this.console.waitFor(new RegExp(`([\\s\\S]*?)@@END${n}:(\\d+)@@`), timeoutMs, from);
    const output = m[1]!.replace(/\r/g, '');
    return { status: Number(m[2]), output: output.replace(/^.*printf '%s%s:%s@@\\n'.*\n/m, '') };
  }

  /** Types a command on the root console without waiting for it to end (e.g. `systemctl reboot`). */
  send(command: string): void {
    this.proc.stdin!.write(`${command}\n`);
  }

  /** Sends one line to the service's technician console (ttyS1). */
  technicianCommand(line: string): void {
    this.techSocket!.write(`${line}\r\n`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.techSocket?.destroy();
    this.techServer.close();
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
