/**
 * The rig's test PKI: a test JPKI user-authentication CA and, for every persona, the key pair and
 * certificates its virtual card carries (利用者証明用電子証明書 and 署名用電子証明書).
 *
 * Issue 2 §2: personas are created at run time from a test CA the rig generates — no key is ever
 * committed, and every name says TEST so nothing here can be mistaken for the real JPKI.
 *
 * Two processes (the card emulator and the backend simulator) must agree byte for byte on each
 * certificate without talking to each other. So:
 * - private keys are generated once and cached under `<dir>/credentials/` (mode 0600, generated
 *   under a lock file and linked into place without ever replacing a key already there, so two
 *   processes starting together end up with one key set);
 * - certificates are not cached but issued at load time, deterministically: fixed serials derived
 *   from the persona name, dates from the persona's window relative to *today in Japan time*
 *   (SPEC §4 reads dates in Japan time), and RSASSA-PKCS1-v1_5 signatures, which are
 *   deterministic. Same keys + same Japanese day → identical DER.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findPersona, personas, type Persona, type PersonaName } from './catalogue';

export type { PersonaName } from './catalogue';

/** Where the simulated rig keeps its generated files: `$FCR_RIG_DIR`, or `<repo>/.rig` (git-ignored). */
export function defaultRigDir(): string {
  const fromEnv = process.env.FCR_RIG_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return resolve(__dirname, '..', '..', '.rig');
}

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface PersonaCredentials {
  persona: PersonaName;
  /** RSA-2048 private key of the 利用者証明用電子証明書 (JPKI key 0017 on the card). */
  userAuthKey: KeyObject;
  /** DER. Valid from 00:00 JST `notBeforeDays` from today to 23:59:59 JST `notAfterDays` from today. */
  userAuthCertificate: Buffer;
  /** Certificate serial number, uppercase hex without separators, deterministic per persona. */
  userAuthSerial: string;
  /** DER, 署名用電子証明書 (OpenSC lists it; reading it needs the signature PIN on a real card). */
  signatureCertificate: Buffer;
  /** RSA-2048 private key of the signature certificate (JPKI key 001A). */
  signatureKey: KeyObject;
}

export interface RigCredentials {
  /** DER, the test JPKI user-auth CA (its names say TEST; it never looks real). */
  jpkiUserAuthCaCertificate: Buffer;
  jpkiUserAuthCaKey: KeyObject;
  /** DER, the test JPKI signature CA (issuer of every `signatureCertificate`; card EF 0002). */
  jpkiSignatureCaCertificate: Buffer;
  /** Throws `UnknownPersonaError` for a name that is not in the catalogue. */
  persona(name: PersonaName): PersonaCredentials;
}

export interface LoadRigCredentialsOptions {
  /** Rig directory; keys go to `<dir>/credentials/`. Default: `defaultRigDir()`. */
  dir?: string;
  /** The clock for certificate windows (tests). Default: now. */
  now?: Date;
}

export class UnknownPersonaError extends Error {
  constructor(readonly persona: string) {
    super(`unknown persona: ${persona}`);
    this.name = 'UnknownPersonaError';
  }
}

export class CredentialsLockTimeoutError extends Error {
  constructor(
    readonly lockPath: string,
    readonly waitedMs: number,
  ) {
    super(`timed out after ${waitedMs} ms waiting for the credentials lock ${lockPath}`);
    this.name = 'CredentialsLockTimeoutError';
  }
}


const DAY_MS = 86_400_000;
const JST_OFFSET_MS = 9 * 3_600_000; // Japan has no daylight saving time.

