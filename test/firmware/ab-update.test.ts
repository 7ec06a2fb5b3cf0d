/**
 * Installing a signed bundle into the other A/B slot (issue 17), on a device laid out in a folder:
 * the partitions are plain files behind udev-style by-partlabel / by-partuuid links, the ESP a
 * folder. The oracles are the bytes on the "partition" compared with the payload, and the boot
 * entry read as the Boot Loader Specification describes it (name `+tries` counter, `options` line),
 * parsed here, not by the product. The booted behaviour is the HIL tier's (test/hil).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installUpdate, SlotUpdateError, slotStatus, type SlotSystem, type SlotUpdateProblem } from '../../src/firmware/ab-update';
import { createUpdateBundle, UpdateBundleError, type UpdateBundleProblem } from '../../src/firmware/update-bundle';

const vendor = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const uuidA = '5b0a8c2e-8f1e-4f55-9b1c-0e5fca0d000a';
const uuidB = '5b0a8c2e-8f1e-4f55-9b1c-0e5fca0d000b';
const slotBytes = 1 << 20;

function refused(problem: UpdateBundleProblem | SlotUpdateProblem) {
  return (e: unknown) => (e instanceof UpdateBundleError || e instanceof SlotUpdateError) && e.problem === problem;
}

/** BLS entry lines "key value" → map (the spec's format, read independently of the product). */
function readEntry(path: string): Map<string, string> {
  return new Map(readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
}

describe('A/B update install (systemd-boot boot counting)', () => {
  let work: string;
  let sys: SlotSystem;
  let entries: string;
  const payload = (name: string, version: string, rootSize = 300_000): string => {
    const src = join(work, `${name}-src`);
    mkdirSync(src);
    writeFileSync(join(src, 'root.erofs'), Buffer.alloc(rootSize, version.length + 0x41));
    writeFileSync(join(src, 'vmlinuz'), `kernel ${version}`);
    writeFileSync(join(src, 'initrd.img'), `initrd ${version}`);
    const out = join(work, name);
    createUpdateBundle(src, out, version, vendor.privateKey);
    return out;
  };

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'fcr-ab-'));
    sys = {
      cmdline: join(work, 'cmdline'),
      osRelease: join(work, 'os-release'),
      byPartLabel: join(work, 'by-partlabel'),
      byPartUuid: join(work, 'by-partuuid'),
      esp: join(work, 'esp'),
      sysBlock: join(work, 'sys-block'),
    };
    writeFileSync(sys.cmdline, `root=PARTUUID=${uuidA} rootfstype=erofs ro systemd.volatile=state console=ttyS0,115200 fcr.slot=a\n`);
    writeFileSync(sys.osRelease, 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nIMAGE_ID=face-card-reader\nIMAGE_VERSION=0.1.0\n');
    mkdirSync(join(work, 'parts'));
    mkdirSync(sys.byPartLabel);
    mkdirSync(sys.byPartUuid);
    for (const [slot, uuid] of [['a', uuidA], ['b', uuidB]] as const) {
      writeFileSync(join(work, 'parts', `vda${slot === 'a' ? 2 : 3}`), Buffer.alloc(slotBytes));
      symlinkSync(join(work, 'parts', `vda${slot === 'a' ? 2 : 3}`), join(sys.byPartLabel, `root-${slot}`));
      symlinkSync(join(work, 'parts', `vda${slot === 'a' ? 2 : 3}`), join(sys.byPartUuid, uuid));
    }
    entries = join(sys.esp, 'loader', 'entries');
    mkdirSync(entries, { recursive: true });
    writeFileSync(join(entries, 'fcr-0.1.0-a.conf'), 'title a\n');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('writes the other slot, its kernel and an entry with a try counter that boots it', () => {
    const bundle = payload('b020', '0.2.0');
    const r = installUpdate(bundle, { publicKey: vendor.publicKey, sys });
    assert.equal(r.slot, 'b');
    const part = readFileSync(join(work, 'parts', 'vda3'));
    const root = readFileSync(join(bundle, 'root.erofs'));
    assert.ok(part.subarray(0, root.length).equals(root), 'slot B holds the root image');
    assert.ok(readFileSync(join(work, 'parts', 'vda2')).every((b) => b === 0), 'slot A (running) untouched');
    assert.equal(readFileSync(join(sys.esp, 'b', 'vmlinuz'), 'utf8'), 'kernel 0.2.0');
    assert.equal(readFileSync(join(sys.esp, 'b', 'initrd.img'), 'utf8'), 'initrd 0.2.0');
    assert.deepEqual(readdirSync(entries).sort(), ['fcr-0.1.0-a.conf', 'fcr-0.2.0-b+3.conf']);
    const e = readEntry(join(entries, 'fcr-0.2.0-b+3.conf'));
    assert.equal(e.get('linux'), '/b/vmlinuz');
    assert.equal(e.get('initrd'), '/b/initrd.img');
    const options = e.get('options')!.split(' ');
    assert.ok(options.includes(`root=PARTUUID=${uuidB}`), e.get('options'));
    assert.ok(options.includes('fcr.slot=b'));
    assert.ok(!options.some((o) => o.includes(uuidA) || o === 'fcr.slot=a'));
    assert.ok(options.includes('systemd.volatile=state') && options.includes('console=ttyS0,115200'), 'the rest of the command line kept');
  });

  it('replaces the other slot\'s old entries (a failed try) and takes the number of tries asked', () => {
    writeFileSync(join(entries, 'fcr-0.1.5-b+0-3.conf'), 'title failed\n');
    assert.equal(slotStatus(sys).entries.find((e) => e.slot === 'b')?.state, 'bad');
    installUpdate(payload('b020', '0.2.0'), { publicKey: vendor.publicKey, sys, tries: 1 });
    assert.deepEqual(readdirSync(entries).sort(), ['fcr-0.1.0-a.conf', 'fcr-0.2.0-b+1.conf']);
    assert.deepEqual(slotStatus(sys).entries.map((e) => [e.file, e.state]).sort(), [['fcr-0.1.0-a.conf', 'good'], ['fcr-0.2.0-b+1.conf', 'trial']]);
  });

  it('from slot B it writes slot A', () => {
    writeFileSync(sys.cmdline, `root=PARTUUID=${uuidB} ro fcr.slot=b\n`);
    writeFileSync(sys.osRelease, 'IMAGE_VERSION="0.2.0"\n');
    const r = installUpdate(payload('b030', '0.3.0'), { publicKey: vendor.publicKey, sys });
    assert.equal(r.slot, 'a');
    assert.ok(readFileSync(join(work, 'parts', 'vda2'))[0] !== 0);
    assert.match(readEntry(join(entries, 'fcr-0.3.0-a+3.conf')).get('options')!, new RegExp(`^root=PARTUUID=${uuidA} ro fcr\\.slot=a$`));
    assert.ok(!readdirSync(entries).includes('fcr-0.1.0-a.conf'), 'the old A entry is gone');
  });

  const untouched = () => {
    assert.ok(readFileSync(join(work, 'parts', 'vda3')).every((b) => b === 0), 'slot B untouched');
    assert.deepEqual(readdirSync(entries), ['fcr-0.1.0-a.conf']);
  };

  it('no downgrade: a bundle not newer than the running slot is refused and nothing is written', () => {
    assert.throws(() => installUpdate(payload('b010', '0.1.0'), { publicKey: vendor.publicKey, sys }), refused('not-newer'));
    assert.throws(() => installUpdate(payload('b009', '0.0.9'), { publicKey: vendor.publicKey, sys }), refused('not-newer'));
    untouched();
  });

  it('a bundle signed by another key, without the payload, or larger than the slot is refused, nothing written', () => {
    assert.throws(() => installUpdate(payload('b020', '0.2.0'), { publicKey: stranger.publicKey, sys }), refused('signature-invalid'));
    assert.throws(() => installUpdate(payload('big', '0.2.1', slotBytes + 1), { publicKey: vendor.publicKey, sys }), refused('too-large'));
    const src = join(work, 'nokernel-src');
    mkdirSync(src);
    writeFileSync(join(src, 'root.erofs'), 'x');
    createUpdateBundle(src, join(work, 'nokernel'), '0.2.2', vendor.privateKey);
    assert.throws(() => installUpdate(join(work, 'nokernel'), { publicKey: vendor.publicKey, sys }), refused('payload-missing'));
    untouched();
  });

  it('a device booted without slots (no fcr.slot=) is refused', () => {
    writeFileSync(sys.cmdline, 'root=/dev/vda2 ro\n');
    assert.throws(() => installUpdate(payload('b020', '0.2.0'), { publicKey: vendor.publicKey, sys }), refused('not-ab-device'));
    untouched();
  });
});
