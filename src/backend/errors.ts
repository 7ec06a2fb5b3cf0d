/**
 * Typed errors of the eligibility backend client (issue 3 §2). The reception flow maps each class
 * to the patient message and the staff fallback of SPEC §8; none of them carries a qualification
 * record, a name, a certificate or a nonce (privacy: errors end up in logs).
 */

/** What was being done when the error happened, for logs and the technician console. */
export interface BackendCallContext {
  /** e.g. `POST /v1/confirmations`. */
  call: string;
  /** 1-based attempt number when the error was raised. */
  attempt?: number;
}

export abstract class BackendError extends Error {
  abstract readonly code: string;
  readonly context: BackendCallContext;
  /** True when retrying the same request (with the same idempotency key) may succeed. */
  abstract readonly transient: boolean;
  /**
   * Set by the client: at least one attempt of this call reached the wire, so the backend may
   * have acted on it even though no usable answer came back (issue 11: ask before telling).
   */
  requestSent = false;

  constructor(message: string, context: BackendCallContext, options?: { cause?: unknown }) {
    super(message, options);
    this.context = context;
  }
}

/** No complete answer within the per-call timeout (includes a body that drips too slowly). */
export class BackendTimeoutError extends BackendError {
  override readonly name = 'BackendTimeoutError';
  readonly code = 'BACKEND_TIMEOUT';
  readonly transient = true;
  constructor(
    context: BackendCallContext,
    readonly timeoutMs: number,
  ) {
    super(`${context.call}: no complete answer within ${timeoutMs} ms`, context);
  }
}

/**
 * The backend cannot be used now: connection refused or reset, a 5xx answer, or the circuit
 * breaker is open (then `circuitOpen` is true and no request was sent).
 */
export class BackendUnavailableError extends BackendError {
  override readonly name = 'BackendUnavailableError';
  readonly code = 'BACKEND_UNAVAILABLE';
  readonly transient = true;
  constructor(
    message: string,
    context: BackendCallContext,
    readonly detail: { httpStatus?: number; errno?: string; circuitOpen?: boolean } = {},
    options?: { cause?: unknown },
  ) {
    super(`${context.call}: ${message}`, context, options);
  }
}

/**
 * The answer is not what the protocol says: not JSON, or JSON that fails the schema. `issuePath`
 * is the zod issue path of the first violation (e.g. `qualification.insurerNumber`), never the
 * offending value.
 */
export class BackendProtocolError extends BackendError {
  override readonly name = 'BackendProtocolError';
  readonly code = 'BACKEND_PROTOCOL';
  readonly transient = false;
  constructor(
    message: string,
    context: BackendCallContext,
    readonly issuePath: string,
    readonly issues: readonly { path: string; code: string }[] = [],
  ) {
    super(`${context.call}: ${message}${issuePath ? ` at ${issuePath}` : ''}`, context);
  }
}

/** The TLS session could not be established or the server is not the pinned facility CA's. */
export class TlsError extends BackendError {
  override readonly name = 'TlsError';
  readonly code = 'TLS';
  readonly transient = false;
  constructor(
    message: string,
    context: BackendCallContext,
    readonly tlsCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${context.call}: ${message}`, context, options);
  }
}

export type NonceProblem = 'unknown' | 'expired' | 'reused' | 'wrong-device';

/** The nonce the proof was made over was refused: the flow must fetch a new one and sign again. */
export class NonceError extends BackendError {
  override readonly name = 'NonceError';
  readonly code = 'NONCE';
  readonly transient = false;
  constructor(
    readonly problem: NonceProblem,
    context: BackendCallContext,
  ) {
    super(`${context.call}: nonce ${problem}`, context);
  }
}

/** The backend refused the proof of holdership (bad signature, unknown certificate issuer, …). */
export class ProofRejectedError extends BackendError {
  override readonly name = 'ProofRejectedError';
  readonly code = 'PROOF_REJECTED';
  readonly transient = false;
  constructor(
    readonly reason: string,
    context: BackendCallContext,
  ) {
    super(`${context.call}: proof rejected (${reason})`, context);
  }
}

/** Any other 4xx answer: the request itself was wrong (a bug on our side, not a backend fault). */
export class BackendRequestError extends BackendError {
  override readonly name = 'BackendRequestError';
  readonly code = 'BACKEND_REQUEST';
  readonly transient = false;
  constructor(
    readonly httpStatus: number,
    readonly errorCode: string,
    context: BackendCallContext,
  ) {
    super(`${context.call}: refused with ${httpStatus} ${errorCode}`, context);
  }
}

/** The client was configured to reach a non-HTTPS URL: refused before anything is sent. */
export class InsecureTransportError extends Error {
  override readonly name = 'InsecureTransportError';
  constructor(readonly protocol: string) {
    super(`refusing ${protocol} — the eligibility backend is reached over HTTPS with mutual TLS only`);
  }
}