/** 00:00 Japan time of the Japanese calendar day containing `now`, as an instant. */
export function startOfJapanDay(now: Date): Date {
  return new Date(Math.floor((now.getTime() + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS);
}

const RSA_ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

const CA_NAME = 'C=JP, O=FCR TEST JPKI, OU=TEST ONLY not a real JPKI CA, CN=FCR TEST JPKI User Authentication CA';
const SIGNATURE_CA_NAME = 'C=JP, O=FCR TEST JPKI, OU=TEST ONLY not a real JPKI CA, CN=FCR TEST JPKI Digital Signature CA';

/** Deterministic positive serial (8 bytes, first byte 0x01–0x7F) from a label. */
function serialFor(label: string): string {
  const digest = createHash('sha256').update(`fcr-test-jpki-serial:${label}`).digest();
  const bytes = digest.subarray(0, 8);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex').toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Key cache

const LOCK_STALE_MS = 120_000;
const LOCK_WAIT_MS = 180_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function withLock<T>(lockPath: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A holder that crashed leaves its lock behind: take over once it is clearly stale.
      const info = await stat(lockPath).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > LOCK_STALE_MS) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) throw new CredentialsLockTimeoutError(lockPath, Date.now() - started);
      await sleep(50);
    }
  }
  try {
    return await body();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function readKey(path: string): Promise<KeyObject | undefined> {
  try {
    return createPrivateKey(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function generateRsaKey(): Promise<KeyObject> {
  return new Promise((resolvePromise, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, (error, _publicKey, privateKey) => {
      if (error) reject(error);
      else resolvePromise(privateKey);
    });
  });
}

/**
 * Writes the key under its final name without ever replacing one already there (link(2) fails
 * with EEXIST), and returns the key that is on disk: if a process that took over a stale lock got
 * there first, every process still ends up with the same key.
 */
async function writeKeyOnce(path: string, key: KeyObject): Promise<KeyObject> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const existing = await readKey(path);
    if (!existing) throw error;
    return existing;
  } finally {
    await rm(temp, { force: true });
  }
}

/** Loads every named key, generating (under the lock) those not on disk yet. */
async function loadKeys(keyDir: string, names: string[]): Promise<Map<string, KeyObject>> {
  const keys = new Map<string, KeyObject>();
  const pathOf = (name: string): string => join(keyDir, `${name}.key.pem`);
  const loadExisting = async (): Promise<string[]> => {
    const missing: string[] = [];
    await Promise.all(
      names
        .filter((n) => !keys.has(n))
        .map(async (name) => {
          const key = await readKey(pathOf(name));
          if (key) keys.set(name, key);
          else missing.push(name);
        }),
    );
    return missing;
  };
  if ((await loadExisting()).length === 0) return keys;
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  await withLock(join(keyDir, '.lock'), async () => {
    // Another process may have generated them while we waited for the lock.
    const missing = await loadExisting();
    await Promise.all(
      missing.map(async (name) => {
        keys.set(name, await writeKeyOnce(pathOf(name), await generateRsaKey()));
      }),
    );
  });
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Certificates

async function toCryptoKeys(key: KeyObject): Promise<CryptoKeyPair> {
  const privateKey = await webcrypto.subtle.importKey(
    'pkcs8',
    key.export({ type: 'pkcs8', format: 'der' }),
    RSA_ALGORITHM,
    false,
    ['sign'],
  );
  const publicKey = await webcrypto.subtle.importKey(
    'spki',
    createPublicKey(key).export({ type: 'spki', format: 'der' }),
    RSA_ALGORITHM,
    true,
    ['verify'],
  );
  return { privateKey, publicKey } as CryptoKeyPair;
}

interface Issued {
  der: Buffer;
  serial: string;
}

async function issueCa(caKeys: CryptoKeyPair, name: string, dayStart: Date): Promise<Issued> {
  const serial = serialFor(`ca:${name}`);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name,
    notBefore: new Date(dayStart.getTime() - 4000 * DAY_MS),
    notAfter: new Date(dayStart.getTime() + 4000 * DAY_MS),
    keys: caKeys,
    signingAlgorithm: RSA_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return { der: Buffer.from(cert.rawData), serial };
}

async function issueEndEntity(options: {
  serial: string;
  subject: string;
  issuer: string;
  subjectKey: KeyObject;
  caKeys: CryptoKeyPair;
  notBefore: Date;
  notAfter: Date;
  keyUsage: number;
}): Promise<Buffer> {
  const subjectKeys = await toCryptoKeys(options.subjectKey);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serial,
    subject: options.subject,
    issuer: options.issuer,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    publicKey: subjectKeys.publicKey,
    signingKey: options.caKeys.privateKey,
    signingAlgorithm: RSA_ALGORITHM,
    extensions: [
      new x509.KeyUsagesExtension(options.keyUsage, true),
      await x509.AuthorityKeyIdentifierExtension.create(options.caKeys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(subjectKeys.publicKey),
    ],
  });
  return Buffer.from(cert.rawData);
}

async function issuePersona(
  persona: Persona,
  keys: Map<string, KeyObject>,
  caKeys: CryptoKeyPair,
  signatureCaKeys: CryptoKeyPair,
  dayStart: Date,
): Promise<PersonaCredentials> {
  const userAuthKey = keys.get(`persona-${persona.name}-user-auth`);
  const signatureKey = keys.get(`persona-${persona.name}-signature`);
  if (!userAuthKey || !signatureKey) throw new Error(`credentials: keys of persona ${persona.name} missing`);
  const window = persona.userAuthCertificate;
  const notBefore = new Date(dayStart.getTime() + window.notBeforeDays * DAY_MS);
  // A JPKI certificate ends at 23:59:59 Japan time of its last day (SPEC §4 reads E as that date).
  const notAfter = new Date(dayStart.getTime() + (window.notAfterDays + 1) * DAY_MS - 1000);
  const userAuthSerial = serialFor(`user-auth:${persona.name}`);
  const signatureSerial = serialFor(`signature:${persona.name}`);
  // The real user-auth certificate carries no personal data: its subject is an opaque identifier.
  const userAuthCertificate = await issueEndEntity({
    serial: userAuthSerial,
    subject: `C=JP, CN=TEST-UA-${userAuthSerial}`,
    issuer: CA_NAME,
    subjectKey: userAuthKey,
    caKeys,
    notBefore,
    notAfter,
    keyUsage: x509.KeyUsageFlags.digitalSignature,
  });
  const signatureCertificate = await issueEndEntity({
    serial: signatureSerial,
    subject: `C=JP, CN=TEST-SIG-${signatureSerial}`,
    issuer: SIGNATURE_CA_NAME,
    subjectKey: signatureKey,
    caKeys: signatureCaKeys,
    notBefore,
    notAfter,
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
  });
  return {
    persona: persona.name,
    userAuthKey,
    userAuthCertificate,
    userAuthSerial,
    signatureCertificate,
    signatureKey,
  };
}

async function build(dir: string, dayStart: Date): Promise<RigCredentials> {
  const keyNames = [
    'jpki-user-auth-ca',
    'jpki-signature-ca',
    ...personas.flatMap((p) => [`persona-${p.name}-user-auth`, `persona-${p.name}-signature`]),
  ];
  const keys = await loadKeys(join(dir, 'credentials'), keyNames);
  const caKey = keys.get('jpki-user-auth-ca');
  const signatureCaKey = keys.get('jpki-signature-ca');
  if (!caKey || !signatureCaKey) throw new Error('credentials: CA keys missing');
  const caKeys = await toCryptoKeys(caKey);
  const signatureCaKeys = await toCryptoKeys(signatureCaKey);
  const ca = await issueCa(caKeys, CA_NAME, dayStart);
  const signatureCa = await issueCa(signatureCaKeys, SIGNATURE_CA_NAME, dayStart);
  const issued = new Map<PersonaName, PersonaCredentials>();
  for (const persona of personas) {
    issued.set(persona.name, await issuePersona(persona, keys, caKeys, signatureCaKeys, dayStart));
  }
  return {
    jpkiUserAuthCaCertificate: ca.der,
    jpkiUserAuthCaKey: caKey,
    jpkiSignatureCaCertificate: signatureCa.der,
    persona(name: PersonaName): PersonaCredentials {
      const found = issued.get(name);
      if (!found || !findPersona(name)) throw new UnknownPersonaError(name);
      return found;
    },
  };
}

const loaded = new Map<string, Promise<RigCredentials>>();

/**
 * Loads (generating keys on first use) the rig's test credentials. Results are memoised per
 * directory and Japanese day, so calling it from several modules of one process is cheap.
 */
export function loadRigCredentials(options: LoadRigCredentialsOptions = {}): Promise<RigCredentials> {
  const dir = resolve(options.dir ?? defaultRigDir());
  const dayStart = startOfJapanDay(options.now ?? new Date());
  const cacheKey = `${dir}\u0000${dayStart.toISOString()}`;
  let pending = loaded.get(cacheKey);
  if (!pending) {
    pending = build(dir, dayStart);
    loaded.set(cacheKey, pending);
    pending.catch(() => loaded.delete(cacheKey));
  }
  return pending;
}
