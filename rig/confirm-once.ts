/**
 * One complete non-interactive confirmation (issue 3 §4, `fcr confirm`): card on the reader →
 * proof of holdership → backend → result record. The reception flow of the service does the same
 * steps with screens in between; this is the scripted path for rigs, benches and technicians.
 *
 * Order (SPEC §3, §4, STYLE §13–14): read the user-auth certificate (shared access) and refuse a
 * certificate past its grace period before any PIN is presented; fetch the nonce *before* taking
 * the card exclusively, so the unlocked key is held only for VERIFY + one signature; never keep
 * the PIN beyond the VERIFY call.
 */
import { certificateStatus, type CertificateStatus as CardCertificateStatus } from '../src/card/certificate-status';
import { CardError, NoCardError } from '../src/card/errors';
import { readUserAuthCertificate, signWithUserAuthKey, verifyUserAuthPin } from '../src/card/jpki';
import type { CardReaderDriver, ReaderSlot } from '../src/devices/card-reader/card-reader-driver';
import type { EligibilityBackend } from '../src/backend/eligibility-backend';
import {
  consentCategories,
  type ConfirmationResponse,
  type ConsentCategory,
  type ConsentRegistrationResponse,
  type Consents,
  type Proof,
} from '../src/backend/protocol';

export type ConsentChoice = 'all' | 'none' | ConsentCategory[];

export interface ConfirmOnceOptions {
  driver: CardReaderDriver;
  backend: EligibilityBackend;
  method: 'pin' | 'visual' | 'smartphone';
  /** For `pin` / Android `smartphone`. Used for one VERIFY, never stored or logged. */
  pin?: string;
  /** For `visual`. */
  staffId?: string;
  platform?: 'android' | 'iphone';
  consent: ConsentChoice;
  kind?: 'standard' | 'qualification-only';
  /** How long to wait for a card on the reader. */
  waitForCardMs?: number;
  now?: () => Date;
}

export interface ConfirmOnceResult {
  confirmation: ConfirmationResponse;
  /** When `--consent all` also chose the referral letters, after the result listed them. */
  consentRegistration?: ConsentRegistrationResponse;
  /** The reader's own view of the certificate (SPEC §4), before the backend's revocation check. */
  localCertificateStatus: CardCertificateStatus['status'];
  timing: { cardMs: number; backendMs: number; totalMs: number };
}

/** The certificate is past its grace period by the card's own dates: no PIN is asked (SPEC §3 step 2). */
export class CertificateUnusableError extends Error {
  override readonly name = 'CertificateUnusableError';
  constructor(
    readonly status: CardCertificateStatus['status'],
    readonly expiresOn: string,
  ) {
    super(`user-authentication certificate ${status} (expired ${expiresOn}, past the grace period)`);
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
  const now = o.now ?? (() => new Date());
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
  const needsSignature = o.method === 'pin' || o.method === 'smartphone';
  const needsPin = o.method === 'pin' || (o.method === 'smartphone' && (o.platform ?? 'android') === 'android');
  if (needsPin && (o.pin === undefined || !/^[0-9]{4}$/.test(o.pin))) throw new MissingInputError('a 4-digit --pin is required');
  if (o.method === 'visual' && !o.staffId) throw new MissingInputError('--staff is required for the visual check');

  await timed('card', () => waitForCard(o.driver, slot, o.waitForCardMs ?? 10_000));
  const read = await timed('card', () => o.driver.transact(slot, (ch) => readUserAuthCertificate(ch)));
  const local = certificateStatus(read.certificate, now());
  if (local.status === 'expired') throw new CertificateUnusableError(local.status, local.expiresOn);

  let proof: Proof;
  const certificateSerial = read.certificate.serialNumber.toLowerCase();
  if (needsSignature) {
    const { nonce } = await timed('backend', () => o.backend.issueNonce());
    const nonceBytes = Buffer.from(nonce, 'base64');
    const signature = await timed('card', () =>
      o.driver.transact(
        slot,
        async (ch) => {
          // The iPhone unlocks with its own biometric; everything else presents the PIN here.
          if (needsPin) await verifyUserAuthPin(ch, o.pin as string);
          return signWithUserAuthKey(ch, { data: nonceBytes, hash: 'sha256' });
        },
        { exclusive: true },
      ),
    );
    proof =
      o.method === 'pin'
        ? { method: 'pin', nonce, signature: signature.toString('base64'), certificateSerial }
        : { method: 'smartphone', platform: o.platform ?? 'android', nonce, signature: signature.toString('base64'), certificateSerial };
  } else {
    proof = { method: 'visual', staffId: o.staffId as string, passcodeChecked: true, trigger: 'panel', certificateSerial };
  }

  // Grace period or qualification-only: no medical-information consent is taken (SPEC §2, §4).
  const kind = o.kind ?? 'standard';
  const consentAllowed = kind === 'standard' && local.status !== 'grace';
  const consents = consentAllowed ? consentsFor(o.consent) : undefined;
  const confirmation = await timed('backend', () =>
    o.backend.confirm({
      confirmationKind: kind,
      userAuthCertificate: read.der.toString('base64'),
      proof,
      ...(consents ? { consents } : {}),
    }),
  );
  let consentRegistration: ConsentRegistrationResponse | undefined;
  if (consents && o.consent === 'all' && confirmation.status === 'qualified' && confirmation.referralLetters.length > 0) {
    const letters = confirmation.referralLetters.map((l) => l.id);
    consentRegistration = await timed('backend', () =>
      o.backend.registerConsent({ receptionSeq: confirmation.receptionSeq, consents: consentsFor('all', letters) }),
    );
  }
  return {
    confirmation,
    ...(consentRegistration ? { consentRegistration } : {}),
    localCertificateStatus: local.status,
    timing: { cardMs: round(cardMs), backendMs: round(backendMs), totalMs: round(performance.now() - t0) },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** True for errors of the card layer (so the CLI can tell card trouble from backend trouble). */
export function isCardError(e: unknown): boolean {
  return e instanceof CardError || e instanceof NoCardError;
}
