/**
 * The card port over the PC/SC card client: reads the user-authentication certificate and PIN
 * state, judges the certificate by SPEC §4, and for PIN authentication verifies the PIN and has the
 * card sign a backend nonce in ONE exclusive transaction, so the unlocked key is never left usable
 * by another process and the PIN is gone from memory as soon as the card answered.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from '../../log/logger';
import type { CardReaderDriver } from '../../devices/card-reader/card-reader-driver';
import { readUserAuthCertificate, readUserAuthPinState, signWithUserAuthKey, verifyUserAuthPin } from '../../card/jpki';
import { certificateStatus } from '../../card/certificate-status';
import {
  ApplicationNotFoundError,
  CardError,
  CardNotRespondingError,
  CardRemovedError,
  MalformedResponseError,
  NoCardError,
  PinBlockedError,
  PinNotSetError,
  ReaderUnavailableError,
  WrongPinError,
} from '../../card/errors';
import type { BackendFailureKind, CardReadFailure, CertificateStatus, ReaderSlot } from '../../session/events';
import type { CardPort, CardPresenceEvent, CardReadOutcome, PinOutcome } from '../ports';
import type { SessionMemories, SessionMemory } from './session-memory';
import { secret, type Secret } from '../../log/secret';

/** What the backend says about a certificate before identity is proven (revocation, registration). */
export interface CertificateCheck {
  revoked: boolean;
  registeredForInsurance: boolean;
}

export interface CardAdapterOptions {
  driver: CardReaderDriver;
  /** The current session's memory; each operation captures it before its first await (issue 11). */
  sessions: SessionMemories;
  log: Logger;
  clock?: () => number;
  /** A fresh backend nonce for the PIN proof; a failure kind when the backend cannot give one. */
  issueNonce(): Promise<{ nonce: Buffer } | { failed: BackendFailureKind }>;
  /** Online revocation / registration check of the certificate (SPEC §4: revocation overrides dates). */
  checkCertificate?(certificate: Buffer): Promise<CertificateCheck | undefined>;
  /** Whether the card-face photo path is available (issue 7); false when it is not built in. */
  cardFaceAvailable?(slot: ReaderSlot): boolean;
}

export function cardFailureOf(error: unknown): CardReadFailure {
  if (error instanceof CardRemovedError || error instanceof NoCardError) return 'removed';
  if (error instanceof ApplicationNotFoundError) return 'not-my-number-card';
  if (error instanceof ReaderUnavailableError) return 'reader-error';
  if (error instanceof CardNotRespondingError || error instanceof MalformedResponseError) return 'unreadable';
  if (error instanceof CardError) return 'unreadable';
  return 'reader-error';
}

export class CardAdapter implements CardPort {
  private readonly clock: () => number;
  constructor(private readonly o: CardAdapterOptions) {
    this.clock = o.clock ?? Date.now;
  }

  onPresence(listener: (e: CardPresenceEvent) => void): () => void {
    return this.o.driver.onEvent((e) => {
      if (e.type === 'card-inserted') listener({ type: 'inserted', slot: e.slot });
      else if (e.type === 'card-removed') listener({ type: 'removed', slot: e.slot });
      else if (e.type === 'card-unresponsive') listener({ type: 'unresponsive', slot: e.slot });
      else if (e.type === 'reader-added') listener({ type: 'reader-available', slot: e.slot });
      else if (e.type === 'reader-removed') listener({ type: 'reader-unavailable', slot: e.slot });
      else if (e.type === 'driver-error') {
        // pcscd gone (or the driver cannot start): every reader is unusable until it is back.
        this.o.log.warn(`card reader driver error: ${e.error.name}`);
        listener({ type: 'reader-unavailable', slot: 'card' });
        listener({ type: 'reader-unavailable', slot: 'smartphone' });
      }
    });
  }

