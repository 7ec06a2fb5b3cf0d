/**
 * Technician tools for the device configuration (`/etc/face-card-reader/config.json`):
 *   fcr config check FILE      validate against the one schema; every invalid field is listed (exit 78)
 *   fcr config hash-passcode   read a 4-digit staff passcode on stdin, print its salted scrypt hash
 *                              as the `staff.passcode` JSON (the passcode is never an argument, so it
 *                              stays out of the shell history and the process list)
 */
import { ConfigError, hashStaffPasscode, loadConfig, PasscodeFormatError } from '../../config';

const usage = 'usage: fcr config check FILE | fcr config hash-passcode < passcode';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(argv: string[]): Promise<number> {
  const [action, file] = argv;
  if (action === 'check' && file) {
    try {
      const c = loadConfig(file);
      process.stdout.write(`${file}: valid — ${c.facility.name} (${c.facility.code}), mode ${c.mode}, backend ${c.backend.url}, card-face trust anchors ${c.cardFace.trustAnchors.length}\n`);
      return 0;
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`${e.message}\n`);
        return 78;
      }
      throw e;
    }
  }
  if (action === 'hash-passcode' && !file) {
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
  process.stderr.write(usage + '\n');
  return 2;
}
