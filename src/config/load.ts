/**
 * Loading the facility configuration: JSON file → one zod parse → either a `FacilityConfig` or a
 * `ConfigError` listing *every* invalid field at once (STYLE §11), so a technician fixes the file
 * in one pass.
 */
import { readFileSync } from 'node:fs';
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
  ) {
    super(`invalid configuration ${source}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(input: unknown, source = '(inline)'): FacilityConfig {
  const result = facilityConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
  throw new ConfigError(source, issues);
}

export function loadConfig(path: string): FacilityConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ path: '(root)', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [{ path: '(root)', message: `not JSON: ${(err as Error).message}` }]);
  }
  return parseConfig(json, path);
}

/** Deep-partial overrides for tests and the rig. */
export type ConfigOverrides = { [K in keyof FacilityConfigInput]?: FacilityConfigInput[K] extends object ? Partial<FacilityConfigInput[K]> : FacilityConfigInput[K] };
