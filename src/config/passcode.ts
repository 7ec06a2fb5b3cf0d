/**
 * The staff 目視確認用パスコード (SPEC §3.1) is stored only as a salted scrypt hash; checking it is
 * deliberately slow (scrypt) and runs outside the pure engine (effect `check-staff-passcode`).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { FacilityConfig } from './schema';

export type StaffPasscodeHash = FacilityConfig['staff']['passcode'];

export class PasscodeFormatError extends Error {
  constructor(readonly length: number) {
    super(`staff passcode must be 4 digits (got ${length} characters)`);
    this.name = 'PasscodeFormatError';
  }
}

const KEY_LENGTH = 32;

function derive(passcode: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passcode, salt, KEY_LENGTH, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1_048_576 }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

export async function hashStaffPasscode(
  passcode: string,
  params: { N: number; r: number; p: number } = { N: 16384, r: 8, p: 1 },
): Promise<StaffPasscodeHash> {
  if (!/^\d{4}$/.test(passcode)) throw new PasscodeFormatError(passcode.length);
  const salt = randomBytes(16);
  const key = await derive(passcode, salt, params);
  return { algorithm: 'scrypt', salt: salt.toString('hex'), hash: key.toString('hex'), ...params };
}

/** Constant-time comparison; a malformed passcode is simply wrong (no exception to the caller). */
export async function checkStaffPasscode(passcode: string, stored: StaffPasscodeHash): Promise<boolean> {
  if (!/^\d{4}$/.test(passcode)) return false;
  const expected = Buffer.from(stored.hash, 'hex');
  const key = await derive(passcode, Buffer.from(stored.salt, 'hex'), stored);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
