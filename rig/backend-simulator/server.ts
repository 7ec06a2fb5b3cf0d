/**
 * The eligibility-backend simulator (issue 3 §3): serves the protocol of protocol.ts over HTTPS
 * with mutual TLS on loopback, with its own facility CA, the persona holders of the rig's test
 * JPKI (credentials.ts: same certificates as the card emulator, no setup), fault injection per
 * request, and the in-memory reception record of SPEC §7.
 *
 * Three layers (issue 12 item 3): this file is the transport (TLS, admin port, bodies, faults);
 * eligibility.ts the domain (what the backend answers and records); holder-check.ts the policy
 * (certificate holder, proof of holdership, certificate status).
 *
 * TLS: a plain TCP listener hands each connection either to the real TLS server or, when a
 * `tls-failure` fault is armed, to a TLS server whose certificate comes from a CA the client does
 * not pin. Client certificates are required (no certificate → handshake refused).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../src/log/logger';
import { issuePathOf } from '../../src/backend/protocol';
import type { PersonaName } from '../personas/catalogue';
import { loadRigCredentials, type RigCredentials } from '../personas/credentials';
import { FaultController, type Fault, type FaultRuleInput } from './faults';
import { generateFacilityPki, type FacilityPki } from './facility-pki';
import { HttpProblem, problemAnswer, type SimAnswer } from './http-problem';
import type { InsuredPerson } from './insured-persons';
import { SimulatedEligibility } from './eligibility';
import type { ReceptionRecord } from './reception-record';


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

const MAX_BODY = 256 * 1024;

export class BackendSimulator {
  readonly faults = new FaultController();
  private readonly eligibility: SimulatedEligibility;
  private readonly log: Logger;
  private front?: net.Server;
  private admin?: http.Server;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;
  private adminPortNumber: number | undefined;

  private constructor(
    readonly pki: FacilityPki,
    credentials: RigCredentials,
    private readonly tlsServer: https.Server,
    private readonly rogueServer: https.Server,
    options: BackendSimulatorOptions,
  ) {
    this.log = options.logger ?? silentLogger;
    this.eligibility = new SimulatedEligibility({
      credentials,
      facilityCode: options.facilityCode ?? DEFAULT_FACILITY_CODE,
      nonceTtlMs: options.nonceTtlMs ?? 60_000,
      minFaceScore: options.minFaceScore ?? 0.5,
      now: options.now ?? (() => new Date()),
    });
    this.faults.latencyMs = options.latencyMs ?? 0;
    for (const f of options.faults ?? []) this.faults.inject(f);
  }

  /** The reception record of SPEC §7. */
  get receptions(): ReceptionRecord {
    return this.eligibility.receptions;
  }

  get persons(): Map<PersonaName, InsuredPerson> {
    return this.eligibility.persons;
  }

  get facilityCode(): string {
    return this.eligibility.facilityCode;
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
      let answer: SimAnswer;
      try {
        const peer = (req.socket as TLSSocket).getPeerCertificate(false);
        if (!peer || !peer.raw) throw new HttpProblem(403, 'bad-request', 'client certificate required');
        answer = this.eligibility.answer({ method: req.method ?? 'GET', url, body, peerCertificateDer: peer.raw });
      } catch (err) {
        if (!(err instanceof HttpProblem)) throw err;
        answer = problemAnswer(err);
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
