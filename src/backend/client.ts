/**
 * HTTPS client of the eligibility backend (issue 3 §2): mutual TLS on node:https (the device's
 * key and certificate; the server pinned by the facility CA alone, not the system store; http:
 * refused), a per-call timeout covering the whole answer, bounded retries only for requests that
 * carry an idempotency key, a circuit breaker, and schema validation of every answer before use.
 *
 * Privacy: logs carry the call, status, attempt and error name — never a body, certificate or nonce.
 */
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { isIP } from 'node:net';
import { z } from 'zod';
import { silentLogger, type Logger } from '../log/logger';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState, type CircuitTransition } from './circuit-breaker';
import type { ConfirmInput, ConsentInput, EligibilityBackend, InsuranceUseInput, ReceptionFeed } from './eligibility-backend';
import {
  BackendProtocolError,
  BackendRequestError,
  BackendTimeoutError,
  BackendUnavailableError,
  InsecureTransportError,
  NonceError,
  ProofRejectedError,
  TlsError,
  type BackendCallContext,
  type BackendError,
} from './errors';
import {
  certificateCheckRequestSchema,
  certificateCheckResponseSchema,
  confirmationRequestSchema,
  confirmationResponseSchema,
  consentRegistrationResponseSchema,
  consentRegistrationSchema,
  errorResponseSchema,
  insuranceUseRegistrationResponseSchema,
  insuranceUseRegistrationSchema,
  issuePathOfIssue,
  nonceRequestSchema,
  nonceResponseSchema,
  PROTOCOL_VERSION,
  receptionListSchema,
  type CertificateCheckResponse,
  type ConfirmationResponse,
  type ConsentRegistrationResponse,
  type InsuranceUseRegistrationResponse,
  type NonceResponse,
  type ReceptionList,
} from './protocol';
import { parseXmlDocument } from './xml-text';

export interface BackendClientOptions {
  /** `https://host:port`; anything else is refused (InsecureTransportError). */
  baseUrl: string;
  /** The facility CA (PEM) — the only trust anchor for the server. */
  caCertPem: string;
  /** The device's TLS client certificate and key (PEM). */
  certPem: string;
  keyPem: string;
  facilityCode: string;
  deviceId: string;
  /** Per attempt, until the last byte of the answer. */
  timeoutMs?: number;
  /** Attempts per call for requests with an idempotency key (1 = no retry). */
  maxAttempts?: number;
  /** Delay before retry n is `retryDelayMs * n`. */
  retryDelayMs?: number;
  breaker?: CircuitBreakerOptions | CircuitBreaker;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
  /** Largest answer accepted. */
  maxResponseBytes?: number;
}

/** Error codes Node/OpenSSL use for a certificate or handshake problem. */
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

function isTlsCode(code: string | undefined): boolean {
  return code !== undefined && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));
}

const xmlTextSchema = z.string().startsWith('<?xml');

/**
 * True when a call failed after its request reached the backend without a usable answer: a
 * timeout, a connection cut or a 5xx, or an answer that is garbled or off the schema. The backend
 * may have recorded it, so the caller asks what it recorded (by idempotency key) before telling
 * the patient anything. Refusals (4xx) and calls never sent (breaker open, our own bad request)
 * are definite.
 */
export function answerMayBeLost(e: unknown): boolean {
  if (!(e instanceof BackendTimeoutError || e instanceof BackendUnavailableError || e instanceof BackendProtocolError)) return false;
  return e.requestSent;
}

export function newIdempotencyKey(): string {
  return randomBytes(18).toString('base64url');
}

interface CallSpec<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Retried only when true (an idempotency key, or a GET). */
  retryable: boolean;
  /**
   * A lookup after a lost answer: sent even while the breaker is open (one small read that tells
   * the patient the truth), and its outcome does not move the breaker.
   */
  bypassBreaker?: boolean;
  /** Attempts for this call when retryable (default: the client's maxAttempts). */
  attempts?: number;
  schema: z.ZodType<T>;
  okStatuses: number[];
  /** The answer is an XML document, returned as text after a well-formedness check. */
  xml?: boolean;
}

