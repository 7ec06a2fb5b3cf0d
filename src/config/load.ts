/**
 * Loading the facility configuration: JSON file → one zod parse → either a `FacilityConfig` or a
 * `ConfigError` listing *every* invalid field at once (STYLE §11), so a technician fixes the file
 * in one pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRigDir } from './rig-dir';
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

/**
 * A fixed, precomputed hash of the rig's staff passcode `1234` (scrypt N=1024 so tests stay fast;
 * production files use `hashStaffPasscode()` defaults). Rig only.
 */
export const RIG_STAFF_PASSCODE = '1234';
const RIG_PASSCODE_HASH = {
  algorithm: 'scrypt' as const,
  salt: '000102030405060708090a0b0c0d0e0f',
  hash: '11fb48b815df907de8d7662a055dec5ede83867a221fa66acfeb6736cd1d5a6f',
  N: 1024,
  r: 8,
  p: 1,
};

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Nested objects merge key by key, so `{ consent: { legacyLimitScreen: true } }` keeps the rest. */
function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** Deep-partial overrides for tests and the rig. */
export type ConfigOverrides = { [K in keyof FacilityConfigInput]?: FacilityConfigInput[K] extends object ? Partial<FacilityConfigInput[K]> : FacilityConfigInput[K] };

/** The configuration of the simulated rig (`npm start`): every category, referral letters on. */
export function defaultRigConfig(overrides: ConfigOverrides = {}): FacilityConfig {
  const base: FacilityConfigInput = {
    facility: { name: '○○○○病院', code: '1310000001' },
    mode: 'standard',
    consent: { referralLetters: true },
    staff: { passcode: RIG_PASSCODE_HASH },
    backend: { url: 'http://127.0.0.1:8443/' },
    reception: { resultFolder: join(defaultRigDir(), 'reception') },
    rig: true,
  };
  return parseConfig(deepMerge(base as Plain, overrides as Plain), 'defaultRigConfig');
}
