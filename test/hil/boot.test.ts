/**
 * Hardware-in-the-loop tier (issue 17, `npm run hil`, part of `npm test`): builds the amd64 image
 * with firmware/build (the Debian root cached by its package list), provisions it with a facility
 * configuration and the device's TLS files as a technician would (firmware/provision), boots it in
 * QEMU under TCG and checks the device from the inside over its serial lines — the service reaches
 * READY (systemd's own state), the panel is on tty1, the hardening the unit promises holds for the
 * running process, and a hung event loop is restarted by systemd's watchdog. One PIN session in the
 * guest: the host's card emulator on the guest's vpcd, the backend simulator on the host over mTLS,
 * the PIN typed on the panel's touch controller (a HID digitizer, uhid-touch.ts). Then A/B updates: a
 * signed update installed into the other slot from an update stick, a reboot into it (blessed once
 * the service is READY), and a bad update whose service fails to start, rolled back by
 * systemd-boot's boot counting without anyone touching the device.
 *
 * Oracles are the guest kernel and systemd: /proc/<pid>/status and mountinfo, `systemctl show`,
 * the journal as JSON, the VT's own screen buffer (/dev/vcsu1), the kernel's command line and root
 * mount, the ESP's entry names as systemd-boot and systemd-bless-boot leave them, the backend
 * simulator's reception record — never the product's code.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashStaffPasscode } from '../../src/config';
import { BackendSimulator } from '../../rig/backend-simulator/server';
import { generateFacilityPki } from '../../rig/backend-simulator/facility-pki';
import { loadRigCredentials, type RigCredentials } from '../../rig/personas/credentials';
import { DEFAULT_PIN, findPersona } from '../../rig/personas/catalogue';
import { startCardEmulator, type VpcdCardSocket } from '../../rig/emulator';
import { createFullPersonaCard } from '../../rig/emulator/full-persona-card';
import { ja } from '../../src/ui/text/ja';
import { QemuGuest } from './qemu-guest';
import { makeReleases, makeStick } from './releases';
import { plugTouchControllerCommand, tapCommand, TOUCH_MAX, TOUCH_PRODUCT, TOUCH_REPORT_ID, TOUCH_VENDOR } from './uhid-touch';
import { buttonLabelled, parseVtScreen, readVtScreenCommand, screenDump, shows, type VtBox, type VtScreen } from './vt-screen';

const repo = resolve(__dirname, '../..');
const facilityName = '試験町立病院';
const fcrUid = 990; // firmware/build: the service user's fixed uid
// The guest-visible backend (QEMU's guestfwd, a socat per connection to the simulator on loopback).
const guestBackend = { ip: '10.0.2.100', port: 8443 };
const guestVpcdPort = 35963; // vsmartcard-vpcd's first slot in the guest

async function freeLoopbackPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface BuildFigures {
  rootBytes: number;
  diskBytes: number;
  diskAllocatedBytes: number;
  buildSeconds: number;
}

function showProps(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
}

/** mountinfo (proc(5)): mount point → per-mount options. */
function mountOptions(mountinfo: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    if (f.length > 6 && f[4] && f[5]) m.set(f[4], f[5].split(','));
  }
  return m;
}

