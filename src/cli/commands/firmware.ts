/**
 * `fcr firmware verify <bundle> --key <public.pem> [--installed X.Y.Z]` checks a signed update
 * bundle as the device does before installing it; `fcr firmware pack <src> <out> --version X.Y.Z
 * --key <private.pem>` builds one (the vendor's build step). See firmware/README.md.
 */
import { readFileSync } from 'node:fs';
import { parseCommandLine } from '../args';
import { createUpdateBundle, UpdateBundleError, verifyUpdateBundle } from '../../firmware/update-bundle';

const usage = `usage: fcr firmware verify <bundle-dir> --key <public.pem> [--installed X.Y.Z]
       fcr firmware pack <source-dir> <bundle-dir> --version X.Y.Z --key <private.pem>`;

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const dirs = rest.filter((a, i) => !a.startsWith('--') && !(rest[i - 1] ?? '').startsWith('--'));
  const flags = rest.filter((a) => !dirs.includes(a));
  const parsed = parseCommandLine(flags, { key: { type: 'string' }, installed: { type: 'string' }, version: { type: 'string' } }, usage);
  if (typeof parsed === 'number') return parsed;
  const { key, installed, version } = parsed.values;
  if (!key) {
    process.stderr.write(usage + '\n');
    return 2;
  }
  try {
    if (action === 'verify' && dirs.length === 1) {
      const m = verifyUpdateBundle(dirs[0]!, { publicKey: readFileSync(key, 'utf8'), ...(installed ? { installedVersion: installed } : {}) });
      process.stdout.write(`bundle ${m.version} verified: ${m.files.length} files\n`);
      return 0;
    }
    if (action === 'pack' && dirs.length === 2 && version) {
      const m = createUpdateBundle(dirs[0]!, dirs[1]!, version, readFileSync(key, 'utf8'));
      process.stdout.write(`bundle ${m.version} written: ${m.files.length} files\n`);
      return 0;
    }
  } catch (e) {
    if (e instanceof UpdateBundleError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stderr.write(usage + '\n');
  return 2;
}
