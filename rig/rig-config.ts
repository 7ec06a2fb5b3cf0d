/**
 * The configuration of the simulated rig (`npm start`) and of the tests: every consent category,
 * referral letters on, the rig's vpcd reader names and a staff passcode the tests know. The device
 * has no defaults for any of these (src/config/schema.ts); they live here, with the rig.
 */
import { join } from 'node:path';
import { CONFIG_VERSION, parseConfig, type ConfigOverrides, type FacilityConfig, type FacilityConfigInput } from '../src/config';
import { defaultRigDir } from './personas/credentials';

/** The rig's staff passcode (目視確認用パスコード, SPEC §3.1). */
export const RIG_STAFF_PASSCODE = '1234';

/**
 * A fixed, precomputed scrypt hash of `1234` at the device's minimum cost (N=16384), so the rig
 * passes the same schema as a device file and the tests need not hash at start-up.
 */
const RIG_PASSCODE_HASH = {
  algorithm: 'scrypt' as const,
  salt: '000102030405060708090a0b0c0d0e0f',
  hash: '58dfbceef3ed18ee28d5fc04b6d96828d230b6a199aa7b1f91209634986ba4c8',
  N: 16384,
  r: 8,
  p: 1,
};

/** The two vpcd slots of `/etc/reader.conf.d/vpcd` (FACTS: card rig). */
export const RIG_READERS = { card: 'Virtual PCD 00 00', smartphone: 'Virtual PCD 00 01' };

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

export function defaultRigConfig(overrides: ConfigOverrides = {}): FacilityConfig {
  const base: FacilityConfigInput = {
    version: CONFIG_VERSION,
    facility: { name: '○○○○病院', code: '1310000001' },
    mode: 'standard',
    consent: { referralLetters: true },
    staff: { passcode: RIG_PASSCODE_HASH },
    // A placeholder: the rig runner points the client at the backend simulator's own URL.
    backend: { url: 'https://127.0.0.1:8443/' },
    readers: RIG_READERS,
    reception: { resultFolder: join(defaultRigDir(), 'reception') },
    // The rig serves its metrics on an ephemeral loopback port and shows the URL (issue 17).
    metrics: { enabled: true, port: 0 },
  };
  return parseConfig(deepMerge(base as Plain, overrides as Plain), 'defaultRigConfig');
}
