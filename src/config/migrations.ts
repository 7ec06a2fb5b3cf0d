/**
 * Configuration file versions and the migrations between them (STYLE §11, after zigbee2mqtt's
 * `settingsMigration.ts`): each step is a pure function from the raw JSON of version N to the raw
 * JSON of version N+1, run before the one schema parses the result. A file without `version` is
 * version 1 (every file written before versions existed). The device never rewrites its own
 * file (it is mounted read-only, firmware/make-state); `fcr config migrate` does, after a backup.
 *
 * Adding a version: bump CONFIG_VERSION, append the step here, change the schema, and add a test
 * that migrates a real file of the old version (test/config/migrations.test.ts).
 */

export type RawConfig = Record<string, unknown>;

/** The version this device writes and reads without migrating. */
export const CONFIG_VERSION = 3;

export interface MigrationStep {
  from: number;
  to: number;
  /** Pure: returns a new object and one note per change, in words a technician can act on. */
  migrate(input: RawConfig): { output: RawConfig; notes: string[] };
}

/**
 * 1 → 2 (issue 12): the `rig` flag left the schema (the device never read it; the rig's own
 * configuration is rig/rig-config.ts) and the file says its version. What version 2 no longer
 * *defaults* is not invented here: the reader names (version 1 fell back to the rig's
 * `Virtual PCD 00 00/01`) and an scrypt cost below N=16384 are reported by the schema, because
 * only the technician knows the board's readers and the passcode to re-hash.
 */
const v1ToV2: MigrationStep = {
  from: 1,
  to: 2,
  migrate(input) {
    const { rig, version: _version, ...rest } = input;
    const notes: string[] = [];
    if (rig !== undefined) notes.push(`removed "rig": ${JSON.stringify(rig)} (the device never read it)`);
    if (rest.readers === undefined) notes.push('"readers" has no default since version 2 (version 1 assumed the rig\'s vpcd names): name the board\'s PC/SC readers');
    return { output: { version: 2, ...rest }, notes };
  },
};

/**
 * 2 → 3 (issue 14): the face decision is one per patient over a burst (`face.attempt.burstMs`,
 * `minLiveFrames`), no longer ended by `spoofFrames` consecutive spoof frames, so that key left
 * the strict schema. A facility that had tuned it keeps a valid file; the new keys have defaults.
 */
const v2ToV3: MigrationStep = {
  from: 2,
  to: 3,
  migrate(input) {
    const notes: string[] = [];
    const output: RawConfig = { ...structuredClone(input), version: 3 };
    const face = output.face;
    if (face && typeof face === 'object' && !Array.isArray(face)) {
      const attempt = (face as RawConfig).attempt;
      if (attempt && typeof attempt === 'object' && !Array.isArray(attempt) && 'spoofFrames' in attempt) {
        const { spoofFrames, ...rest } = attempt as RawConfig;
        (face as RawConfig).attempt = rest;
        notes.push(
          `removed "face.attempt.spoofFrames": ${JSON.stringify(spoofFrames)} (the face decision is per patient over a burst since version 3: face.attempt.burstMs, face.attempt.minLiveFrames)`,
        );
      }
    }
    return { output, notes };
  },
};

export const migrationSteps: readonly MigrationStep[] = [v1ToV2, v2ToV3];

export interface MigrationRecord {
  from: number;
  to: number;
  notes: string[];
}

export type VersionProblem = { kind: 'newer'; version: number } | { kind: 'invalid'; value: unknown };

/** The file's version: absent means 1; anything but a whole number 1…CONFIG_VERSION is a problem. */
export function fileVersion(input: RawConfig): number | VersionProblem {
  const v = input.version;
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return { kind: 'invalid', value: v };
  if (v > CONFIG_VERSION) return { kind: 'newer', version: v };
  return v;
}

/** Runs every step from `from` to CONFIG_VERSION; the input is not modified. */
export function migrateConfig(input: RawConfig, from: number): { output: RawConfig; applied: MigrationRecord[] } {
  let current = input;
  const applied: MigrationRecord[] = [];
  for (let v = from; v < CONFIG_VERSION; v++) {
    const step = migrationSteps.find((s) => s.from === v);
    // A gap in the chain is a programming error, caught by the migration tests.
    if (!step || step.to !== v + 1) throw new Error(`no configuration migration from version ${v}`);
    const { output, notes } = step.migrate(current);
    applied.push({ from: step.from, to: step.to, notes });
    current = output;
  }
  return { output: current, applied };
}