  async read(slot: ReaderSlot): Promise<CardReadOutcome> {
    // Captured before the first await: the read completes into the session it was started for.
    const memory = this.o.sessions.current();
    let der: Buffer;
    let pin: Awaited<ReturnType<typeof readUserAuthPinState>>;
    try {
      ({ der, pin } = await this.o.driver.transact(slot, async (channel) => {
        const certificate = await readUserAuthCertificate(channel);
        // A smartphone's certificate has no card PIN counter to read: the phone guards its key.
        const pinState = slot === 'card' ? await readUserAuthPinState(channel) : ({ set: true, triesLeft: 3 } as const);
        return { der: certificate.der, pin: pinState };
      }));
    } catch (e) {
      this.o.log.info(`card read failed: ${(e as Error).name}`);
      return { ok: false, reason: cardFailureOf(e) };
    }
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(der);
    } catch {
      this.o.log.info('card read failed: the certificate does not parse');
      return { ok: false, reason: 'unreadable' };
    }
    const status = certificateStatus(x509, new Date(this.clock()));
    // No answer to the revocation check: not "good" — the engine then allows qualification only.
    let revocationUnknown = false;
    const check =
      (await this.o.checkCertificate?.(der).catch((e: unknown) => {
        revocationUnknown = true;
        this.o.log.warn(`certificate check failed: ${(e as Error).name}`);
        return undefined;
      })) ?? { revoked: false, registeredForInsurance: true };
    if (!memory.holdCard({ slot, certificate: der, certificateSerial: secret(x509.serialNumber.toLowerCase()), unregistered: !check.registeredForInsurance })) {
      return { ok: false, reason: 'removed' };
    }
    return {
      ok: true,
      card: {
        certificateStatus: status.status === 'revoked' ? 'expired' : (status.status as CertificateStatus),
        revoked: check.revoked,
        ...(revocationUnknown ? { revocationUnknown: true } : {}),
        pinSet: pin.set,
        pinTriesLeft: pin.set ? pin.triesLeft : 0,
        registeredForInsurance: check.registeredForInsurance,
        cardFaceAvailable: this.o.cardFaceAvailable?.(slot) ?? false,
      },
    };
  }

  async verifyPin(slot: ReaderSlot, pin: Secret<string>): Promise<PinOutcome> {
    const memory = this.o.sessions.current();
    // The nonce comes from the backend: when it cannot give one, that is a backend failure (the
    // patient goes to the counter), not a card fault to retry (issue 11 item 4: Android looped).
    const issued = await this.o.issueNonce();
    if ('failed' in issued) return { kind: 'backend-failed', failure: issued.failed };
    const forRegistration = memory.unregistered ? await this.o.issueNonce() : undefined;
    if (forRegistration && 'failed' in forRegistration) return { kind: 'backend-failed', failure: forRegistration.failed };
    try {
      const [signature, registrationSignature] = await this.signNonces(slot, pin, forRegistration ? [issued.nonce, forRegistration.nonce] : [issued.nonce]);
      if (!signature) throw new Error('the card returned no signature');
      if (!memory.holdProof({ nonce: issued.nonce, signature })) return { kind: 'failed', reason: 'removed' };
      if (forRegistration && registrationSignature) memory.holdRegistrationProof({ nonce: forRegistration.nonce, signature: registrationSignature });
      return { kind: 'verified' };
    } catch (e) {
      if (e instanceof WrongPinError) return e.triesLeft <= 0 ? { kind: 'locked' } : { kind: 'wrong', triesLeft: e.triesLeft };
      if (e instanceof PinBlockedError) return { kind: 'locked' };
      if (e instanceof PinNotSetError) return { kind: 'failed', reason: 'unreadable' };
      this.o.log.info(`PIN verification failed: ${(e as Error).name}`);
      return { kind: 'failed', reason: cardFailureOf(e) };
    }
  }

  /**
   * The smartphone proof (SPEC §3.2): the phone signs the nonce after its own check (PIN typed on
   * the panel for Android, biometrics on the phone for iPhone).
   */
  async signWithPhone(memory: SessionMemory): Promise<'signed' | 'phone-removed' | 'failed' | { backendFailed: BackendFailureKind }> {
    const issued = await this.o.issueNonce();
    if ('failed' in issued) return { backendFailed: issued.failed };
    try {
      const [signature] = await this.signNonces('smartphone', null, [issued.nonce]);
      if (!signature) return 'failed';
      return memory.holdProof({ nonce: issued.nonce, signature }) ? 'signed' : 'phone-removed';
    } catch (e) {
      this.o.log.info(`smartphone signature failed: ${(e as Error).name}`);
      return e instanceof CardRemovedError || e instanceof NoCardError ? 'phone-removed' : 'failed';
    }
  }

  /**
   * In ONE exclusive transaction: VERIFY (when a PIN is given), then the card signs each nonce, so
   * the unlocked key never outlives the transaction (the driver resets the card at its end).
   */
  private signNonces(slot: ReaderSlot, pin: Secret<string> | null, nonces: Buffer[]): Promise<Buffer[]> {
    return this.o.driver.transact(
      slot,
      async (channel) => {
        // The one place the PIN is revealed: the VERIFY APDU.
        if (pin !== null) await verifyUserAuthPin(channel, pin.reveal());
        const signatures: Buffer[] = [];
        for (const nonce of nonces) signatures.push(await signWithUserAuthKey(channel, { data: nonce, hash: 'sha256' }));
        return signatures;
      },
      { exclusive: true },
    );
  }

  wipe(): void {
    // The service renews the session memory (SessionMemories.renew) on every wipe.
  }
}
