/**
 * One complete non-interactive confirmation (issue 3 §4, `fcr confirm`): card on the reader →
 * proof of holdership → backend → result record, for rigs, benches and technicians.
 *
 * It runs the reader service's own adapters (src/service/adapters: CardAdapter for the card read,
 * the certificate check and the PIN proof; BackendAdapter for the proof, the confirmation with its
 * idempotency key and lost-answer lookup, and the consent registration) in one session memory,
 * so what `fcr confirm` and the confirm bench measure is the product's path, not a second one
 * (issue 12 item 4). Only the screens are left out: the choices come from the command line.
 */
import { NoCardError, PinBlockedError, WrongPinError } from '../src/card/errors';
import type { CardReaderDriver, ReaderSlot } from '../src/devices/card-reader/card-reader-driver';
import type { EligibilityBackend } from '../src/backend/eligibility-backend';
import { consentCategories, type ConfirmationResponse, type ConsentCategory, type Consents } from '../src/backend/protocol';
import { silentLogger, type Logger } from '../src/log/logger';
import { secret } from '../src/log/secret';
import { backendFailureOf, BackendAdapter } from '../src/service/adapters/backend-adapter';
import { CardAdapter } from '../src/service/adapters/card-adapter';
import { SessionMemories } from '../src/service/adapters/session-memory';
import type { ConsentRecord } from '../src/session/effects';
import type { BackendFailureKind, CardReadFailure, CertificateStatus } from '../src/session/events';
import type { IdentityMethod } from '../src/session/effects';
import { defaultRigConfig } from './rig-config';

export type ConsentChoice = 'all' | 'none' | ConsentCategory[];

export interface ConfirmOnceOptions {
  driver: CardReaderDriver;
  backend: EligibilityBackend;
  method: 'pin' | 'visual' | 'smartphone';
  /** For `pin` / Android `smartphone`. Used for one VERIFY, never stored or logged. */
  pin?: string;
  platform?: 'android' | 'iphone';
  consent: ConsentChoice;
  kind?: 'standard' | 'qualification-only';
  /** How long to wait for a card on the reader. */
  waitForCardMs?: number;
  now?: () => Date;
  log?: Logger;
}

export interface ConfirmOnceResult {
  confirmation: ConfirmationResponse;
  /** The consents the backend recorded for the reception (registered after the result, as the service does). */
  consentsRecorded?: Consents;
  /** The reader's own view of the certificate (SPEC §4). */
  localCertificateStatus: CertificateStatus;
  timing: { cardMs: number; backendMs: number; totalMs: number };
}

/** The certificate is past its grace period by the card's dates, or revoked (SPEC §4): no PIN is asked. */
export class CertificateUnusableError extends Error {
  override readonly name = 'CertificateUnusableError';
  constructor(readonly status: CertificateStatus | 'revoked') {
    super(`user-authentication certificate ${status === 'revoked' ? 'revoked' : `${status}: past the grace period`}`);
  }
}

/** The card could not be read (the card adapter's failure kind). */
export class CardReadFailedError extends Error {
  override readonly name = 'CardReadFailedError';
  constructor(readonly reason: CardReadFailure) {
    super(`the card could not be read: ${reason}`);
  }
}

/** The backend gave no answer the reader could use (the adapters' failure kind, SPEC §8). */
export class BackendFailedError extends Error {
  override readonly name = 'BackendFailedError';
  constructor(
    readonly kind: BackendFailureKind | 'phone-removed',
    readonly step: 'nonce' | 'confirmation' | 'consents',
  ) {
    super(`backend ${step}: ${kind}`);
  }
}

export class CardWaitTimeoutError extends Error {
  override readonly name = 'CardWaitTimeoutError';
  constructor(
    readonly slot: ReaderSlot,
    readonly waitedMs: number,
  ) {
    super(`no card on the ${slot} reader within ${waitedMs} ms`);
  }
}

export class MissingInputError extends Error {
  override readonly name = 'MissingInputError';
}

export function consentsFor(choice: ConsentChoice, letterIds: string[] = []): Consents {
  const chosen = new Set<ConsentCategory>(choice === 'all' ? consentCategories.filter((c) => c !== 'medicationOnly') : choice === 'none' ? [] : choice);
  return {
    mode: choice === 'all' ? 'comprehensive' : 'individual',
    given: {
      surgeryDiagnosisInfection: chosen.has('surgeryDiagnosisInfection'),
      clinicalAndMedication: chosen.has('clinicalAndMedication'),
      // お薬 alone is asked only when 診療・お薬 was declined (SPEC §6).
      medicationOnly: chosen.has('medicationOnly') && !chosen.has('clinicalAndMedication'),
      healthCheckups: chosen.has('healthCheckups'),
      referralLetterIds: letterIds,
    },
    limitInfo: true,
  };
}

