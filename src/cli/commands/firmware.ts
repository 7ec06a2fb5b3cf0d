/**
 * `fcr firmware verify <bundle> --key <public.pem> [--installed X.Y.Z]` checks a signed update
 * bundle as the device does before installing it; `fcr firmware pack <src> <out> --version X.Y.Z
 * --key <private.pem>` builds one (the vendor's build step). See firmware/README.md.
 */
import { readFileSync } from 'node:fs';
import { parseAction, parseCommandLine, usageError } from '../args';
import { createUpdateBundle, UpdateBundleError, verifyUpdateBundle } from '../../firmware/update-bundle';

const usage = `usage: fcr firmware verify <bundle-dir> --key <public.pem> [--installed X.Y.Z]
       fcr firmware pack <source-dir> <bundle-dir> --version X.Y.Z --key <private.pem>`;

export async function run(argv: string[]): Promise<number> {
  const a = parseAction(argv, ['verify', 'pack'] as const, usage);
  if (typeof a === 'number') return a;
  const parsed = parseCommandLine(
    a.rest,
    { key: { type: 'string' }, installed: { type: 'string' }, version: { type: 'string' } },
    usage,
    a.action === 'verify' ? { min: 1 } : { min: 2 },
  );
  if (typeof parsed === 'number') return parsed;
  const { key, installed, version } = parsed.values;
  const dirs = parsed.positionals;
  if (!key) return usageError('--key is required', usage);
  if (a.action === 'verify' && version) return usageError('--version is for pack', usage);
  if (a.action === 'pack' && installed) return usageError('--installed is for verify', usage);
  if (a.action === 'pack' && !version) return usageError('--version is required', usage);
  try {
    if (a.action === 'verify') {
      const m = verifyUpdateBundle(dirs[0]!, { publicKey: readFileSync(key, 'utf8'), ...(installed ? { installedVersion: installed } : {}) });
      process.stdout.write(`bundle ${m.version} verified: ${m.files.length} files\n`);
      return 0;
    }
    const m = createUpdateBundle(dirs[0]!, dirs[1]!, version!, readFileSync(key, 'utf8'));
    process.stdout.write(`bundle ${m.version} written: ${m.files.length} files\n`);
    return 0;
  } catch (e) {
    if (e instanceof UpdateBundleError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
