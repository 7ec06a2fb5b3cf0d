/**
 * `fcr firmware verify <bundle> --key <public.pem> [--installed X.Y.Z]` checks a signed update
 * bundle as the device does before installing it; `fcr firmware pack <src> <out> --version X.Y.Z
 * --key <private.pem>` builds one (the vendor's build step). On the device, as root, `fcr firmware
 * install <bundle> [--tries N]` writes it into the other A/B slot for the next boot and `fcr
 * firmware status` shows the slots' boot entries. See firmware/README.md.
 */
import { readFileSync } from 'node:fs';
import { parseAction, parseCommandLine, usageError } from '../args';
import { installUpdate, SlotUpdateError, slotStatus } from '../../firmware/ab-update';
import { createUpdateBundle, UpdateBundleError, verifyUpdateBundle } from '../../firmware/update-bundle';

/** Where firmware/build puts the vendor's update public key in the read-only root. */
export const DEVICE_UPDATE_KEY = '/usr/share/face-card-reader/update-key.pem';

const usage = `usage: fcr firmware verify <bundle-dir> --key <public.pem> [--installed X.Y.Z]
       fcr firmware pack <source-dir> <bundle-dir> --version X.Y.Z --key <private.pem>
       fcr firmware install <bundle-dir> [--key <public.pem>] [--tries N]   (on the device, as root)
       fcr firmware status                                                   (on the device)`;

const POSITIONALS = { verify: { min: 1, max: 1 }, pack: { min: 2, max: 2 }, install: { min: 1, max: 1 }, status: { min: 0, max: 0 } } as const;

export async function run(argv: string[]): Promise<number> {
  const a = parseAction(argv, ['verify', 'pack', 'install', 'status'] as const, usage);
  if (typeof a === 'number') return a;
  const parsed = parseCommandLine(
    a.rest,
    { key: { type: 'string' }, installed: { type: 'string' }, version: { type: 'string' }, tries: { type: 'string' } },
    usage,
    POSITIONALS[a.action],
  );
  if (typeof parsed === 'number') return parsed;
  const { installed, version, tries } = parsed.values;
  const dirs = parsed.positionals;
  // On the device the vendor's key is in the read-only root; verify and pack name theirs.
  const key = parsed.values.key ?? (a.action === 'install' ? DEVICE_UPDATE_KEY : undefined);
  if (a.action !== 'verify' && installed) return usageError('--installed is for verify', usage);
  if (a.action !== 'pack' && version) return usageError('--version is for pack', usage);
  if (a.action !== 'install' && tries) return usageError('--tries is for install', usage);
  if (a.action === 'pack' && !version) return usageError('--version is required', usage);
  if (a.action !== 'status' && !key) return usageError('--key is required', usage);
  try {
    switch (a.action) {
      case 'status': {
        const s = slotStatus();
        process.stdout.write(`running slot ${s.running}, version ${s.version}\n`);
        for (const e of s.entries) process.stdout.write(`  ${e.file}: slot ${e.slot} ${e.version} ${e.state}\n`);
        return 0;
      }
      case 'install': {
        const t0 = Date.now();
        const r = installUpdate(dirs[0]!, { publicKey: readFileSync(key!, 'utf8'), ...(tries ? { tries: Number(tries) } : {}) });
        process.stdout.write(`installed ${r.version} into slot ${r.slot} (${r.rootBytes} bytes, ${((Date.now() - t0) / 1000).toFixed(1)} s): ${r.entry}; reboot to try it\n`);
        return 0;
      }
      case 'verify': {
        const m = verifyUpdateBundle(dirs[0]!, { publicKey: readFileSync(key!, 'utf8'), ...(installed ? { installedVersion: installed } : {}) });
        process.stdout.write(`bundle ${m.version} verified: ${m.files.length} files\n`);
        return 0;
      }
      case 'pack': {
        const m = createUpdateBundle(dirs[0]!, dirs[1]!, version!, readFileSync(key!, 'utf8'));
        process.stdout.write(`bundle ${m.version} written: ${m.files.length} files\n`);
        return 0;
      }
    }
  } catch (e) {
    if (e instanceof UpdateBundleError || e instanceof SlotUpdateError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
