/**
 * Signed update bundles for the reader (`firmware/`): a folder holding the files to install, a
 * `manifest.json` listing each file's path, size and SHA-256, and `manifest.sig`, an Ed25519
 * signature of the manifest's exact bytes by the vendor's update key. A bundle is installed only
 * after every check passes: the signature against the configured public key, each file's size and
 * digest, no file the manifest does not list, and no path that leaves the bundle. Node's `crypto`
 * does the cryptography; nothing is hand-rolled.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { z } from 'zod';

export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';

const manifestSchema = z.strictObject({
  format: z.literal(1),
  product: z.literal('face-card-reader'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  createdAt: z.iso.datetime(),
  files: z
    .array(
      z.strictObject({
        path: z.string().min(1).max(300),
        size: z.number().int().min(0),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    )
    .min(1),
});
export type UpdateManifest = z.infer<typeof manifestSchema>;

export type UpdateBundleProblem =
  | 'manifest-missing'
  | 'manifest-malformed'
  | 'signature-missing'
  | 'signature-invalid'
  | 'unsafe-path'
  | 'file-missing'
  | 'size-mismatch'
  | 'digest-mismatch'
  | 'unlisted-file'
  | 'not-newer';

export class UpdateBundleError extends Error {
  override readonly name = 'UpdateBundleError';
  constructor(
    readonly problem: UpdateBundleProblem,
    readonly detail: string,
  ) {
    super(`update bundle refused (${problem}): ${detail}`);
  }
}

/** A manifest path must stay inside the bundle: relative, no `..`, no absolute or odd parts. */
function safePath(p: string): boolean {
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(relative(base, full).split(sep).join('/'));
  }
  return out;
}

/** Size and SHA-256 of a file, read in chunks: a slot's root image (~360 MB) must not be held in memory. */
export function hashFile(path: string): { size: number; sha256: string } {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 << 20);
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; size += n) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return { size, sha256: h.digest('hex') };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export interface VerifyOptions {
  /** The vendor's update public key (PEM or KeyObject, Ed25519). */
  publicKey: string | KeyObject;
  /** The installed version: a bundle that is not newer is refused (no downgrade). */
  installedVersion?: string;
}

/** Checks a bundle folder; returns its manifest or throws `UpdateBundleError` naming the problem. */
export function verifyUpdateBundle(dir: string, o: VerifyOptions): UpdateManifest {
  let manifestBytes: Buffer;
  try {
    manifestBytes = readFileSync(join(dir, MANIFEST));
  } catch {
    throw new UpdateBundleError('manifest-missing', MANIFEST);
  }
  let signature: Buffer;
  try {
    signature = readFileSync(join(dir, SIGNATURE));
  } catch {
    throw new UpdateBundleError('signature-missing', SIGNATURE);
  }
  const key = typeof o.publicKey === 'string' ? createPublicKey(o.publicKey) : o.publicKey;
  // The signature is checked on the bytes before anything in them is believed.
  if (!verify(null, manifestBytes, key, signature)) throw new UpdateBundleError('signature-invalid', 'the manifest is not signed by the update key');
  let manifest: UpdateManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(manifestBytes.toString('utf8')));
  } catch (e) {
    throw new UpdateBundleError('manifest-malformed', (e as Error).message.slice(0, 200));
  }
  if (o.installedVersion && compareVersions(manifest.version, o.installedVersion) <= 0) {
    throw new UpdateBundleError('not-newer', `${manifest.version} is not newer than the installed ${o.installedVersion}`);
  }
  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (!safePath(f.path) || f.path === MANIFEST || f.path === SIGNATURE) throw new UpdateBundleError('unsafe-path', f.path);
    listed.add(f.path);
    let size: number;
    try {
      const st = statSync(join(dir, f.path));
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      throw new UpdateBundleError('file-missing', f.path);
    }
    // The size first (cheap), then the digest of the whole file.
    if (size !== f.size) throw new UpdateBundleError('size-mismatch', f.path);
    if (hashFile(join(dir, f.path)).sha256 !== f.sha256) throw new UpdateBundleError('digest-mismatch', f.path);
  }
  for (const present of listFiles(dir)) {
    if (present !== MANIFEST && present !== SIGNATURE && !listed.has(present)) throw new UpdateBundleError('unlisted-file', present);
  }
  return manifest;
}

/** Builds a signed bundle from a folder (the vendor's build step; tests use a throwaway key). */
export function createUpdateBundle(sourceDir: string, outDir: string, version: string, privateKey: string | KeyObject, now = new Date()): UpdateManifest {
  const files = listFiles(sourceDir).sort();
  mkdirSync(outDir, { recursive: true });
  const entries = files.map((path) => {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    copyFileSync(join(sourceDir, path), join(outDir, path));
    return { path, ...hashFile(join(outDir, path)) };
  });
  const manifest: UpdateManifest = { format: 1, product: 'face-card-reader', version, createdAt: now.toISOString(), files: entries };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  writeFileSync(join(outDir, MANIFEST), bytes);
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  writeFileSync(join(outDir, SIGNATURE), sign(null, bytes, key));
  return manifest;
}