describe('HIL: the amd64 image booted in QEMU (TCG)', function () {
  this.timeout(30 * 60_000);
  let dir: string;
  let guest: QemuGuest;
  let sim: BackendSimulator;
  let figures: BuildFigures;
  const report: Record<string, number> = {};
  let mainPid = 0;
  let credentials: RigCredentials;
  let vpcdHostPort = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-hil-image-'));
    const image = join(dir, 'reader.img');
    // A throwaway vendor update key: its public half goes into the image, its private half signs
    // the test's releases (the real vendor key never lives in the repository).
    const vendor = generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'update-key.pem'), vendor.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'update-key.priv.pem'), vendor.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const t0 = Date.now();
    const b = spawnSync(join(repo, 'firmware', 'build'), [
      '--serial-autologin', '--out', image, '--version', '0.1.0',
      '--update-key', join(dir, 'update-key.pem'), '--bundle', join(dir, 'bundle-0.1.0'), '--bundle-key', join(dir, 'update-key.priv.pem'),
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(b.status, 0, `firmware/build failed:\n${b.stderr.slice(-4000)}`);
    figures = JSON.parse(b.stdout.trim().split('\n').at(-1)!) as BuildFigures;
    report.buildMs = Date.now() - t0;

    // The update stick: a good release 0.2.0 and a bad 0.3.0 (its service exits before READY).
    const t1 = Date.now();
    const stickDir = join(dir, 'stick');
    mkdirSync(stickDir);
    makeReleases(join(dir, 'bundle-0.1.0'), dir, stickDir, [{ version: '0.2.0' }, { version: '0.3.0', broken: true }], vendor.privateKey);
    rmSync(join(dir, 'bundle-0.1.0'), { recursive: true, force: true });
    makeStick(stickDir, join(dir, 'stick.img'), 1200);
    rmSync(stickDir, { recursive: true, force: true });
    report.releasesPrepMs = Date.now() - t1;

    // Provisioning: this facility's configuration and the device's mTLS files from the simulator's
    // PKI, whose server certificate also names the address the guest reaches it by.
    credentials = await loadRigCredentials();
    const pki = await generateFacilityPki({ serverNames: { ip: [guestBackend.ip] } });
    sim = await BackendSimulator.start({ pki, credentials, facilityCode: '1310000001' });
    const c = sim.clientConfig('device');
    const tls = join(dir, 'tls');
    mkdirSync(tls);
    writeFileSync(join(tls, 'facility-ca.pem'), c.caCertPem);
    writeFileSync(join(tls, 'device.pem'), c.certPem);
    writeFileSync(join(tls, 'device.key'), c.keyPem, { mode: 0o600 });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      facility: { name: facilityName, code: '1310000001' },
      staff: { passcode: await hashStaffPasscode('1234') },
      readers: { card: 'Virtual PCD 00 00', smartphone: 'Virtual PCD 00 01' },
      backend: {
        url: `https://${guestBackend.ip}:${guestBackend.port}`,
        deviceId: c.deviceId,
        tls: { caFile: '/etc/face-card-reader/tls/facility-ca.pem', certFile: '/etc/face-card-reader/tls/device.pem', keyFile: '/etc/face-card-reader/tls/device.key' },
      },
      console: { path: '/dev/ttyS1', baudRate: 115200 },
      // The panel's touch controller (the HIL test plugs it in through uhid): full logical range.
      touch: { device: { vendorId: TOUCH_VENDOR, productId: TOUCH_PRODUCT, reportId: TOUCH_REPORT_ID }, calibration: { minX: 0, maxX: TOUCH_MAX, minY: 0, maxY: TOUCH_MAX } },
    }));
    const p = spawnSync(join(repo, 'firmware', 'provision'), [image, config, tls], { encoding: 'utf8' });
    assert.equal(p.status, 0, `firmware/provision failed:\n${p.stdout}${p.stderr}`);

    // The card emulator on the host dials the guest's vpcd; the guest's backend address opens a
    // socat to the simulator for each connection (a plain tcp guestfwd connects once, at start).
    vpcdHostPort = await freeLoopbackPort();
    const simPort = new URL(sim.url).port;
    guest = await QemuGuest.boot({
      image,
      drives: [join(dir, 'stick.img')],
      allowReboot: true,
      forwards: [
        `hostfwd=tcp:127.0.0.1:${vpcdHostPort}-10.0.2.15:${guestVpcdPort}`,
        `guestfwd=tcp:${guestBackend.ip}:${guestBackend.port}-cmd:socat - TCP:127.0.0.1:${simPort}`,
      ],
    });
  });

  after(async () => {
    await guest?.stop();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${JSON.stringify({ hil: 'amd64-tcg', rootBytes: figures?.rootBytes, diskBytes: figures?.diskBytes, diskAllocatedBytes: figures?.diskAllocatedBytes, imageBuildSeconds: figures?.buildSeconds, ...report })}\n`);
  });

  afterEach(function () {
    // In CI's log at once (mocha's summary comes only at the very end of the run).
    const t = this.currentTest;
    if (t?.state === 'failed') process.stderr.write(`HIL failure in "${t.title}": ${t.err?.message ?? ''}\n`);
  });

  it('boots from the read-only root and the service reaches READY (Type=notify, as systemd sees it)', async () => {
    await guest.shell(10 * 60_000);
    // `systemctl start` joins the boot's start job and returns when it completes: for a
    // Type=notify unit, when the service sent READY=1.
    const start = await guest.run('systemctl start face-card-reader.service', 5 * 60_000);
    report.bootToReadyMs = Date.now() - guest.startedAt;
    assert.equal(start.status, 0, start.output);
    const shown = (await guest.run('systemctl show -p ActiveState,SubState,MainPID,Type,ActiveEnterTimestampMonotonic face-card-reader.service', 30_000)).output;
    const p = showProps(shown);
    assert.ok(p.Type, shown);
    assert.equal(p.Type, 'notify');
    assert.equal(p.ActiveState, 'active');
    assert.equal(p.SubState, 'running');
    mainPid = Number(p.MainPID);
    assert.ok(mainPid > 1);
    report.guestKernelToReadyMs = Math.round(Number(p.ActiveEnterTimestampMonotonic) / 1000);
    const root = await guest.run('findmnt -no FSTYPE,OPTIONS /', 30_000);
    assert.match(root.output, /^erofs\s+ro[,\s]/m);
  });

  it('draws the panel on tty1 (the VT screen buffer holds its frame; no getty there)', async () => {
    // vcsu (vcs(4)): the VT's screen as UTF-32 code points, one per cell; converted in the guest
    // (iconv, spaces squeezed) so the serial line carries a few hundred bytes, not the whole buffer.
    const r = await guest.run("iconv -f UTF-32LE -t UTF-8 /dev/vcsu1 | tr -s ' '; echo", 60_000);
    assert.equal(r.status, 0, r.output);
    const screen = r.output;
    // The Linux VT has no Japanese glyphs (it shows ■ for them): the frame's box-drawing
    // characters, which it can show, are what proves the panel is there. Nothing else draws on
    // tty1 (its getty is masked), and a login prompt would show "login:".
    assert.match(screen, /┌─+┐/, `tty1 shows:\n${screen.replace(/ {4,}/g, '  ')}`);
    assert.match(screen, /└─+┘/);
    assert.doesNotMatch(screen, /login:/);
  });

  it('runs with the hardening the unit promises: unprivileged, no new privileges, read-only but for its state', async () => {
    const status = (await guest.run(`cat /proc/${mainPid}/status`, 30_000)).output;
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    assert.match(status, new RegExp(`^Uid:\\s+${fcrUid}\\s+${fcrUid}\\s+${fcrUid}\\s+${fcrUid}$`, 'm'));
    const mounts = mountOptions((await guest.run(`cat /proc/${mainPid}/mountinfo`, 30_000)).output);
    for (const path of ['/', '/etc/face-card-reader', '/data', '/opt/face-card-reader']) {
      const opts = mounts.get(path) ?? mounts.get('/');
      assert.ok(opts?.includes('ro'), `${path} read-only for the service: ${opts?.join(',')}`);
    }
    assert.ok(mounts.get('/var/lib/face-card-reader')?.includes('rw'), 'the StateDirectory is writable');
    // And in practice, as the service user inside the service's mount namespace:
    const asService = (cmd: string) => guest.run(`nsenter -t ${mainPid} -m -S ${fcrUid} -G ${fcrUid} sh -c '${cmd}' 2>&1`, 30_000);
    const data = await asService('echo x > /data/state/probe');
    assert.notEqual(data.status, 0);
    assert.match(data.output, /Read-only file system/);
    const state = await asService('echo x > /var/lib/face-card-reader/probe && rm /var/lib/face-card-reader/probe');
    assert.equal(state.status, 0, state.output);
    // Outside the service's namespace the state partition is writable (the restriction is the unit's).
    assert.equal((await guest.run('touch /data/state/root-probe && rm /data/state/root-probe', 30_000)).status, 0);
  });

  it('ffmpeg, which the face camera driver spawns, runs as the service user in the service\'s sandbox', async () => {
    const r = await guest.run(`nsenter -t ${mainPid} -m -S ${fcrUid} -G ${fcrUid} ffmpeg -hide_banner -version 2>&1 | head -1`, 60_000);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /^ffmpeg version \S+/m);
  });

  it("v4l2-ctl, which holds the camera's exposure for the colour flash, runs as the service user in the service's sandbox", async () => {
    // The guest has no camera: v4l2-ctl answers as it does on a board whose camera is unplugged,
    // the message the face adapter logs (src/devices/camera/v4l2-controls.ts).
    const r = await guest.run(`nsenter -t ${mainPid} -m -S ${fcrUid} -G ${fcrUid} v4l2-ctl -d /dev/video0 --list-ctrls 2>&1; echo "exit=$?"`, 60_000);
    assert.match(r.output, /Cannot open device \/dev\/video0/, r.output);
    assert.match(r.output, /exit=1/, r.output);
  });

  it('a hung event loop (technician watchdog-test) is killed by systemd\'s watchdog and restarted to READY', async () => {
    // The panel's touch controller is plugged in now: the service opens it at start, so the
    // restarted process is the one that reads it (the PIN session below types on it).
    const plugged = await guest.run(`${plugTouchControllerCommand()} && udevadm settle && ls -l /dev/fcr-touch "$(readlink -f /dev/fcr-touch)"`, 60_000);
    assert.equal(plugged.status, 0, plugged.output);
    assert.match(plugged.output, /crw-rw---- 1 root plugdev .*\/dev\/hidraw\d/, 'udev gave the digitizer to the service\'s group');
    const from = guest.technician.text.length;
    guest.technicianCommand('watchdog-test');
    await guest.technician.waitFor(/hanging the event loop[\s\S]*ok/, 60_000, from);
    const hungAt = Date.now();
    const watched = await guest.run("timeout 300 sh -c 'journalctl -f -n 0 -o cat -u face-card-reader.service | grep -m1 -q \"Watchdog timeout\"'", 6 * 60_000);
    assert.equal(watched.status, 0, 'systemd logged a watchdog timeout');
    const start = await guest.run('systemctl start face-card-reader.service', 5 * 60_000);
    assert.equal(start.status, 0, start.output);
    report.watchdogRestartToReadyMs = Date.now() - hungAt;
    const p = showProps((await guest.run('systemctl show -p ActiveState,MainPID,NRestarts face-card-reader.service', 30_000)).output);
    assert.equal(p.ActiveState, 'active');
    assert.notEqual(Number(p.MainPID), mainPid, 'a new process');
    assert.ok(Number(p.NRestarts) >= 1);
    // The journal as the technician reads it (journalctl -o json): systemd's fields, not free text.
    const journal = (await guest.run('journalctl -o json --no-pager -u face-card-reader.service', 60_000)).output;
    const entries = journal.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, string>);
    const timeout = entries.find((e) => /Watchdog timeout/.test(e.MESSAGE ?? ''));
    assert.ok(timeout, 'a watchdog timeout entry');
    assert.equal(timeout.UNIT, 'face-card-reader.service');
    const killed = entries.find((e) => e.UNIT === 'face-card-reader.service' && /Killing process \d+ \(node\) with signal SIGABRT|code=dumped|status=6\/ABRT/.test(e.MESSAGE ?? ''));
    assert.ok(killed, 'systemd aborted the hung process');
    // The service's own records are fields too (issue 17), sent by the journal's native protocol.
    const ready = entries.find((e) => e.FCR_EVENT === 'service-ready');
    assert.ok(ready, 'the service logged its start as a structured entry');
    assert.equal(ready.SYSLOG_IDENTIFIER, 'face-card-reader');
    assert.equal(ready._TRANSPORT, 'journal');
    assert.equal(ready.PRIORITY, '6');
    assert.equal(ready.FCR_NAMESPACE, 'fcr');
    assert.equal(ready.MESSAGE, 'reader service ready');
  });

  describe('one PIN session: the host\'s card emulator on the guest\'s vpcd, the host\'s backend over mTLS, the PIN on the touch panel', () => {
    let card: VpcdCardSocket | undefined;
    after(async () => card?.stop());
    const screen = async (): Promise<VtScreen> => parseVtScreen((await guest.run(readVtScreenCommand, 60_000)).output);
    /** Polls the VT (each read is one console round trip) until `pick` finds what it wants. */
    const waitScreen = async <T>(what: string, pick: (s: VtScreen) => T | undefined, timeoutMs: number): Promise<T> => {
      const until = Date.now() + timeoutMs;
      let last: VtScreen | undefined;
      for (;;) {
        last = await screen();
        const found = pick(last);
        if (found !== undefined) return found;
        if (Date.now() > until) assert.fail(`the panel never showed ${what}; tty1:\n${screenDump(last)}`);
      }
    };
    const tap = async (s: VtScreen, b: VtBox) => {
      const r = await guest.run(tapCommand(Math.floor((b.left + b.right) / 2), Math.floor((b.top + b.bottom) / 2), s), 30_000);
      assert.equal(r.status, 0, r.output);
    };
    const padKey = (s: VtScreen, digit: string) => {
      const keys = s.boxes.filter((b) => /^[0-9]$/.test(b.label));
      return keys.length === 10 ? keys.find((b) => b.label === digit) : undefined;
    };

    it('card on the reader → 暗証番号を入力 → four digits on the pad → the backend confirms the persona and the panel shows the result', async () => {
      const persona = findPersona('valid')!;
      const before = sim.receptions.list(0).lastSeq;
      const t0 = Date.now();
      card = await startCardEmulator({ port: vpcdHostPort, card: null });
      await card.insert(await createFullPersonaCard({ persona: persona.name, credentials }));
      let s = await waitScreen(`「${ja.buttonPin}」`, (x) => (buttonLabelled(x, ja.buttonPin) ? x : undefined), 120_000);
      await tap(s, buttonLabelled(s, ja.buttonPin)!);
      s = await waitScreen('the PIN pad', (x) => (padKey(x, '1') ? x : undefined), 60_000);
      for (const d of DEFAULT_PIN) await tap(s, padKey(s, d)!);
      // After the PIN: the screens the persona's answers lead to (the consent inheritance question,
      // 次に進む), each answered on the panel, until the result.
      const until = Date.now() + 180_000;
      let done: VtScreen;
      for (;;) {
        done = await screen();
        if (shows(done, ja.doneComplete)) break;
        const next = [ja.buttonInherit, ja.buttonNext].map((l) => buttonLabelled(done, l)).find((b) => b);
        if (next) {
          await tap(done, next);
          // One tap per screen: the next read must be of the screen the tap led to (digits aside:
          // the countdown changes every second).
          const words = (x: VtScreen) => x.text.join('\n').replace(/[0-9]/g, '');
          const tapped = words(done);
          await waitScreen('the screen after the tap', (x) => (words(x) !== tapped ? x : undefined), 60_000);
        }
        if (Date.now() > until) assert.fail(`the panel never showed 「${ja.doneComplete}」; tty1:\n${screenDump(done)}`);
      }
      report.pinSessionMs = Date.now() - t0;
      assert.ok(shows(done, ja.doneRemoveCard), screenDump(done));
      assert.ok(shows(done, ja.doneName(persona.person.nameKanji)), `the patient greeted by name:\n${screenDump(done)}`);
      assert.equal(padKey(done, '1'), undefined, 'no PIN pad on the result');
      // The backend's side: one confirmation from this device, by PIN, of this persona.
      const entries = sim.receptions.list(before).entries;
      assert.equal(entries.length, 1, JSON.stringify(entries.map((e) => ({ status: e.status, method: e.identityMethod, error: e.error }))));
      const [entry] = entries;
      assert.equal(entry!.identityMethod, 'pin');
      assert.equal(entry!.status, 'qualified');
      assert.equal(entry!.deviceId, sim.clientConfig('device').deviceId);
      assert.equal(entry!.qualification?.name, persona.person.nameKanji);
      await card.remove();
    });
  });
  describe('A/B update (systemd-boot boot counting, bless on READY)', () => {
    const slotOracle = async () => {
      // The kernel's and udev's view, not the product's: which partition is mounted as /, what the
      // boot loader passed, what the root's os-release says.
      const r = await guest.run(
        'cat /proc/cmdline; echo "root=$(findmnt -no SOURCE /) a=$(readlink -f /dev/disk/by-partlabel/root-a) b=$(readlink -f /dev/disk/by-partlabel/root-b)"; . /etc/os-release; echo "version=$IMAGE_VERSION"',
        60_000,
      );
      const m = /root=(\S+) a=(\S+) b=(\S+)/.exec(r.output);
      assert.ok(m, r.output);
      const slot = m[1] === m[2] ? 'a' : m[1] === m[3] ? 'b' : '?';
      return { slot, cmdlineSlot: /fcr\.slot=([ab])/.exec(r.output)?.[1], version: /^version=(.*)$/m.exec(r.output)?.[1] };
    };
    const entries = async () => (await guest.run('ls -1 /efi/loader/entries', 30_000)).output.split('\n').filter((l) => l.endsWith('.conf')).sort();
    /** Reboots; resolves once the shell is back after the kernel booted the slot named, and the service is READY. */
    const bootedInto = async (slot: string, from: number, timeoutMs: number) => {
      const at = (await guest.console.waitFor(new RegExp(`Command line: .*fcr\\.slot=${slot}\\b`), timeoutMs, from)).index + from;
      await guest.shell(timeoutMs, at);
      const start = await guest.run('systemctl start face-card-reader.service', 5 * 60_000);
      assert.equal(start.status, 0, start.output);
      return at;
    };

    it('installs a signed update into the other slot, reboots into it, READY there, and the entry is blessed', async () => {
      assert.equal((await guest.run('mkdir -p /run/stick && mount -o ro /dev/disk/by-label/fcr-update /run/stick', 60_000)).status, 0);
      assert.deepEqual(await slotOracle(), { slot: 'a', cmdlineSlot: 'a', version: '0.1.0' });
      const t0 = Date.now();
      const install = await guest.run('fcr firmware install /run/stick/bundle-0.2.0 2>&1', 10 * 60_000);
      report.updateInstallMs = Date.now() - t0;
      assert.equal(install.status, 0, install.output);
      assert.match(install.output, /installed 0\.2\.0 into slot b/);
      assert.deepEqual(await entries(), ['fcr-0.1.0-a.conf', 'fcr-0.2.0-b+3.conf']);

      const from = guest.console.text.length;
      const t1 = Date.now();
      guest.send('systemctl reboot');
      await bootedInto('b', from, 10 * 60_000);
      report.rebootIntoNewSlotToReadyMs = Date.now() - t1;
      assert.deepEqual(await slotOracle(), { slot: 'b', cmdlineSlot: 'b', version: '0.2.0' });
      // systemd-bless-boot runs after boot-complete.target, which the boot check holds until READY.
      const bless = await guest.run('systemctl start systemd-bless-boot.service 2>&1 || { systemctl status --no-pager -l boot-complete.target face-card-reader-boot-check.service systemd-bless-boot.service; journalctl -b --no-pager -o cat -u systemd-bless-boot.service -u face-card-reader-boot-check.service; false; }', 5 * 60_000);
      assert.equal(bless.status, 0, bless.output);
      assert.deepEqual(await entries(), ['fcr-0.1.0-a.conf', 'fcr-0.2.0-b.conf'], 'the counter is gone: 0.2.0 is good');
    });

    it('refuses to install the running version again (no downgrade)', async () => {
      assert.equal((await guest.run('mkdir -p /run/stick && mount -o ro /dev/disk/by-label/fcr-update /run/stick', 60_000)).status, 0);
      const again = await guest.run('fcr firmware install /run/stick/bundle-0.2.0 2>&1', 10 * 60_000);
      assert.equal(again.status, 1, again.output);
      assert.match(again.output, /not-newer/);
      assert.deepEqual(await entries(), ['fcr-0.1.0-a.conf', 'fcr-0.2.0-b.conf']);
    });

    it('a bad update whose service fails to start is tried once and rolled back to the good slot by itself', async () => {
      const install = await guest.run('fcr firmware install /run/stick/bundle-0.3.0 --tries 1 2>&1', 10 * 60_000);
      assert.equal(install.status, 0, install.output);
      assert.match(install.output, /installed 0\.3\.0 into slot a/);
      assert.deepEqual(await entries(), ['fcr-0.2.0-b.conf', 'fcr-0.3.0-a+1.conf']);

      const from = guest.console.text.length;
      const t0 = Date.now();
      guest.send('systemctl reboot');
      // The trial boot of slot A, then — with nobody typing — the reboot its failed check asks for.
      const trial = (await guest.console.waitFor(/Command line: .*fcr\.slot=a\b/, 10 * 60_000, from)).index + from;
      const t1 = Date.now();
      await bootedInto('b', trial, 15 * 60_000);
      report.rollbackToReadyMs = Date.now() - t0;
      report.rollbackTrialBootMs = Date.now() - t1;
      // Every reset was a cold power-on (qemu-guest.ts): first boot, slot B, the trial of A, back to B.
      report.guestPowerOns = guest.powerOns;
      assert.equal(guest.powerOns, 4, 'the guest went through the three reboots of the update tests');
      assert.deepEqual(await slotOracle(), { slot: 'b', cmdlineSlot: 'b', version: '0.2.0' });
      assert.deepEqual(await entries(), ['fcr-0.2.0-b.conf', 'fcr-0.3.0-a+0-1.conf'], 'the bad entry has no tries left');
      // The trial boot's own journal (persistent on the state partition; -m because the read-only
      // root's machine-id is new at every boot, and -m cannot take -b): the boot check failed in a
      // boot before this one, and in that boot the service never got READY.
      const j = (await guest.run('journalctl -m -o json --output-fields=MESSAGE,UNIT,_BOOT_ID --no-pager -u face-card-reader-boot-check.service -u face-card-reader.service', 60_000)).output;
      const logged = j.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, string>);
      const failedCheck = logged.find((e) => e.UNIT === 'face-card-reader-boot-check.service' && /Failed to start|Failed with result/.test(String(e.MESSAGE)));
      assert.ok(failedCheck?._BOOT_ID, j.slice(-2000));
      const thisBoot = (await guest.run('cat /proc/sys/kernel/random/boot_id', 30_000)).output.trim().replace(/-/g, '');
      assert.notEqual(failedCheck._BOOT_ID, thisBoot);
      assert.ok(!logged.some((e) => e._BOOT_ID === failedCheck._BOOT_ID && /Started face-card-reader\.service/.test(String(e.MESSAGE))), 'the bad release never reached READY');
    });
  });
});
