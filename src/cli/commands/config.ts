/**
 * Technician tools for the device configuration (`/etc/face-card-reader/config.json`):
 *   fcr config check FILE      validate against the one schema (after migrating an older version);
 *                              prints the file's version and any migration, or lists every invalid
 *                              field (exit 78)
 *   fcr config migrate FILE    rewrite an older file at the current version, the original kept
 *                              beside it as FILE.v<N>.bak (STYLE §11: backed up before migration);
 *                              nothing is written unless the migrated file is valid
 *   fcr config hash-passcode   read a 4-digit staff passcode on stdin, print its salted scrypt hash
 *                              as the `staff.passcode` JSON (the passcode is never an argument, so it
 *                              stays out of the shell history and the process list)
 */
import { copyFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { parseAction, parseCommandLine } from '../args';
import { CONFIG_VERSION, ConfigError, hashStaffPasscode, PasscodeFormatError, readConfigFile, type LoadedConfig, type MigrationRecord } from '../../config';

const usage = `usage: fcr config check FILE       validate FILE (exit 78 listing every invalid field)
       fcr config migrate FILE     rewrite an older FILE at version ${CONFIG_VERSION} (original kept as FILE.v<N>.bak)
       fcr config hash-passcode    staff passcode on stdin → its staff.passcode hash (JSON)`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function describeMigrations(migrations: MigrationRecord[]): string {
  return migrations.map((m) => `${m.from} → ${m.to}${m.notes.length ? ` (${m.notes.join('; ')})` : ''}`).join(', ');
}

/** The file, or exit 78 with every invalid field on stderr. */
function load(file: string): LoadedConfig | number {
  try {
    return readConfigFile(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 78;
    }
    throw e;
  }
}

function check(file: string): number {
  const r = load(file);
  if (typeof r === 'number') return r;
  const c = r.config;
  const version = r.migrations.length === 0
    ? `version ${r.fileVersion}`
    : `version ${r.fileVersion}, read as ${CONFIG_VERSION} after migrating ${describeMigrations(r.migrations)}; \`fcr config migrate ${file}\` rewrites it`;
  process.stdout.write(`${file}: valid (${version}) — ${c.facility.name} (${c.facility.code}), mode ${c.mode}, backend ${c.backend.url}, card-face trust anchors ${c.cardFace.trustAnchors.length}\n`);
  return 0;
}

function migrate(file: string): number {
  const r = load(file);
  if (typeof r === 'number') return r;
  if (r.migrations.length === 0) {
    process.stdout.write(`${file}: already version ${CONFIG_VERSION}; nothing written\n`);
    return 0;
  }
  let backup = `${file}.v${r.fileVersion}.bak`;
  for (let n = 1; existsSync(backup); n++) backup = `${file}.v${r.fileVersion}.${n}.bak`;
  copyFileSync(file, backup);
  // Temp file + rename: a power cut leaves the old file or the new one, never half of one.
  const temp = `${file}.migrating`;
  writeFileSync(temp, JSON.stringify(r.migrated, null, 2) + '\n', { mode: 0o640 });
  renameSync(temp, file);
  process.stdout.write(`${file}: migrated ${describeMigrations(r.migrations)}; the original is ${backup}\n`);
  return 0;
}

async function hashPasscode(): Promise<number> {
  try {
    process.stdout.write(JSON.stringify(await hashStaffPasscode((await readStdin()).trim())) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof PasscodeFormatError) {
      process.stderr.write('the staff passcode must be 4 digits\n');
      return 2;
    }
    throw e;
  }
}

export async function run(argv: string[]): Promise<number> {
  const a = parseAction(argv, ['check', 'migrate', 'hash-passcode'] as const, usage);
  if (typeof a === 'number') return a;
  const parsed = parseCommandLine(a.rest, {}, usage, a.action === 'hash-passcode' ? {} : { min: 1 });
  if (typeof parsed === 'number') return parsed;
  const [file = ''] = parsed.positionals;
  if (a.action === 'check') return check(file);
  if (a.action === 'migrate') return migrate(file);
  return hashPasscode();
}
