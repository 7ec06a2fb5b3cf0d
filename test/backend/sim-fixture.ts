/**
 * Shared set-up for the backend tests: one simulator per suite on a free loopback port, a client
 * with an injected no-op sleep (retries without waiting), a movable clock, and helpers that make
 * the proofs a card, a phone or the device would make.
 */
import { sign, X509Certificate, type KeyObject } from 'node:crypto';
import { BackendClient, type BackendClientOptions } from '../../src/backend/client';
import type { ConfirmInput } from '../../src/backend/eligibility-backend';
import type { ConfirmationRequest, Consents, FaceStatement } from '../../src/backend/protocol';
import { deviceKeyObject } from '../../rig/backend-simulator/facility-pki';
import { BackendSimulator, type BackendSimulatorOptions } from '../../rig/backend-simulator/server';
import type { PersonaName } from '../../rig/personas/catalogue';
import { loadRigCredentials, type RigCredentials } from '../../rig/personas/credentials';

export class TestClock {
  constructor(public ms = Date.now()) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Rig {
  sim: BackendSimulator;
  creds: RigCredentials;
  clock: TestClock;
  client(options?: Partial<BackendClientOptions>): BackendClient;
  stop(): Promise<void>;
}

export async function startRig(options: BackendSimulatorOptions = {}): Promise<Rig> {
  const creds = await loadRigCredentials();
  const clock = new TestClock();
  const sim = await BackendSimulator.start({ credentials: creds, now: clock.now, ...options });
  return {
    sim,
    creds,
    clock,
    client: (o = {}) => new BackendClient({ ...sim.clientConfig(), timeoutMs: 3000, sleep: async () => undefined, ...o }),
    stop: () => sim.stop(),
  };
}

export const noConsents: Consents = {
  mode: 'individual',
  given: { surgeryDiagnosisInfection: false, clinicalAndMedication: false, medicationOnly: false, healthCheckups: false, referralLetterIds: [] },
  limitInfo: true,
};

export const allConsents = (letters: string[] = []): Consents => ({
  mode: 'comprehensive',
  given: { surgeryDiagnosisInfection: true, clinicalAndMedication: true, medicationOnly: false, healthCheckups: true, referralLetterIds: letters },
  limitInfo: true,
});

/** What the card does after VERIFY: PKCS#1 v1.5 SHA-256 over the nonce with the user-auth key. */
export function cardSignature(key: KeyObject, nonceB64: string): string {
  return sign('sha256', Buffer.from(nonceB64, 'base64'), key).toString('base64');
}

export async function pinRequest(
  rig: Rig,
  client: BackendClient,
  persona: PersonaName,
  extra: Partial<ConfirmInput> = {},
): Promise<ConfirmInput> {
  const { nonce } = await client.issueNonce();
  const p = rig.creds.persona(persona);
  return {
    confirmationKind: 'standard',
    userAuthCertificate: p.userAuthCertificate.toString('base64'),
    proof: { method: 'pin', nonce, signature: cardSignature(p.userAuthKey, nonce), certificateSerial: serialOf(p.userAuthCertificate) },
    ...extra,
  };
}

export async function faceRequest(
  rig: Rig,
  client: BackendClient,
  persona: PersonaName,
  tweak: Partial<FaceStatement> = {},
): Promise<ConfirmInput> {
  const { nonce } = await client.issueNonce();
  const p = rig.creds.persona(persona);
  const statement: FaceStatement = {
    method: 'face',
    nonce,
    score: 0.91,
    liveness: { passed: true, score: 0.97 },
    certificateSerial: p.userAuthSerial.toLowerCase(),
    deviceId: rig.sim.pki.device.deviceId,
    ...tweak,
  };
  const text = JSON.stringify(statement);
  const proof: ConfirmationRequest['proof'] = {
    method: 'face',
    statement: text,
    signature: sign('sha256', Buffer.from(text, 'utf8'), deviceKeyObject(rig.sim.pki)).toString('base64'),
  };
  return { confirmationKind: 'standard', userAuthCertificate: p.userAuthCertificate.toString('base64'), proof };
}

/** The serial every proof names (issue 11), read with Node's own X.509 parser. */
export function serialOf(der: Buffer): string {
  return new X509Certificate(der).serialNumber;
}
