/**
 * Model manifest (issue 5 §2): every model file shipped in `models/` is listed with its source
 * package, version, licence and SHA-256, and checked before the models are loaded, so a corrupt
 * or missing model is a clear start-up error (ModelIntegrityError) and not a crash mid-session.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelIntegrityError } from './errors';
import { installRoot } from '../install-root';

export const defaultModelDir = join(installRoot(), 'models');

const entrySchema = z.object({
  file: z.string(),
  model: z.string(),
  sourcePackage: z.string(),
  version: z.string(),
  licence: z.string(),
  /** For a file we derived ourselves (faceres.onnx): the command and converter that made it from the copied files. */
  convertedBy: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const manifestSchema = z.object({ models: z.array(entrySchema) });

export type ModelManifestEntry = z.infer<typeof entrySchema>;

export function readManifest(modelDir: string = defaultModelDir): ModelManifestEntry[] {
  const path = join(modelDir, 'manifest.json');
  try {
    return manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).models;
  } catch {
    throw new ModelIntegrityError('manifest.json', 'manifest-unreadable');
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Checks every file of the named models (`blazeface` → blazeface.json + blazeface.bin) against
 * the manifest; throws the first ModelIntegrityError found. Returns the entries checked.
 */
export function verifyModels(models: readonly string[], modelDir: string = defaultModelDir): ModelManifestEntry[] {
  const entries = readManifest(modelDir);
  const checked: ModelManifestEntry[] = [];
  for (const model of models) {
    const files = entries.filter((e) => e.model === model);
    if (files.length === 0) throw new ModelIntegrityError(`${model}.json`, 'not-in-manifest');
    for (const entry of files) {
      const path = join(modelDir, entry.file);
      if (!existsSync(path)) throw new ModelIntegrityError(entry.file, 'missing');
      const actual = sha256File(path);
      if (actual !== entry.sha256) throw new ModelIntegrityError(entry.file, 'sha256-mismatch', entry.sha256, actual);
      checked.push(entry);
    }
  }
  return checked;
}
