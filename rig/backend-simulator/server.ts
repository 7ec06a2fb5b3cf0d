/**
 * The eligibility-backend simulator (issue 3 §3): serves the protocol of protocol.ts over HTTPS
 * with mutual TLS on loopback, with its own facility CA, the persona holders of the rig's test
 * JPKI (credentials.ts: same certificates as the card emulator, no setup), fault injection per
 * request, and the in-memory reception record of SPEC §7.
 *
 * TLS: a plain TCP listener hands each connection either to the real TLS server or, when a
 * `tls-failure` fault is armed, to a TLS server whose certificate comes from a CA the client does
 * not pin. Client certificates are required (no certificate → handshake refused).
 */
import { createHash, createPublicKey, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { statusForExpiry } from '../../src/card/certificate-status';
import { silentLogger, type Logger } from '../../src/log/logger';
import { findPersona, type PersonaName } from '../personas/catalogue';
import { loadRigCredentials, type RigCredentials } from '../personas/credentials';
import {
  certificateCheckRequestSchema,
  confirmationRequestSchema,
  consentRegistrationSchema,
  faceStatementSchema,
  insuranceUseRegistrationSchema,
  issuePathOf,
  nonceRequestSchema,
  PROTOCOL_VERSION,
  type CertificateStatus,
  type ConfirmationRequest,
  type ConfirmationResponse,
  type Consents,
  type ErrorCode,
  type Fallback,
  type Notice,
  type Proof,
  type ReceptionEntry,
} from '../../src/backend/protocol';
import { resultDocumentFromReception, resultDocumentToXml } from '../../src/backend/oqs-xml-mapping';
import { FaultController, type Fault, type FaultRuleInput } from './faults';
import { generateFacilityPki, type FacilityPki } from './facility-pki';
import { insuredPersons, type InsuredPerson } from './insured-persons';
import { NonceStore } from './nonce-store';
import { ReceptionRecord } from './reception-record';

export interface BackendSimulatorOptions {
  /** TLS port on 127.0.0.1; 0 = any free port. */
  port?: number;
  /** Admin port for `POST /_sim/faults` (plain HTTP, loopback only); `false` = none (in-process use). */
  adminPort?: number | false;
  pki?: FacilityPki;
  credentials?: RigCredentials;
  /** The simulator's own facility (医療機関コード); referral letters addressed `'self'` go to it. */
  facilityCode?: string;
  nonceTtlMs?: number;
  /** Minimum face score the backend accepts in a device statement. */
  minFaceScore?: number;
  latencyMs?: number;
  faults?: FaultRuleInput[];
  now?: () => Date;
  logger?: Logger;
}

/** What a client needs to talk to the simulator (written to `<rig>/backend/` for other processes). */
export interface SimulatorClientConfig {
  baseUrl: string;
  caCertPem: string;
  certPem: string;
  keyPem: string;
  facilityCode: string;
  deviceId: string;
}

export const DEFAULT_FACILITY_CODE = '1319999999';

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface StoredAnswer {
  requestHash: string;
  /** `POST /v1/confirmations` …: a lookup only finds keys of its own kind. */
  call: string;
  deviceId: string | null;
  status: number;
  body: unknown;
}

const MAX_BODY = 256 * 1024;

export class BackendSimulator {
  readonly faults = new FaultController();
  readonly receptions = new ReceptionRecord();
  readonly persons: Map<PersonaName, InsuredPerson> = insuredPersons();
  readonly facilityCode: string;
  private readonly nonces: NonceStore;
  private readonly idempotent = new Map<string, StoredAnswer>();
  private readonly holderBySerial = new Map<string, PersonaName>();
  /** Which holder each qualified reception belongs to (for consents registered afterwards). */
  private readonly personaBySeq = new Map<number, PersonaName>();
  private readonly jpkiCa: X509Certificate;
  private readonly now: () => Date;
  private readonly log: Logger;
  private readonly minFaceScore: number;
  private front?: net.Server;
  private admin?: http.Server;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;
  private adminPortNumber: number | undefined;

  private constructor(
    readonly pki: FacilityPki,
    private readonly credentials: RigCredentials,
    private readonly tlsServer: https.Server,
    private readonly rogueServer: https.Server,
    options: BackendSimulatorOptions,
  ) {
    this.facilityCode = options.facilityCode ?? DEFAULT_FACILITY_CODE;
    this.now = options.now ?? (() => new Date());
    this.log = options.logger ?? silentLogger;
    this.minFaceScore = options.minFaceScore ?? 0.5;
    this.nonces = new NonceStore(options.nonceTtlMs ?? 60_000, () => this.now().getTime());
    this.faults.latencyMs = options.latencyMs ?? 0;
    for (const f of options.faults ?? []) this.faults.inject(f);
    this.jpkiCa = new X509Certificate(credentials.jpkiUserAuthCaCertificate);
    for (const name of this.persons.keys()) {
      this.holderBySerial.set(credentials.persona(name).userAuthSerial.toUpperCase(), name);
    }
  }

  static async start(options: BackendSimulatorOptions = {}): Promise<BackendSimulator> {
    const pki = options.pki ?? (await generateFacilityPki());
    const credentials = options.credentials ?? (await loadRigCredentials());
    const rogue = await generateFacilityPki({ caName: 'C=JP, O=FCR TEST rogue, CN=FCR TEST rogue CA (not pinned)' });
    const tlsOptions = { requestCert: true, rejectUnauthorized: true, ca: pki.caCertPem, minVersion: 'TLSv1.2' as const };
    const tlsServer = https.createServer({ ...tlsOptions, key: pki.server.keyPem, cert: pki.server.certPem });
    const rogueServer = https.createServer({ ...tlsOptions, key: rogue.server.keyPem, cert: rogue.server.certPem });
    const sim = new BackendSimulator(pki, credentials, tlsServer, rogueServer, options);
    await sim.listen(options.port ?? 0, options.adminPort ?? false);
    return sim;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get adminUrl(): string | undefined {
    return this.adminPortNumber === undefined ? undefined : `http://127.0.0.1:${this.adminPortNumber}`;
  }

  /** The reader's configuration (device identity); `reception` = the reception computer's. */
  clientConfig(identity: 'device' | 'reception' = 'device'): SimulatorClientConfig {
    const id = identity === 'device' ? this.pki.device : this.pki.reception;
    return {
      baseUrl: this.url,
      caCertPem: this.pki.caCertPem,
      certPem: id.certPem,
      keyPem: id.keyPem,
      facilityCode: this.facilityCode,
      deviceId: this.pki.device.deviceId,
    };
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const close = (s: net.Server | undefined) =>
      new Promise<void>((resolve) => (s && s.listening ? s.close(() => resolve()) : resolve()));
    this.tlsServer.closeAllConnections();
    this.rogueServer.closeAllConnections();
    await Promise.all([close(this.front), close(this.admin)]);
  }

  // -------------------------------------------------------------------------------------------

  private async listen(port: number, adminPort: number | false): Promise<void> {
    for (const s of [this.tlsServer, this.rogueServer]) {
      s.on('request', (req, res) => void this.handle(req, res));
      // Handshake failures (no client certificate, rogue CA) are expected: count, don't crash.
      s.on('tlsClientError', (err) => this.log.debug(() => `tls handshake refused: ${(err as NodeJS.ErrnoException).code ?? err.name}`));
    }
    this.front = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      const target = this.faults.takeTlsFailure() ? this.rogueServer : this.tlsServer;
      target.emit('connection', socket);
    });
    await new Promise<void>((resolve, reject) => {
      this.front?.once('error', reject);
      this.front?.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.front.address() as net.AddressInfo).port;
    if (adminPort !== false) {
      this.admin = http.createServer((req, res) => void this.handleAdmin(req, res));
      await new Promise<void>((resolve, reject) => {
        this.admin?.once('error', reject);
        this.admin?.listen(adminPort, '127.0.0.1', () => resolve());
      });
      this.adminPortNumber = (this.admin.address() as net.AddressInfo).port;
    }
    this.log.info(`listening on ${this.url}${this.adminUrl ? `, admin ${this.adminUrl}` : ''}`, { event: 'listening', url: this.url, admin: this.adminUrl });
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const remote = req.socket.remoteAddress ?? '';
    if (!(remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1')) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (req.url === '/_sim/faults' && req.method === 'GET') {
        sendJson(res, 200, this.faults.state());
      } else if (req.url === '/_sim/faults' && req.method === 'POST') {
        this.faults.apply(JSON.parse((await readBody(req)).toString('utf8')) as never);
        sendJson(res, 200, this.faults.state());
      } else {
        sendJson(res, 404, { error: { code: 'not-found', message: 'no such admin path' } });
      }
    } catch (err) {
      sendJson(res, 400, { error: { code: 'bad-request', message: err instanceof z.ZodError ? `fault command invalid at ${issuePathOf(err.issues[0]?.path ?? [])}` : 'fault command invalid' } });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'https://sim');
    const faults = this.faults.takeForRequest(url.pathname);
    const latency = this.faults.latencyMs + faults.reduce((a, f) => a + (f.kind === 'latency' ? f.ms : 0), 0);
    let status = 0;
    try {
      const body = await readBody(req);
      if (latency > 0) await sleep(latency);
      if (faults.some((f) => f.kind === 'connection-reset' && f.when === 'before')) {
        resetSocket(req);
        return;
      }
      const fivexx = faults.find((f): f is Extract<Fault, { kind: 'http-5xx' }> => f.kind === 'http-5xx');
      if (fivexx) {
        status = fivexx.status;
        sendJson(res, status, { error: { code: 'internal', message: 'injected server error' } });
        return;
      }
      let answer: { status: number; body: unknown; xml?: string };
      try {
        answer = this.route(req, url, body);
      } catch (err) {
        if (!(err instanceof HttpProblem)) throw err;
        answer = { status: err.status, body: { error: { code: err.code, message: err.message } } };
      }
      status = answer.status;
      if (faults.some((f) => f.kind === 'connection-reset')) {
        resetSocket(req);
        return;
      }
      let text = answer.xml ?? JSON.stringify(answer.body);
      const replaced = faults.find((f): f is Extract<Fault, { kind: 'replace-body' }> => f.kind === 'replace-body');
      if (replaced) {
        text = replaced.text;
        if (replaced.status !== undefined) answer = { ...answer, status: replaced.status };
      }
      if (faults.some((f) => f.kind === 'schema-violation')) text = JSON.stringify(violateSchema(answer.body));
      if (faults.some((f) => f.kind === 'malformed-body')) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      const drip = faults.find((f): f is Extract<Fault, { kind: 'slow-drip' }> => f.kind === 'slow-drip');
      const contentType = answer.xml !== undefined ? 'application/xml; charset=utf-8' : undefined;
      if (drip) await dripJson(res, answer.status, text, drip.bytes, drip.intervalMs);
      else sendText(res, answer.status, text, contentType);
    } catch (err) {
      status = 500;
      this.log.error(`internal error: ${(err as Error).name}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
    } finally {
      // Method, path, status and time only: never a body (it carries certificates and records).
      const ms = Date.now() - started;
      this.log.debug(() => `${req.method} ${url.pathname} ${status} ${ms}ms`, { event: 'request', method: req.method, path: url.pathname, status, ms });
    }
  }

  private route(req: IncomingMessage, url: URL, body: Buffer): { status: number; body: unknown; xml?: string } {
    const peer = (req.socket as TLSSocket).getPeerCertificate(false);
    if (!peer || !peer.raw) throw new HttpProblem(403, 'bad-request', 'client certificate required');
    const key = `${req.method} ${url.pathname}`;
    const xmlPath = /^GET \/receptions\/([0-9]{1,12})\/xml$/.exec(key);
    if (xmlPath) return { status: 200, body: null, xml: this.receptionXml(Number(xmlPath[1])) };
    const lookupPath = /^GET \/v1\/(confirmations|consents)\/([A-Za-z0-9_-]{16,64})$/.exec(key);
    if (lookupPath) return this.lookupRecorded(`POST /v1/${lookupPath[1]}`, lookupPath[2]!, url.searchParams.get('deviceId'));
    switch (key) {
      case 'POST /v1/nonces':
        return this.idempotently(key, body, (json) => {
          const r = parseOr400(nonceRequestSchema, json);
          this.checkFacility(r.facilityCode);
          const n = this.nonces.issue(r.deviceId);
          return { status: 201, body: { nonce: n.nonce, expiresAt: n.expiresAt.toISOString() } };
        });
      case 'POST /v1/certificate-checks': {
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          throw new HttpProblem(400, 'bad-request', 'body is not JSON');
        }
        const r = parseOr400(certificateCheckRequestSchema, json);
        this.checkFacility(r.facilityCode);
        const { cert, person } = this.holderOf(r.userAuthCertificate);
        return { status: 200, body: { certificate: this.certificateStatus(cert, person), insuranceUseRegistered: person.registeredForInsurance } };
      }
      case 'POST /v1/confirmations':
        return this.idempotently(key, body, (json) => this.confirm(parseOr400(confirmationRequestSchema, json), peer.raw));
      case 'POST /v1/consents':
        return this.idempotently(key, body, (json) => this.registerConsents(json));
      case 'POST /v1/insurance-use-registrations':
        return this.idempotently(key, body, (json) => this.registerInsuranceUse(json));
      case 'GET /receptions': {
        const sinceText = url.searchParams.get('since') ?? '0';
        if (!/^[0-9]{1,12}$/.test(sinceText)) throw new HttpProblem(400, 'bad-request', 'since must be a reception sequence number');
        return { status: 200, body: this.receptions.list(Number(sinceText)) };
      }
      default:
        throw new HttpProblem(404, 'not-found', 'no such endpoint');
    }
  }

  /**
   * Replays the stored answer for a repeated idempotency key (a retry after a lost answer must not
   * consume the nonce twice nor add a second reception entry); a key reused for a different body
   * is a conflict. Only 2xx and 4xx answers are stored: they are final.
   */
  private idempotently(call: string, body: Buffer, handler: (json: unknown) => { status: number; body: unknown }): { status: number; body: unknown } {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpProblem(400, 'bad-request', 'body is not JSON');
    }
    const keyValue = (json as { idempotencyKey?: unknown } | null)?.idempotencyKey;
    const idemKey = typeof keyValue === 'string' ? keyValue : undefined;
    const hash = createHash('sha256').update(body).digest('hex');
    if (idemKey) {
      const stored = this.idempotent.get(idemKey);
      if (stored) {
        if (stored.requestHash !== hash) throw new HttpProblem(409, 'idempotency-key-conflict', 'idempotency key reused for another request');
        return { status: stored.status, body: stored.body };
      }
    }
    let answer: { status: number; body: unknown };
    try {
      answer = handler(json);
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err;
      answer = { status: err.status, body: { error: { code: err.code, message: err.message } } };
    }
    if (idemKey) {
      if (this.idempotent.size > 10_000) this.idempotent.delete(this.idempotent.keys().next().value as string);
      const device = (json as { deviceId?: unknown } | null)?.deviceId;
      this.idempotent.set(idemKey, { requestHash: hash, call, deviceId: typeof device === 'string' ? device : null, ...answer });
    }
    return answer;
  }

  /**
   * What was recorded for an idempotency key (issue 11): the stored answer, replayed with its
   * status, so a device whose answer was lost learns the truth before telling the patient. Only
   * the device that sent the request may ask.
   */
  private lookupRecorded(call: string, idemKey: string, deviceId: string | null): { status: number; body: unknown } {
    const stored = this.idempotent.get(idemKey);
    if (!stored || stored.call !== call || stored.deviceId !== deviceId) {
      throw new HttpProblem(404, 'request-unknown', 'nothing was recorded for that idempotency key from this device');
    }
    return { status: stored.status, body: stored.body };
  }

  /** One reception as the national result document (what a reception computer already reads). */
  private receptionXml(seq: number): string {
    const e = this.receptions.get(seq);
    if (!e) throw new HttpProblem(404, 'reception-unknown', 'no reception with that number');
    const doc = resultDocumentFromReception(e);
    if (!doc) throw new HttpProblem(404, 'not-found', 'this reception has no result document (refused before a qualification was looked up)');
    return resultDocumentToXml(doc);
  }

  private checkFacility(code: string): void {
    if (code !== this.facilityCode) throw new HttpProblem(400, 'bad-request', 'facility code is not this backend’s facility');
  }

  /** Verifies the user-auth certificate against the test JPKI CA and finds its holder. */
  private holderOf(certB64: string): { cert: X509Certificate; person: InsuredPerson; name: PersonaName } {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(certB64, 'base64'));
    } catch {
      throw new HttpProblem(400, 'bad-request', 'user-authentication certificate is not DER');
    }
    if (!cert.checkIssued(this.jpkiCa) || !cert.verify(this.jpkiCa.publicKey)) {
      throw new HttpProblem(403, 'certificate-unknown-issuer', 'certificate not issued by the JPKI user-authentication CA');
    }
    const name = this.holderBySerial.get(cert.serialNumber.toUpperCase());
    const person = name ? this.persons.get(name) : undefined;
    if (!name || !person) throw new HttpProblem(403, 'certificate-unknown-issuer', 'certificate unknown to this backend');
    // Byte-for-byte the certificate issued today (credentials are deterministic per Japanese day).
    if (!this.credentials.persona(name).userAuthCertificate.equals(cert.raw)) {
      throw new HttpProblem(403, 'certificate-unknown-issuer', 'certificate does not match the issued one');
    }
    return { cert, person, name };
  }

  private checkNonce(nonce: string, deviceId: string): void {
    const problem = this.nonces.consume(nonce, deviceId);
    if (problem) throw new HttpProblem(409, `nonce-${problem}`, `nonce ${problem}`);
  }

  private verifyProof(proof: Proof, deviceId: string, cert: X509Certificate, name: PersonaName, devicePeerDer: Buffer): void {
    // Every proof names the certificate it was made for (issue 11): a proof (or a staff check)
    // from one patient's session can never confirm another patient's certificate.
    if (proof.method !== 'face' && proof.certificateSerial.toUpperCase() !== cert.serialNumber.toUpperCase()) {
      throw new HttpProblem(403, 'proof-invalid', 'proof made for another certificate');
    }
    switch (proof.method) {
      case 'pin':
      case 'smartphone': {
        this.checkNonce(proof.nonce, deviceId);
        const carrier = findPersona(name)?.carrier;
        if (proof.method === 'smartphone' ? carrier !== proof.platform : carrier !== 'card') {
          throw new HttpProblem(403, 'proof-invalid', 'credential carrier does not match the method');
        }
        // The card's PKCS#1 v1.5 SHA-256 signature over the nonce bytes, by the user-auth key.
        const ok = cryptoVerify('sha256', Buffer.from(proof.nonce, 'base64'), cert.publicKey, Buffer.from(proof.signature, 'base64'));
        if (!ok) throw new HttpProblem(403, 'proof-invalid', 'signature does not verify');
        return;
      }
      case 'face': {
        let statementJson: unknown;
        try {
          statementJson = JSON.parse(proof.statement);
        } catch {
          throw new HttpProblem(400, 'bad-request', 'face statement is not JSON');
        }
        const st = parseOr400(faceStatementSchema, statementJson);
        const deviceKey = createPublicKey(new X509Certificate(devicePeerDer).publicKey.export({ type: 'spki', format: 'pem' }));
        if (!cryptoVerify('sha256', Buffer.from(proof.statement, 'utf8'), deviceKey, Buffer.from(proof.signature, 'base64'))) {
          throw new HttpProblem(403, 'proof-invalid', 'face statement not signed by this device');
        }
        if (st.deviceId !== deviceId) throw new HttpProblem(403, 'proof-invalid', 'face statement from another device');
        if (st.certificateSerial.toUpperCase() !== cert.serialNumber.toUpperCase()) {
          throw new HttpProblem(403, 'proof-invalid', 'face statement for another certificate');
        }
        this.checkNonce(st.nonce, deviceId);
        if (!st.liveness.passed || st.score < this.minFaceScore) throw new HttpProblem(403, 'proof-invalid', 'face statement below threshold');
        return;
      }
      case 'visual':
        return;
    }
  }

  private certificateStatus(cert: X509Certificate, person: InsuredPerson): CertificateStatus {
    const s = statusForExpiry(new Date(cert.validTo), this.now());
    const usability: CertificateStatus['usability'] = person.revoked
      ? 'revoked'
      : ({ valid: 'usable', 'expiring-soon': 'expiring-soon', grace: 'grace-qualification-only', expired: 'past-grace', revoked: 'revoked' } as const)[s.status];
    return { revocation: person.revoked ? 'revoked' : 'good', notAfter: s.expiresOn, usability };
  }

  private confirm(r: ConfirmationRequest, peerDer: Buffer): { status: number; body: ConfirmationResponse } {
    this.checkFacility(r.facilityCode);
    const receivedAt = this.now().toISOString();
    const common = {
      facilityCode: r.facilityCode,
      deviceId: r.deviceId,
      identityMethod: r.proof.method,
      ...(r.proof.method === 'visual' ? { visualTrigger: r.proof.trigger } : {}),
      receivedAt,
    };
    let holder: ReturnType<BackendSimulator['holderOf']>;
    try {
      holder = this.holderOf(r.userAuthCertificate);
      this.verifyProof(r.proof, r.deviceId, holder.cert, holder.name, peerDer);
    } catch (err) {
      if (err instanceof HttpProblem && err.status !== 400) {
        this.receptions.append({ ...common, status: 'refused', notices: [], error: err.code });
      }
      throw err;
    }
    const { cert, person, name } = holder;
    const certificate = this.certificateStatus(cert, person);
    const notices: Notice[] = [];
    if (certificate.usability === 'expiring-soon') notices.push('certificate-expiring-soon');
    if (certificate.usability === 'grace-qualification-only') notices.push('certificate-grace-qualification-only');

    const finish = (entry: Omit<ReceptionEntry, 'seq' | keyof typeof common | 'notices'>, response: Record<string, unknown>) => {
      const stored = this.receptions.append({ ...common, ...entry, notices });
      if (entry.status === 'qualified') this.personaBySeq.set(stored.seq, name);
      const body = {
        protocolVersion: PROTOCOL_VERSION,
        receptionSeq: stored.seq,
        receivedAt,
        identityMethod: r.proof.method,
        certificate,
        notices,
        ...response,
      } as ConfirmationResponse;
      return { status: 200, body };
    };

    // Revocation overrides the dates (SPEC §4); past grace is not usable either.
    if (certificate.usability === 'revoked' || certificate.usability === 'past-grace') {
      const fallback = fallbackFor(certificate.usability === 'revoked' ? 'certificate-revoked' : 'certificate-past-grace');
      return finish({ status: 'certificate-refused', fallback }, { status: 'certificate-refused', fallback });
    }
    if (!person.registeredForInsurance) {
      notices.push('not-registered-for-insurance');
      const fallback = fallbackFor('not-registered-for-insurance');
      return finish({ status: 'no-record', fallback }, { status: 'no-record', fallback });
    }
    if (person.outcome === 'no-record' || (person.outcome === 'qualified' && !person.qualification)) {
      const fallback = fallbackFor('no-qualification-record');
      return finish({ status: 'no-record', fallback }, { status: 'no-record', fallback });
    }
    if (person.outcome === 'invalid') {
      const fallback = fallbackFor('qualification-invalid');
      const lost = person.lost ?? { qualification: structuredClone(person.qualification!), reasonOfLoss: 'other' as const };
      return finish({ status: 'invalid', lostQualification: lost, fallback }, { status: 'invalid', lostQualification: lost, fallback });
    }
    const qualification = structuredClone(person.qualification!);
    // 特定疾病 only when confirmed with the card (SPEC §6.6).
    if (r.proof.method === 'smartphone') qualification.specifiedDiseases = [];
    if (r.consents && !r.consents.limitInfo) delete qualification.limitCategory;
    const consentAllowed = r.confirmationKind !== 'qualification-only' && certificate.usability !== 'grace-qualification-only';
    // What was on record before this visit (consent inheritance shows the earlier state).
    const previousConsents = structuredClone([person.previousVisitConsent, person.mynaportalConsent].filter((c) => c !== undefined));
    let consentsRecorded: Consents | undefined;
    if (r.consents && consentAllowed) consentsRecorded = this.recordConsents(person, r.consents, receivedAt);
    else if (r.consents && (r.consents.mode !== 'not-asked' || hasAnyConsent(r.consents))) notices.push('consents-not-recorded');
    const referralLetters = consentAllowed
      ? person.referralLetters
          .filter((l) => l.to === 'self' || l.to === this.facilityCode)
          .map(({ to: _to, ...letter }) => letter)
      : [];
    return finish(
      { status: 'qualified', qualification, ...(consentsRecorded ? { consents: consentsRecorded } : {}) },
      {
        status: 'qualified',
        qualification,
        previousConsents,
        referralLetters,
        ...(consentsRecorded ? { consentsRecorded } : {}),
      },
    );
  }

  /** Records consents: they become this facility's "previous consent"; consented letters are not shown again (SPEC §6.4). */
  private recordConsents(person: InsuredPerson, consents: Consents, at: string): Consents {
    const { referralLetterIds, ...given } = consents.given;
    person.previousVisitConsent = { source: 'previous-visit', at, given };
    const consented = new Set(referralLetterIds);
    person.referralLetters = person.referralLetters.filter((l) => !consented.has(l.id));
    return structuredClone(consents);
  }

  private registerConsents(json: unknown): { status: number; body: unknown } {
    const r = parseOr400(consentRegistrationSchema, json);
    this.checkFacility(r.facilityCode);
    const entry = this.receptions.get(r.receptionSeq);
    if (!entry || entry.deviceId !== r.deviceId || entry.status !== 'qualified' || !entry.qualification) {
      throw new HttpProblem(404, 'reception-unknown', 'no qualified reception with that number from this device');
    }
    if (entry.notices.includes('certificate-grace-qualification-only')) {
      throw new HttpProblem(400, 'bad-request', 'certificate in grace period: qualification only, no consent');
    }
    const holder = this.personaBySeq.get(entry.seq);
    const person = holder ? this.persons.get(holder) : undefined;
    const recordedAt = this.now().toISOString();
    const recorded = person ? this.recordConsents(person, r.consents, recordedAt) : structuredClone(r.consents);
    entry.consents = recorded;
    return { status: 200, body: { receptionSeq: entry.seq, recordedAt, consentsRecorded: recorded } };
  }

  private registerInsuranceUse(json: unknown): { status: number; body: unknown } {
    const r = parseOr400(insuranceUseRegistrationSchema, json);
    this.checkFacility(r.facilityCode);
    const { cert, person, name } = this.holderOf(r.userAuthCertificate);
    this.verifyProof(r.proof, r.deviceId, cert, name, Buffer.alloc(0));
    const alreadyRegistered = person.registeredForInsurance;
    person.registeredForInsurance = true;
    return { status: 201, body: { registered: true, alreadyRegistered, registeredAt: this.now().toISOString() } };
  }
}

// ---------------------------------------------------------------------------------------------

function hasAnyConsent(c: Consents): boolean {
  const g = c.given;
  return g.surgeryDiagnosisInfection || g.clinicalAndMedication || g.medicationOnly || g.healthCheckups || g.referralLetterIds.length > 0;
}

/** SPEC §8: the staff steps in order and the claim route to try first. */
export function fallbackFor(cause: Fallback['cause']): Fallback {
  return {
    cause,
    steps: ['mynaportal-or-notice-sheet-with-card', 'past-visit-records', 'insured-status-self-declaration'],
    claimRoute: cause === 'qualification-invalid' ? 'B' : 'A',
  };
}

function parseOr400<T extends z.ZodType>(schema: T, json: unknown): z.infer<T> {
  const r = schema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new HttpProblem(400, 'bad-request', `request invalid at ${issuePathOf(first?.path ?? [])} (${first?.code ?? 'invalid'})`);
  }
  return r.data;
}

/** Breaks one required field so the answer fails the client's schema (fault `schema-violation`). */
function violateSchema(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return { unexpected: true };
  const copy = structuredClone(body) as Record<string, unknown>;
  const q = copy.qualification as Record<string, unknown> | undefined;
  if (q) q.insurerNumber = 12345; // a number where the protocol says a digit string
  else if ('status' in copy) copy.status = 'maybe';
  else copy.unexpectedField = 'not in the protocol';
  return copy;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpProblem(413, 'bad-request', 'body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendText(res: ServerResponse, status: number, text: string, contentType = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

async function dripJson(res: ServerResponse, status: number, text: string, bytes: number, intervalMs: number): Promise<void> {
  const buf = Buffer.from(text, 'utf8');
  res.on('error', () => undefined); // the client gave up: expected, nothing to do
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': buf.length, connection: 'close' });
  for (let i = 0; i < buf.length; i += bytes) {
    if (res.destroyed || !res.socket || res.socket.destroyed) return;
    res.write(buf.subarray(i, i + bytes));
    await sleep(intervalMs);
  }
  res.end();
}

function resetSocket(req: IncomingMessage): void {
  const s = req.socket as net.Socket & { resetAndDestroy?: () => void };
  try {
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else s.destroy();
  } catch {
    s.destroy();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
