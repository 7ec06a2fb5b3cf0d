/**
 * The folder the service is installed in: `/opt/face-card-reader` on the device, the checkout in
 * development. It holds `package.json`, `models/` and `hardware/`.
 *
 * Found by walking up from this module's directory to the product's `package.json`, not by a fixed
 * `'..', '..'`: from the sources this module is `src/install-root.ts`, but in the device bundle
 * (`npm run build` → `dist/fcr.js`) every module shares the bundle's directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PRODUCT = 'face-card-reader';

export class InstallRootNotFoundError extends Error {
  override readonly name = 'InstallRootNotFoundError';
  constructor(readonly from: string) {
    super(`no ${PRODUCT} package.json above ${from}`);
  }
}

function find(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === PRODUCT) return dir;
    if (dirname(dir) === dir) throw new InstallRootNotFoundError(from);
  }
}

let cached: string | undefined;

export function installRoot(): string {
  cached ??= find(__dirname);
  return cached;
}
