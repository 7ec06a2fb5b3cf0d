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
import type { ConfirmationResponse, Consents, PreviousConsent, Proof, ReferralLetter as WireLetter } from '../../backend/protocol';
import type { ConsentRecord } from '../../session/effects';
import type { BackendFailureKind, ConsentAnswers, QualificationResult, ReferralLetter } from '../../session/events';
import type { CallOutcome, QualificationPort, QualificationQuery, QueryOutcome } from '../ports';
import type { SessionMemory } from './session-memory';
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
  memory: SessionMemory;
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

  private async proofFor(q: QualificationQuery): Promise<Proof | BackendFailureKind> {
    const m = this.o.memory;
    switch (q.method) {
      case 'pin':
        return m.proof ? { method: 'pin', nonce: m.proof.nonce.toString('base64'), signature: m.proof.signature.toString('base64') } : 'protocol';
      case 'smartphone': {
        // Android: the PIN was verified and the nonce signed already; iPhone: the phone signs now.
        const platform = m.proof ? 'android' : 'iphone';
        if (!m.proof && !(await this.o.card.signWithPhone())) return 'protocol';
        const p = m.proof!;
        return { method: 'smartphone', platform, nonce: p.nonce.toString('base64'), signature: p.signature.toString('base64') };
      }
      case 'face': {
        const nonce = await this.o.client.issueNonce();
        const statement = JSON.stringify({
          method: 'face',
          nonce: nonce.nonce,
          score: m.faceMatch?.score ?? 0,
          liveness: { passed: true, score: m.faceMatch?.livenessScore ?? 0 },
          certificateSerial: m.certificateSerial?.reveal() ?? '0',
          deviceId: this.o.deviceId,
        });
        const signature = sign('sha256', Buffer.from(statement, 'utf8'), createPrivateKey(this.o.deviceKeyPem)).toString('base64');
        return { method: 'face', statement, signature };
      }
      case 'visual':
        return q.visualTrigger === 'terminal'
          ? { method: 'visual', staffId: 'reception-terminal', passcodeChecked: true, trigger: 'terminal' }
          : { method: 'visual', staffId: 'panel-staff', passcodeChecked: true, trigger: 'panel' };
    }
  }

  async query(q: QualificationQuery): Promise<QueryOutcome> {
    const m = this.o.memory;
    if (!m.certificate) return { ok: false, kind: 'protocol' };
    try {
      const proof = await this.proofFor(q);
      if (typeof proof === 'string') return { ok: false, kind: proof };
      const response: ConfirmationResponse = await this.o.client.confirm({
        confirmationKind: this.o.config.mode === 'qualification-only' ? 'qualification-only' : q.consentFirst ? 'home-consent' : 'standard',
        userAuthCertificate: m.certificate.toString('base64'),
        proof,
        ...(q.consentFirst ? { consents: toConsents(q.consentFirst, q.consentFirst.mode ?? 'individual') } : {}),
      });
      m.receptionSeq = response.receptionSeq;
      if (response.status === 'certificate-refused') {
        // Revoked or past grace between the card read's check and now: nothing is released and
        // the patient goes to the counter (SPEC §8); the read-time check normally catches it first.
        this.o.log.warn(`certificate refused by the backend: ${response.certificate.usability}`);
        return { ok: false, kind: 'protocol' };
      }
      return { ok: true, result: this.toResult(response) };
    } catch (e) {
      this.o.log.warn(`backend query failed: ${(e as Error).name}`);
      return { ok: false, kind: backendFailureOf(e) };
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

  async registerConsent(consent: ConsentRecord): Promise<CallOutcome> {
    const seq = this.o.memory.receptionSeq;
    if (seq === null) return { ok: false, kind: 'protocol' };
    try {
      await this.o.client.registerConsent({ receptionSeq: seq, consents: toConsents(consent, consent.mode ?? 'individual') });
      return { ok: true };
    } catch (e) {
      this.o.log.warn(`consent registration failed: ${(e as Error).name}`);
      return { ok: false, kind: backendFailureOf(e) };
    }
  }

  /**
   * 健康保険証利用の申込み (seed 003), after the holder proved identity with the PIN: the backend needs
   * the holder's own signature, made in the PIN transaction (see the card adapter).
   */
  async registerInsuranceUse(): Promise<CallOutcome> {
    const m = this.o.memory;
    const p = m.registrationProof;
    if (!p || !m.certificate) return { ok: false, kind: 'protocol' };
    try {
      await this.o.client.registerInsuranceUse({
        userAuthCertificate: m.certificate.toString('base64'),
        proof: { method: 'pin', nonce: p.nonce.toString('base64'), signature: p.signature.toString('base64') },
        termsAccepted: true,
      });
      m.unregistered = false;
      return { ok: true };
    } catch (e) {
      this.o.log.warn(`insurance-use registration failed: ${(e as Error).name}`);
      return { ok: false, kind: backendFailureOf(e) };
    }
  }

  wipe(): void {
    this.o.memory.wipe();
  }
}