/** The same choice as the consent screens record it (src/session/effects.ts). */
function consentRecordFor(choice: ConsentChoice, letterIds: string[]): ConsentRecord {
  const c = consentsFor(choice, letterIds);
  return {
    mode: c.mode,
    categories: { surgery: c.given.surgeryDiagnosisInfection, clinical: c.given.clinicalAndMedication, medication: c.given.medicationOnly, checkup: c.given.healthCheckups },
    referralLetterIds: letterIds,
    limitInfo: c.limitInfo,
  };
}

async function waitForCard(driver: CardReaderDriver, slot: ReaderSlot, timeoutMs: number): Promise<void> {
  if (driver.cardIn(slot)) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new CardWaitTimeoutError(slot, timeoutMs));
    }, timeoutMs);
    const off = driver.onEvent((e) => {
      if (e.type === 'card-inserted' && e.slot === slot) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    // The card may have arrived between the check and the subscription.
    if (driver.cardIn(slot)) {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

export async function confirmOnce(o: ConfirmOnceOptions): Promise<ConfirmOnceResult> {
  const t0 = performance.now();
  let cardMs = 0;
  let backendMs = 0;
  const timed = async <T>(bucket: 'card' | 'backend', fn: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    try {
      return await fn();
    } finally {
      const d = performance.now() - s;
      if (bucket === 'card') cardMs += d;
      else backendMs += d;
    }
  };
  const slot: ReaderSlot = o.method === 'smartphone' ? 'smartphone' : 'card';
  const platform = o.platform ?? 'android';
  const needsPin = o.method === 'pin' || (o.method === 'smartphone' && platform === 'android');
  if (needsPin && (o.pin === undefined || !/^[0-9]{4}$/.test(o.pin))) throw new MissingInputError('a 4-digit --pin is required');
  const log = o.log ?? silentLogger;
  const kind = o.kind ?? 'standard';

  // The service's wiring (src/service/assemble.ts) for one session.
  const sessions = new SessionMemories();
  const card = new CardAdapter({
    driver: o.driver,
    sessions,
    log,
    ...(o.now ? { clock: () => o.now!().getTime() } : {}),
    issueNonce: () =>
      timed('backend', async () => {
        try {
          return { nonce: Buffer.from((await o.backend.issueNonce()).nonce, 'base64') };
        } catch (e) {
          return { failed: backendFailureOf(e) };
        }
      }),
    checkCertificate: (der) =>
      timed('backend', async () => {
        const r = await o.backend.checkCertificate(der);
        return { revoked: r.certificate.revocation === 'revoked', registeredForInsurance: r.insuranceUseRegistered };
      }),
  });
  const backend = new BackendAdapter({ client: o.backend, sessions, card, config: defaultRigConfig({ mode: kind }), deviceKeyPem: '', deviceId: '', log });

  try {
    await timed('card', () => waitForCard(o.driver, slot, o.waitForCardMs ?? 10_000));
    const read = await timed('card', () => card.read(slot));
    if (!read.ok) throw read.reason === 'removed' ? new NoCardError({ step: 'read-certificate' }) : new CardReadFailedError(read.reason);
    const local = read.card.certificateStatus;
    if (local === 'expired') throw new CertificateUnusableError(local);
    // Revocation overrides the dates (SPEC §4): the service sends such a card to the counter.
    if (read.card.revoked) throw new CertificateUnusableError('revoked');

    if (needsPin) {
      const pinned = await timed('card', () => card.verifyPin(slot, secret(o.pin as string)));
      if (pinned.kind === 'wrong') throw new WrongPinError(pinned.triesLeft, { step: 'verify-pin' });
      if (pinned.kind === 'locked') throw new PinBlockedError({ step: 'verify-pin' });
      if (pinned.kind === 'failed') throw new CardReadFailedError(pinned.reason);
      if (pinned.kind === 'backend-failed') throw new BackendFailedError(pinned.failure, 'nonce');
    }
    const method: IdentityMethod = o.method;
    const answered = await timed('backend', () => backend.query({ slot, method, ...(o.method === 'visual' ? { visualTrigger: 'panel' as const } : {}) }));
    if (!answered.ok) throw new BackendFailedError(answered.kind, 'confirmation');
    const confirmation = sessions.current().reception?.response;
    if (!confirmation) throw new BackendFailedError('protocol', 'confirmation');

    // Consents after the result, as the consent screens register them; none in the grace period
    // or in qualification-only mode (SPEC §2, §4).
    let consentsRecorded: Consents | undefined;
    if (confirmation.status === 'qualified' && kind === 'standard' && local !== 'grace') {
      const letters = o.consent === 'all' ? confirmation.referralLetters.map((l) => l.id) : [];
      const registered = await timed('backend', () => backend.registerConsent(consentRecordFor(o.consent, letters)));
      if (!registered.ok) throw new BackendFailedError(registered.kind, 'consents');
      consentsRecorded = sessions.current().reception?.consentsRecorded;
    }
    return {
      confirmation,
      ...(consentsRecorded ? { consentsRecorded } : {}),
      localCertificateStatus: local,
      timing: { cardMs: round(cardMs), backendMs: round(backendMs), totalMs: round(performance.now() - t0) },
    };
  } finally {
    // The session ends here: certificate, proof and reception are wiped from memory.
    sessions.renew();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
