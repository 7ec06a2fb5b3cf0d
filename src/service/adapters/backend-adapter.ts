/**
 * The qualification port over the eligibility backend client (issue 3): builds the confirmation
 * request from what the card adapter left in session memory (certificate, proof), maps the
 * answer to what the flow needs, and maps the client's typed errors to the failure kinds of
 * SPEC §8. Everything personal stays in memory and is dropped on `wipe()`.
 */
import { createPrivateKey, sign } from 'node:crypto';
import type { Logger } from '../../log/logger';
import type { FacilityConfig } from '../../config';
import type { EligibilityBackend } from '../../backend/eligibility-backend';
import { BackendProtocolError, BackendRequestError, BackendTimeoutError, BackendUnavailableError, NonceError, ProofRejectedError, TlsError } from '../../backend/errors';
import { answerMayBeLost } from '../../backend/client';
import type { ConfirmationResponse, Consents, PreviousConsent, Proof, ReferralLetter as WireLetter } from '../../backend/protocol';
import type { ConsentRecord } from '../../session/effects';
import type { BackendFailureKind, ConsentAnswers, QualificationResult, ReferralLetter } from '../../session/events';
import type { CallOutcome, QualificationPort, QualificationQuery, QueryOutcome } from '../ports';
import type { SessionMemories, SessionMemory } from './session-memory';
import type { CardAdapter } from './card-adapter';

export function backendFailureOf(error: unknown): BackendFailureKind {
  if (error instanceof BackendTimeoutError) return 'timeout';
  if (error instanceof TlsError) return 'tls';
  // The backend answered but refused what we sent (nonce, proof, request): a protocol problem
  // staff must report, not a network outage that the next patient might not have.
  if (error instanceof BackendProtocolError || error instanceof NonceError || error instanceof ProofRejectedError || error instanceof BackendRequestError) return 'protocol';
  if (error instanceof BackendUnavailableError) return 'unavailable';
  return 'unavailable';
}

function toConsents(record: ConsentRecord, mode: Consents['mode']): Consents {
  const c = record.categories;
  return {
    mode,
    given: {
      surgeryDiagnosisInfection: c.surgery === true,
      clinicalAndMedication: c.clinical === true,
      medicationOnly: c.medication === true,
      healthCheckups: c.checkup === true,
      referralLetterIds: record.referralLetterIds,
    },
    limitInfo: record.limitInfo,
  };
}

function fromPrevious(previous: PreviousConsent[]): ConsentAnswers | undefined {
  const p = previous[0];
  if (!p) return undefined;
  return {
    surgery: p.given.surgeryDiagnosisInfection,
    clinical: p.given.clinicalAndMedication,
    medication: p.given.medicationOnly,
    checkup: p.given.healthCheckups,
  };
}

function fromLetter(l: WireLetter): ReferralLetter {
  const [, m, d] = l.issuedOn.split('-');
  return { id: l.id, issuedOn: `${Number(m)}/${Number(d)}`, issuer: l.issuerName, department: l.department };
}

export interface BackendAdapterOptions {
  client: EligibilityBackend;
  /** The current session's memory; each call captures it before its first await (issue 11). */
  sessions: SessionMemories;
  card: CardAdapter;
  config: FacilityConfig;
  /** The device key (PEM): signs the face statement (issue 3 §1). */
  deviceKeyPem: string;
  deviceId: string;
  log: Logger;
}

export class BackendAdapter implements QualificationPort {
  constructor(private readonly o: BackendAdapterOptions) {}

  available(): boolean {
    return this.o.client.circuitState() !== 'open';
  }

