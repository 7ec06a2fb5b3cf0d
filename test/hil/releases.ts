/**
 * Update releases for the HIL tier's A/B tests (issue 17), made from the one image build: the
 * build's own signed bundle (firmware/build --bundle) gives the root file system, kernel and
 * initrd; a release is that root with another IMAGE_VERSION (and, for the bad release, a service
 * that exits at once), packed again with mkfs.erofs and signed as a vendor would. The releases are
 * put on an ext4 "update stick" the guest sees as a second disk, as a technician brings one.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { createUpdateBundle } from '../../src/firmware/update-bundle';

function sh(cmd: string, args: string[]): void {
  // mkfs.erofs prints a line per file on stdout: not kept (spawnSync's buffer would overflow).
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr.slice(-2000)}`);
}

export interface Release {
  version: string;
  /** A release whose service fails to start (exits 1 before READY). */
  broken?: boolean;
}

/** Writes one signed bundle per release under `stickDir/<name>`, each from the base bundle's root. */
export function makeReleases(baseBundle: string, work: string, stickDir: string, releases: Release[], key: KeyObject): void {
  const tree = join(work, 'root');
  rmSync(tree, { recursive: true, force: true });
  // As root, fsck.erofs extracts with the files' owners and modes.
  sh('fsck.erofs', [`--extract=${tree}`, join(baseBundle, 'root.erofs')]);
  const osRelease = join(tree, 'usr/lib/os-release');
  // The script the unit's ExecStart runs (the compiled service): breaking any other file would
  // leave the service starting fine and the "bad" release blessed.
  const execStart = /^ExecStart=\S*node\s+(\S+\.js)/m.exec(readFileSync(join(__dirname, '..', '..', 'systemd', 'face-card-reader.service'), 'utf8'))?.[1];
  if (!execStart) throw new Error('no node script in the unit\'s ExecStart');
  const entry = join(tree, execStart.replace(/^\//, ''));
  const original = { osRelease: readFileSync(osRelease, 'utf8'), entry: readFileSync(entry, 'utf8') };
  for (const r of releases) {
    writeFileSync(osRelease, original.osRelease.replace(/^IMAGE_VERSION=.*$/m, `IMAGE_VERSION=${r.version}`));
    writeFileSync(entry, r.broken ? "'use strict';\nconsole.error('a broken release: exits before READY');\nprocess.exit(1);\n" : original.entry);
    chmodSync(entry, 0o755);
    const payload = join(work, `payload-${r.version}`);
    mkdirSync(payload);
    // lz4, not the vendor build's lz4hc: ~12 s instead of ~55 s here, for a root ~9 % larger.
    sh('mkfs.erofs', ['-zlz4', join(payload, 'root.erofs'), tree]);
    symlinkSync(join(baseBundle, 'vmlinuz'), join(payload, 'vmlinuz'));
    symlinkSync(join(baseBundle, 'initrd.img'), join(payload, 'initrd.img'));
    createUpdateBundle(payload, join(stickDir, `bundle-${r.version}`), r.version, key);
    rmSync(payload, { recursive: true, force: true });
  }
  rmSync(tree, { recursive: true, force: true });
}

/** An ext4 file system image holding `dir` (mkfs.ext4 -d, no mount), labelled `fcr-update`. */
export function makeStick(dir: string, image: string, mib: number): void {
  sh('mkfs.ext4', ['-q', '-F', '-L', 'fcr-update', '-d', dir, image, `${mib}M`]);
}