export class BackendClient implements EligibilityBackend, ReceptionFeed {
  private readonly base: URL;
  private readonly breaker: CircuitBreaker;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: Logger;
  private readonly maxResponseBytes: number;
  private readonly tls: https.RequestOptions;

  constructor(private readonly options: BackendClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'https:') throw new InsecureTransportError(url.protocol);
    this.base = url;
    // Half-open after 5 s at most (issue 11 item 4): one failing patient must not send the next
    // ones to the counter for long while the backend is healthy again.
    this.breaker = options.breaker instanceof CircuitBreaker ? options.breaker : new CircuitBreaker({ openMs: 5000, ...options.breaker });
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.log = options.logger ?? silentLogger;
    this.maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
    this.tls = {
      ca: options.caCertPem,
      cert: options.certPem,
      key: options.keyPem,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      // One connection per call: a reader does a confirmation a minute, and a fresh handshake
      // means a tls-failure or a replaced server is noticed on the very next call.
      agent: false,
      ...(isIP(url.hostname) ? {} : { servername: url.hostname }),
    };
  }

  circuitState(): CircuitState {
    return this.breaker.state();
  }

  circuitRetryInMs(): number {
    return this.breaker.retryInMs();
  }

  onCircuitChange(listener: (t: CircuitTransition) => void): () => void {
    return this.breaker.onChange(listener);
  }

  issueNonce(): Promise<NonceResponse> {
    const body = this.checkRequest(nonceRequestSchema, 'POST /v1/nonces', {
      facilityCode: this.options.facilityCode,
      deviceId: this.options.deviceId,
      idempotencyKey: newIdempotencyKey(),
    });
    return this.call({ method: 'POST', path: '/v1/nonces', body, retryable: true, schema: nonceResponseSchema, okStatuses: [200, 201] });
  }

  /** Revocation, usability and insurance-use registration of a certificate, before identity (SPEC §4). */
  checkCertificate(userAuthCertificate: Buffer): Promise<CertificateCheckResponse> {
    const body = this.checkRequest(certificateCheckRequestSchema, 'POST /v1/certificate-checks', {
      protocolVersion: PROTOCOL_VERSION,
      facilityCode: this.options.facilityCode,
      deviceId: this.options.deviceId,
      userAuthCertificate: userAuthCertificate.toString('base64'),
    });
    // Read-only and harmless to repeat: retried like a GET.
    return this.call({ method: 'POST', path: '/v1/certificate-checks', body, retryable: true, schema: certificateCheckResponseSchema, okStatuses: [200] });
  }

  confirm(request: ConfirmInput): Promise<ConfirmationResponse> {
    const body = this.checkRequest(confirmationRequestSchema, 'POST /v1/confirmations', this.fill(request));
    return this.call({ method: 'POST', path: '/v1/confirmations', body, retryable: true, schema: confirmationResponseSchema, okStatuses: [200] });
  }

  registerConsent(request: ConsentInput): Promise<ConsentRegistrationResponse> {
    const body = this.checkRequest(consentRegistrationSchema, 'POST /v1/consents', this.fill(request));
    return this.call({ method: 'POST', path: '/v1/consents', body, retryable: true, schema: consentRegistrationResponseSchema, okStatuses: [200] });
  }

  registerInsuranceUse(request: InsuranceUseInput): Promise<InsuranceUseRegistrationResponse> {
    const body = this.checkRequest(insuranceUseRegistrationSchema, 'POST /v1/insurance-use-registrations', this.fill(request));
    return this.call({
      method: 'POST',
      path: '/v1/insurance-use-registrations',
      body,
      retryable: true,
      schema: insuranceUseRegistrationResponseSchema,
      okStatuses: [200, 201],
    });
  }

  /**
   * What the backend recorded for a confirmation's idempotency key (issue 11): its answer, or
   * null when nothing was recorded (the request never arrived). A stored refusal throws its error.
   */
  async lookupConfirmation(idempotencyKey: string): Promise<ConfirmationResponse | null> {
    return this.lookup(`/v1/confirmations/${encodeURIComponent(idempotencyKey)}`, confirmationResponseSchema);
  }

  /** The same for a consent registration. */
  async lookupConsentRegistration(idempotencyKey: string): Promise<ConsentRegistrationResponse | null> {
    return this.lookup(`/v1/consents/${encodeURIComponent(idempotencyKey)}`, consentRegistrationResponseSchema);
  }

  private async lookup<T>(path: string, schema: z.ZodType<T>): Promise<T | null> {
    try {
      return await this.call({ method: 'GET', path: `${path}?deviceId=${encodeURIComponent(this.options.deviceId)}`, retryable: true, schema, okStatuses: [200], bypassBreaker: true, attempts: 2 });
    } catch (e) {
      if (e instanceof BackendRequestError && e.httpStatus === 404 && e.errorCode === 'request-unknown') return null;
      throw e;
    }
  }

  /** One reception as the national result XML (for reception computers that read those files). */
  receptionXml(seq: number): Promise<string> {
    return this.call({ method: 'GET', path: `/receptions/${seq}/xml`, retryable: true, schema: xmlTextSchema, okStatuses: [200], xml: true });
  }

  listReceptions(since = 0): Promise<ReceptionList> {
    return this.call({ method: 'GET', path: `/receptions?since=${since}`, retryable: true, schema: receptionListSchema, okStatuses: [200] });
  }

  // -------------------------------------------------------------------------------------------

  private fill<T extends { idempotencyKey?: string }>(request: T): T & { protocolVersion: number; facilityCode: string; deviceId: string; idempotencyKey: string } {
    return {
      ...request,
      protocolVersion: PROTOCOL_VERSION,
      facilityCode: this.options.facilityCode,
      deviceId: this.options.deviceId,
      idempotencyKey: request.idempotencyKey ?? newIdempotencyKey(),
    };
  }

  /** Our own request must fit the protocol too: a violation is our bug, caught before sending. */
  private checkRequest<T>(schema: z.ZodType<T>, call: string, value: unknown): T {
    const r = schema.safeParse(value);
    if (!r.success) {
      const first = r.error.issues[0];
      throw new BackendProtocolError('request does not fit the protocol', { call }, issuePathOfIssue(first));
    }
    return r.data;
  }

  /**
   * One call: the breaker is asked once, and the call's attempts (retries with the same body and
   * idempotency key) count as ONE success or failure (issue 11 item 4: three retries of one
   * patient's call used to open the breaker for everyone).
   */
  private async call<T>(spec: CallSpec<T>): Promise<T> {
    const call = `${spec.method} ${spec.path.split('?')[0] ?? spec.path}`;
    const attempts = spec.retryable ? Math.min(spec.attempts ?? this.maxAttempts, this.maxAttempts) : 1;
    const guarded = !spec.bypassBreaker;
    if (guarded && !this.breaker.tryAcquire()) {
      throw new BackendUnavailableError('circuit open: backend recently failing', { call, attempt: 0 }, { circuitOpen: true });
    }
    let lastError: BackendError | undefined;
    let sent = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const context: BackendCallContext = { call, attempt };
      const started = Date.now();
      try {
        sent = true;
        const result = await this.attempt(spec, context);
        if (guarded) this.breaker.onSuccess();
        const ms = Date.now() - started;
        this.log.debug(() => `${call} ok attempt ${attempt} ${ms}ms`, { event: 'backend-call', call, attempt, ms });
        return result;
      } catch (err) {
        const e = err as BackendError;
        lastError = e;
        this.log.info(`${call} failed attempt ${attempt}/${attempts}: ${e.name}`, { event: 'backend-call-failed', call, attempt, attempts, error: e.name });
        if (!e.transient || attempt === attempts) break;
        await this.sleep(this.retryDelayMs * attempt);
      }
    }
    const e = lastError ?? new BackendUnavailableError('no attempt made', { call });
    e.requestSent = sent;
    // Timeouts, unavailability and TLS trouble are backend failures; an answer we could parse
    // (4xx) or a protocol violation is not the link's fault and does not trip the breaker.
    if (guarded) {
      if (e instanceof BackendTimeoutError || e instanceof BackendUnavailableError || e instanceof TlsError) this.breaker.onFailure();
      else this.breaker.onNeutral();
    }
    throw e;
  }

  private attempt<T>(spec: CallSpec<T>, context: BackendCallContext): Promise<T> {
    const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body), 'utf8');
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = https.request(
        {
          ...this.tls,
          protocol: 'https:',
          hostname: this.base.hostname,
          port: this.base.port || 443,
          method: spec.method,
          path: spec.path,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > this.maxResponseBytes) {
              req.destroy();
              finish(() => reject(new BackendProtocolError('answer too large', context, '')));
            } else chunks.push(c);
          });
          res.on('error', (err) => finish(() => reject(this.mapTransportError(err, context))));
          res.on('aborted', () => finish(() => reject(new BackendUnavailableError('answer cut off', context, { errno: 'ECONNRESET' }))));
          res.on('end', () => {
            finish(() => {
              try {
                resolve(this.interpret(res.statusCode ?? 0, Buffer.concat(chunks), spec, context));
              } catch (err) {
                reject(err as Error);
              }
            });
          });
        },
      );
      const timer = setTimeout(() => {
        finish(() => reject(new BackendTimeoutError(context, this.timeoutMs)));
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (err) => finish(() => reject(this.mapTransportError(err, context))));
      req.end(payload);
    });
  }

  private mapTransportError(err: Error, context: BackendCallContext): BackendError {
    const code = (err as NodeJS.ErrnoException).code;
    if (isTlsCode(code) || /certificate|handshake|alert/i.test(err.message)) {
      return new TlsError('TLS session refused', context, code, { cause: err });
    }
    return new BackendUnavailableError(`connection failed (${code ?? err.name})`, context, code ? { errno: code } : {}, { cause: err });
  }

  private interpret<T>(status: number, body: Buffer, spec: CallSpec<T>, context: BackendCallContext): T {
    if (status >= 500) throw new BackendUnavailableError(`server error ${status}`, context, { httpStatus: status });
    if (spec.xml && spec.okStatuses.includes(status)) {
      const text = body.toString('utf8');
      try {
        parseXmlDocument(text);
      } catch {
        throw new BackendProtocolError('answer is not a well-formed result document', context, '');
      }
      return spec.schema.parse(text);
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BackendProtocolError(`answer ${status} is not JSON`, context, '');
    }
    if (!spec.okStatuses.includes(status)) {
      const e = errorResponseSchema.safeParse(json);
      if (!e.success) throw new BackendProtocolError(`error answer ${status} does not fit the protocol`, context, issuePathOfIssue(e.error.issues[0]));
      const code = e.data.error.code;
      if (code.startsWith('nonce-')) throw new NonceError(code.slice('nonce-'.length) as NonceError['problem'], context);
      if (code === 'proof-invalid' || code === 'certificate-unknown-issuer') throw new ProofRejectedError(code, context);
      throw new BackendRequestError(status, code, context);
    }
    const r = spec.schema.safeParse(json);
    if (!r.success) {
      throw new BackendProtocolError(
        'answer does not fit the protocol',
        context,
        issuePathOfIssue(r.error.issues[0]),
        r.error.issues.map((i) => ({ path: issuePathOfIssue(i), code: i.code })),
      );
    }
    return r.data;
  }
}
