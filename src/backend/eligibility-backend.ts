/**
 * What the reception flow needs from the eligibility backend (issue 3 §2). The HTTPS client
 * (client.ts) implements it; tests of the flow can pass a fake that obeys the same rules:
 * every answer is schema-valid or the call throws one of the typed errors of errors.ts.
 */
import type { CircuitState, CircuitTransition } from './circuit-breaker';
import type {
  CertificateCheckResponse,
  ConfirmationRequest,
  ConfirmationResponse,
  ConsentRegistration,
  ConsentRegistrationResponse,
  InsuranceUseRegistration,
  InsuranceUseRegistrationResponse,
  NonceResponse,
  ReceptionList,
} from './protocol';

/** Facility code, device id and protocol version are filled in by the client; the key is optional. */
type Filled = 'protocolVersion' | 'facilityCode' | 'deviceId' | 'idempotencyKey';
export type ConfirmInput = Omit<ConfirmationRequest, Filled> & { idempotencyKey?: string };
export type ConsentInput = Omit<ConsentRegistration, Filled> & { idempotencyKey?: string };
export type InsuranceUseInput = Omit<InsuranceUseRegistration, Filled> & { idempotencyKey?: string };

export interface EligibilityBackend {
  /** A fresh single-use nonce for a PIN/smartphone/face proof. */
  issueNonce(): Promise<NonceResponse>;
  /** Revocation / usability / registration of the certificate just read, before identity (SPEC §4). */
  checkCertificate(userAuthCertificate: Buffer): Promise<CertificateCheckResponse>;
  /** One confirmation. Retried internally (same idempotency key) on transient failures. */
  confirm(request: ConfirmInput): Promise<ConfirmationResponse>;
  /** Consents decided after the result (bound to the reception). */
  registerConsent(request: ConsentInput): Promise<ConsentRegistrationResponse>;
  /** 健康保険証利用の申込み for an unregistered card (seed 003). */
  registerInsuranceUse(request: InsuranceUseInput): Promise<InsuranceUseRegistrationResponse>;
  /**
   * What the backend recorded for a confirmation / consent key, asked after a lost answer
   * (issue 11): the recorded answer, or null when nothing was recorded. Optional for fakes.
   */
  lookupConfirmation?(idempotencyKey: string): Promise<ConfirmationResponse | null>;
  lookupConsentRegistration?(idempotencyKey: string): Promise<ConsentRegistrationResponse | null>;
  /** Milliseconds until an open circuit lets a probe through (0 when not open). */
  circuitRetryInMs?(): number;
  /** Circuit-breaker state for the panel and LEDs. */
  circuitState(): CircuitState;
  onCircuitChange(listener: (t: CircuitTransition) => void): () => void;
}

/** The reception computer's view (SPEC §7). */
export interface ReceptionFeed {
  listReceptions(since?: number): Promise<ReceptionList>;
  /** One reception as the national result XML document. */
  receptionXml(seq: number): Promise<string>;
}