  /**
   * Open ↔ not open. The breaker turns half-open lazily (when asked), so when it opens a timer asks
   * again once the cool-down is over: the panel stops saying "unreachable" without waiting for the
   * next patient, who then sends the probe.
   */
  onAvailabilityChange(listener: (available: boolean) => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    const off = this.o.client.onCircuitChange((t) => {
      if ((t.from === 'open') !== (t.to === 'open')) listener(t.to !== 'open');
      if (t.to === 'open') {
        clearTimeout(timer);
        timer = setTimeout(() => this.o.client.circuitState(), (this.o.client.circuitRetryInMs?.() ?? 5000) + 20);
        timer.unref();
      }
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }

  private async proofFor(m: SessionMemory, q: QualificationQuery): Promise<Proof | BackendFailureKind | 'phone-removed'> {
    // Every proof names the certificate read in this session; the backend refuses a mismatch.
    const certificateSerial = m.certificateSerial?.reveal();
    if (!certificateSerial) return 'protocol';
    switch (q.method) {
      case 'pin':
        return m.proof ? { method: 'pin', nonce: m.proof.nonce.toString('base64'), signature: m.proof.signature.toString('base64'), certificateSerial } : 'protocol';
      case 'smartphone': {
        // Android: the PIN was verified and the nonce signed already; iPhone: the phone signs now.
        const platform = m.proof ? 'android' : 'iphone';
        if (!m.proof) {
          const signed = await this.o.card.signWithPhone(m);
          if (signed === 'phone-removed') return 'phone-removed';
          if (signed === 'failed') return 'protocol';
          if (typeof signed === 'object') return signed.backendFailed;
        }
        const p = m.proof;
        if (!p) return 'phone-removed';
        return { method: 'smartphone', platform, nonce: p.nonce.toString('base64'), signature: p.signature.toString('base64'), certificateSerial };
      }
      case 'face': {
        const nonce = await this.o.client.issueNonce();
        const statement = JSON.stringify({
          method: 'face',
          nonce: nonce.nonce,
          score: m.faceMatch?.score ?? 0,
          liveness: { passed: true, score: m.faceMatch?.livenessScore ?? 0 },
          certificateSerial,
          deviceId: this.o.deviceId,
        });
        const signature = sign('sha256', Buffer.from(statement, 'utf8'), createPrivateKey(this.o.deviceKeyPem)).toString('base64');
        return { method: 'face', statement, signature };
      }
      case 'visual':
        return q.visualTrigger === 'terminal'
          ? { method: 'visual', staffId: 'reception-terminal', passcodeChecked: true, trigger: 'terminal', certificateSerial }
          : { method: 'visual', staffId: 'panel-staff', passcodeChecked: true, trigger: 'panel', certificateSerial };
    }
  }

  /**
   * One confirmation per session (issue 11): the session's idempotency key goes with every retry;
   * when the answer is lost, late, cut off or garbled, the backend is asked what it recorded for
   * that key before the patient is told anything. A session that already holds its reception
   * (the patient went back from the consent screens) gets that reception again, never a second.
   */
  async query(q: QualificationQuery): Promise<QueryOutcome> {
    const m = this.o.sessions.current();
    if (!m.certificate) return { ok: false, kind: 'protocol' };
    const held = m.reception;
    if (held) return { ok: true, result: structuredClone(held.result) };
    let response: ConfirmationResponse;
    try {
      const proof = await this.proofFor(m, q);
      if (proof === 'phone-removed') return { ok: false, kind: 'phone-removed' };
      if (typeof proof === 'string') return { ok: false, kind: proof };
      if (m.closed) return { ok: false, kind: 'protocol' };
      const request = {
        idempotencyKey: m.confirmationKey,
        confirmationKind: this.o.config.mode === 'qualification-only' ? ('qualification-only' as const) : q.consentFirst ? ('home-consent' as const) : ('standard' as const),
        userAuthCertificate: m.certificate.toString('base64'),
        proof,
        ...(q.consentFirst ? { consents: toConsents(q.consentFirst, q.consentFirst.mode ?? 'individual') } : {}),
      };
      try {
        response = await this.o.client.confirm(request);
      } catch (e) {
        if (!answerMayBeLost(e)) throw e;
        this.o.log.warn(`confirmation answer lost (${(e as Error).name}): asking the backend what it recorded`);
        const recorded = await this.lookupConfirmation(m.confirmationKey);
        if (recorded === 'unknown') return { ok: false, kind: 'outcome-unknown' };
        if (recorded === 'not-recorded') return { ok: false, kind: backendFailureOf(e) };
        response = recorded;
      }
    } catch (e) {
      this.o.log.warn(`backend query failed: ${(e as Error).name}`);
      return { ok: false, kind: backendFailureOf(e) };
    }
    if (response.status === 'certificate-refused') {
      // Revoked or past grace between the card read's check and now: nothing is released and
      // the patient goes to the counter (SPEC §8); the read-time check normally catches it first.
      this.o.log.warn(`certificate refused by the backend: ${response.certificate.usability}`);
      return { ok: false, kind: 'protocol' };
    }
    const result = this.toResult(response);
    if (!m.holdReception({ receptionSeq: response.receptionSeq, result: structuredClone(result), response })) {
      // The patient took the card while the backend answered: staff see that a reception exists.
      this.o.log.warn(`reception ${response.receptionSeq} (${response.status}) was recorded for a session that had already ended`);
    }
    return { ok: true, result };
  }

  /** What the backend recorded for a confirmation key: its answer, nothing, or unknown (unreachable). */
  private async lookupConfirmation(key: string): Promise<ConfirmationResponse | 'not-recorded' | 'unknown'> {
    if (!this.o.client.lookupConfirmation) return 'unknown';
    try {
      const r = await this.o.client.lookupConfirmation(key);
      return r ?? 'not-recorded';
    } catch (e) {
      // A stored refusal (4xx) replays as its error: the confirmation was answered, and refused.
      if (e instanceof BackendRequestError || e instanceof ProofRejectedError || e instanceof NonceError) return 'not-recorded';
      this.o.log.warn(`confirmation lookup failed: ${(e as Error).name}`);
      return 'unknown';
    }
  }

  private toResult(r: ConfirmationResponse): QualificationResult {
    switch (r.status) {
      case 'qualified': {
        const previous = fromPrevious(r.previousConsents);
        return {
          status: 'qualified',
          patientName: r.qualification.name,
          ...(previous ? { previousConsent: previous } : {}),
          referralLetters: r.referralLetters.map(fromLetter),
        };
      }
      case 'invalid':
        return { status: 'invalid', patientName: '', referralLetters: [] };
      case 'no-record':
      case 'certificate-refused':
        return { status: 'no-record', patientName: '', referralLetters: [] };
    }
  }

  /**
   * Consents after the result, bound to this session's reception, with the session's consent key
   * for every retry; a lost answer is looked up by that key. `not-registered` tells the panel that
   * the qualification stands but the consents did not reach the backend (issue 11).
   */
  async registerConsent(consent: ConsentRecord, update?: 'limit-info'): Promise<CallOutcome> {
    const m = this.o.sessions.current();
    const seq = m.reception?.receptionSeq;
    if (seq === undefined) return { ok: false, kind: 'protocol' };
    // The legacy limit screen's answer is a second registration: its own key, or the backend
    // would answer it with the first one (seed 000 現行, issue 16 item 2).
    const key = update === 'limit-info' ? `${m.consentKey}-limit` : m.consentKey;
    const request = { idempotencyKey: key, receptionSeq: seq, consents: toConsents(consent, consent.mode ?? 'individual') };
    try {
      const recorded = await this.o.client.registerConsent(request);
      m.holdConsentsRecorded(recorded.consentsRecorded);
      return { ok: true };
    } catch (e) {
      if (answerMayBeLost(e) && this.o.client.lookupConsentRegistration) {
        try {
          if (await this.o.client.lookupConsentRegistration(key)) return { ok: true };
          this.o.log.warn(`consent registration not recorded: ${(e as Error).name}`);
          return { ok: false, kind: backendFailureOf(e) };
        } catch {
          this.o.log.warn(`consent registration outcome unknown: ${(e as Error).name}`);
          return { ok: false, kind: 'outcome-unknown' };
        }
      }
      this.o.log.warn(`consent registration failed: ${(e as Error).name}`);
      return { ok: false, kind: backendFailureOf(e) };
    }
  }

  /**
   * 健康保険証利用の申込み (seed 003), after the holder proved identity with the PIN: the backend needs
   * the holder's own signature, made in the PIN transaction (see the card adapter).
   */
  async registerInsuranceUse(): Promise<CallOutcome> {
    const m = this.o.sessions.current();
    const p = m.registrationProof;
    if (!p || !m.certificate || !m.certificateSerial) return { ok: false, kind: 'protocol' };
    try {
      await this.o.client.registerInsuranceUse({
        userAuthCertificate: m.certificate.toString('base64'),
        proof: { method: 'pin', nonce: p.nonce.toString('base64'), signature: p.signature.toString('base64'), certificateSerial: m.certificateSerial.reveal() },
        termsAccepted: true,
      });
      m.markRegistered();
      return { ok: true };
    } catch (e) {
      this.o.log.warn(`insurance-use registration failed: ${(e as Error).name}`);
      return { ok: false, kind: backendFailureOf(e) };
    }
  }

  wipe(): void {
    // The service renews the session memory (SessionMemories.renew) on every wipe.
  }
}
