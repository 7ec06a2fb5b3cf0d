/**
 * Loading the facility configuration: JSON file → its version (absent: 1) → the migrations up to
 * the current version (./migrations.ts) → one zod parse → either a `FacilityConfig` or a
 * `ConfigError` listing *every* invalid field at once (STYLE §11), so a technician fixes the file
 * in one pass. An unknown key is an error at its full path (`face.matchTreshold`), with the
 * nearest known key when it looks like a misspelling.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { CONFIG_VERSION, fileVersion, migrateConfig, type MigrationRecord, type RawConfig } from './migrations';
import { facilityConfigSchema, type FacilityConfig, type FacilityConfigInput } from './schema';

export interface ConfigIssue {
  /** Dotted path of the field, e.g. `staff.passcode.salt`; `(root)` for the whole file. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
    /** The migrations run before the schema found these issues (an old file's issues may stem from them). */
    readonly migrations: MigrationRecord[] = [],
  ) {
    const migrated = migrations.length > 0 ? `\n  (checked after migrating version ${migrations[0]!.from} → ${migrations.at(-1)!.to}${migrationNotes(migrations)})` : '';
    super(`invalid configuration ${source}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}${migrated}`);
    this.name = 'ConfigError';
  }
}

function migrationNotes(migrations: MigrationRecord[]): string {
  const notes = migrations.flatMap((m) => m.notes);
  return notes.length > 0 ? `: ${notes.join('; ')}` : '';
}

/** A parsed configuration and what was done to the file to get there. */
export interface LoadedConfig {
  config: FacilityConfig;
  /** The version the file said (1 when it has no `version`). */
  fileVersion: number;
  /** Empty when the file was already at CONFIG_VERSION. */
  migrations: MigrationRecord[];
  /** The file's JSON migrated to CONFIG_VERSION, before defaults (what `fcr config migrate` writes). */
  migrated: RawConfig;
}

type Issue = z.core.$ZodIssue;

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The keys the schema knows for the object at `path` (for "did you mean"), or none. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let node = facilityConfigSchema as unknown as z.core.$ZodType;
  const step = (): void => {
    while (WRAPPERS.has(node._zod.def.type)) node = (node._zod.def as unknown as { innerType: z.core.$ZodType }).innerType;
    if (node._zod.def.type === 'pipe') node = (node._zod.def as unknown as { in: z.core.$ZodType }).in;
  };
  step();
  for (const key of path) {
    const def = node._zod.def as unknown as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    if (def.type === 'object' && def.shape && typeof key === 'string' && key in def.shape) node = def.shape[key]!;
    else if (def.type === 'array' && def.element && typeof key === 'number') node = def.element;
    else return [];
    step();
  }
  const def = node._zod.def as unknown as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Optimal-string-alignment distance: catches the one-letter slips (`matchTreshold`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

const dotted = (path: readonly PropertyKey[]): string => (path.length ? path.map(String).join('.') : '(root)');

function toIssues(issues: readonly Issue[]): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code !== 'unrecognized_keys') return [{ path: dotted(issue.path), message: issue.message }];
    const known = knownKeysAt(issue.path);
    return issue.keys.map((key) => {
      const near = known.filter((k) => editDistance(key, k) <= Math.max(1, Math.floor(k.length / 4))).sort((x, y) => editDistance(key, x) - editDistance(key, y))[0];
      return { path: dotted([...issue.path, key]), message: `unknown key${near ? ` (did you mean "${near}"?)` : ''}` };
    });
  });
}

/**
 * Parses a configuration of any known version: migrates, then validates. Throws ConfigError with
 * every issue, or with the one `version` issue when the file is newer than this device.
 */
export function readConfig(input: unknown, source = '(inline)'): LoadedConfig {
  let raw = input;
  let version = CONFIG_VERSION;
  let migrations: MigrationRecord[] = [];
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const v = fileVersion(input as RawConfig);
    if (typeof v !== 'number') {
      const message =
        v.kind === 'newer'
          ? `version ${v.version} is newer than this device knows (${CONFIG_VERSION}): update the reader's firmware, or write a version-${CONFIG_VERSION} file`
          : `must be a whole number from 1 to ${CONFIG_VERSION} (absent means 1), got ${JSON.stringify(v.value)}`;
      throw new ConfigError(source, [{ path: 'version', message }]);
    }
    version = v;
    ({ output: raw, applied: migrations } = migrateConfig(input as RawConfig, v));
  }
  const result = facilityConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, toIssues(result.error.issues), migrations);
  return { config: result.data, fileVersion: version, migrations, migrated: raw as RawConfig };
}

export function parseConfig(input: unknown, source = '(inline)'): FacilityConfig {
  return readConfig(input, source).config;
}

/** The file's JSON, or a ConfigError saying why it cannot be read. */
function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ path: '(root)', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [{ path: '(root)', message: `not JSON: ${(err as Error).message}` }]);
  }
}

export function readConfigFile(path: string): LoadedConfig {
  return readConfig(readJsonFile(path), path);
}

export function loadConfig(path: string): FacilityConfig {
  return readConfigFile(path).config;
}

/** Deep-partial overrides for tests and the rig. */
export type ConfigOverrides = { [K in keyof FacilityConfigInput]?: FacilityConfigInput[K] extends object ? Partial<FacilityConfigInput[K]> : FacilityConfigInput[K] };
