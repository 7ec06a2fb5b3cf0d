/**
 * The board's image, smoke-tested under TCG (issue 17): boots the arm64 image on QEMU's virt
 * machine with UEFI (AAVMF), sees the service READY as systemd reports it, and a frozen service
 * restarted by systemd's watchdog. Not part of `npm test` (the arm64 build takes ~20 min through
 * qemu-user): `npm run hil:arm64`, with FCR_ARM64_IMAGE=an image built by
 * `firmware/build --arch arm64 --serial-autologin` (otherwise this builds one). Prints one JSON
 * line of figures.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashStaffPasscode } from '../../src/config';
import { generateFacilityPki } from '../../rig/backend-simulator/facility-pki';
import { QemuGuest } from './qemu-guest';

const repo = resolve(__dirname, '../..');

describe('HIL smoke: the arm64 image booted in QEMU (virt, TCG)', function () {
  this.timeout(60 * 60_000);
  let dir: string;
  let guest: QemuGuest;
  const report: Record<string, number | string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-hil-arm64-'));
    const image = join(dir, 'reader-arm64.img');
    if (process.env.FCR_ARM64_IMAGE) {
      copyFileSync(process.env.FCR_ARM64_IMAGE, image);
    } else {
      const b = spawnSync(join(repo, 'firmware', 'build'), ['--arch', 'arm64', '--serial-autologin', '--out', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(b.status, 0, `firmware/build failed:\n${b.stderr.slice(-4000)}`);
      Object.assign(report, JSON.parse(b.stdout.trim().split('\n').at(-1)!) as Record<string, number>);
    }
    // A configuration that starts the service; the backend is not reached in this smoke test.
    const pki = await generateFacilityPki();
    const tls = join(dir, 'tls');
    mkdirSync(tls);
    writeFileSync(join(tls, 'facility-ca.pem'), pki.caCertPem);
    writeFileSync(join(tls, 'device.pem'), pki.device.certPem);
    writeFileSync(join(tls, 'device.key'), pki.device.keyPem, { mode: 0o600 });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      facility: { name: '試験町立病院', code: '1310000001' },
      staff: { passcode: await hashStaffPasscode('1234') },
      readers: { card: 'Virtual PCD 00 00', smartphone: 'Virtual PCD 00 01' },
      backend: {
        url: 'https://10.0.2.100:8443',
        deviceId: pki.device.deviceId,
        tls: { caFile: '/etc/face-card-reader/tls/facility-ca.pem', certFile: '/etc/face-card-reader/tls/device.pem', keyFile: '/etc/face-card-reader/tls/device.key' },
      },
      // virt has one PL011 UART (the root console): the technician line is a virtio console.
      console: { path: '/dev/hvc0', baudRate: 115200 },
    }));
    const p = spawnSync(join(repo, 'firmware', 'provision'), [image, config, tls], { encoding: 'utf8' });
    assert.equal(p.status, 0, `firmware/provision failed:\n${p.stdout}${p.stderr}`);
    guest = await QemuGuest.boot({ image, arch: 'arm64', memoryMiB: 1536 });
  });

  after(async () => {
    await guest?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${JSON.stringify({ hil: 'arm64-tcg', ...report })}\n`);
  });

  it('boots and the service reaches READY', async () => {
    await guest.shell(30 * 60_000);
    const start = await guest.run('systemctl start face-card-reader.service', 15 * 60_000);
    report.bootToReadyMs = Date.now() - guest.startedAt;
    assert.equal(start.status, 0, start.output);
    const arch = await guest.run('uname -m; findmnt -no FSTYPE /', 30_000);
    assert.match(arch.output, /^aarch64$/m);
    assert.match(arch.output, /^erofs$/m);
    const shown = await guest.run('systemctl show -p ActiveState,SubState,ActiveEnterTimestampMonotonic face-card-reader.service', 30_000);
    assert.match(shown.output, /^ActiveState=active$/m);
    assert.match(shown.output, /^SubState=running$/m);
    report.guestKernelToReadyMs = Math.round(Number(/ActiveEnterTimestampMonotonic=(\d+)/.exec(shown.output)?.[1]) / 1000);
  });

  it('a service that stops pinging (SIGSTOP: a frozen event loop) is restarted by systemd\'s watchdog', async () => {
    // Frozen from outside rather than with the technician's watchdog-test: on virt the technician
    // line is a virtio console, which systemd's getty generator also claims.
    const pid = (await guest.run('systemctl show -p MainPID --value face-card-reader.service', 30_000)).output.trim();
    assert.match(pid, /^[1-9]\d*$/);
    const stoppedAt = Date.now();
    assert.equal((await guest.run(`kill -STOP ${pid}`, 30_000)).status, 0);
    const watched = await guest.run("timeout 600 sh -c 'journalctl -f -n 0 -o cat -u face-card-reader.service | grep -m1 -q \"Watchdog timeout\"'", 11 * 60_000);
    assert.equal(watched.status, 0, 'systemd logged a watchdog timeout');
    const start = await guest.run('systemctl start face-card-reader.service', 15 * 60_000);
    assert.equal(start.status, 0, start.output);
    report.watchdogRestartToReadyMs = Date.now() - stoppedAt;
    const after = await guest.run('systemctl show -p NRestarts,MainPID face-card-reader.service', 30_000);
    assert.ok(Number(/NRestarts=(\d+)/.exec(after.output)?.[1]) >= 1, after.output);
    assert.notEqual(/MainPID=(\d+)/.exec(after.output)?.[1], pid, 'a new process');
  });
});
