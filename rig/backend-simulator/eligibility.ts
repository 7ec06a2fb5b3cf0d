/**
 * The simulator's domain (issue 12 item 3): the eligibility backend's answers — nonces,
 * certificate checks, confirmations with the reception record of SPEC §7, consents, insurance-use
 * registration, idempotent replays and lookups (issue 11). No sockets and no faults: the
 * transport (server.ts) feeds it plain requests and applies faults to its answers.
 */
import { createHash, X509Certificate } from 'node:crypto';
import {
  certificateCheckRequestSchema,
  confirmationRequestSchema,
  consentRegistrationSchema,
  insuranceUseRegistrationSchema,
  nonceRequestSchema,
  PROTOCOL_VERSION,
  type ConfirmationRequest,
  type ConfirmationResponse,
  type Consents,
  type Notice,
  type ReceptionEntry,
} from '../../src/backend/protocol';
import { receptionResultDocument } from './result-document';
import type { PersonaName } from '../personas/catalogue';
import type { RigCredentials } from '../personas/credentials';
import { HolderCheck } from './holder-check';
import { HttpProblem, parseOr400, problemAnswer, type SimAnswer } from './http-problem';
import { insuredPersons, type InsuredPerson } from './insured-persons';
import { NonceStore } from './nonce-store';
import { ReceptionRecord } from './reception-record';

/** One request as the transport hands it over (TLS already done, client certificate required). */
export interface SimRequest {
  method: string;
  url: URL;
  body: Buffer;
  /** The client certificate (DER) of the TLS connection. */
  peerCertificateDer: Buffer;
}

export interface EligibilityOptions {
  credentials: RigCredentials;
  facilityCode: string;
  nonceTtlMs: number;
  minFaceScore: number;
  now: () => Date;
}

interface StoredAnswer {
  requestHash: string;
  /** `POST /v1/confirmations` …: a lookup only finds keys of its own kind. */
  call: string;
  deviceId: string | null;
  status: number;
  body: unknown;
}

export class SimulatedEligibility {
  readonly receptions = new ReceptionRecord();
  readonly persons: Map<PersonaName, InsuredPerson> = insuredPersons();
  readonly facilityCode: string;
  private readonly idempotent = new Map<string, StoredAnswer>();
  /** Which holder each qualified reception belongs to (for consents registered afterwards). */
  private readonly personaBySeq = new Map<number, PersonaName>();
  private readonly check: HolderCheck;
  private readonly nonces: NonceStore;
  private readonly now: () => Date;

  constructor(o: EligibilityOptions) {
    this.facilityCode = o.facilityCode;
    this.now = o.now;
    this.nonces = new NonceStore(o.nonceTtlMs, () => this.now().getTime());
    const holderBySerial = new Map<string, PersonaName>();
    for (const name of this.persons.keys()) holderBySerial.set(o.credentials.persona(name).userAuthSerial.toUpperCase(), name);
    this.check = new HolderCheck({
      jpkiCa: new X509Certificate(o.credentials.jpkiUserAuthCaCertificate),
      credentials: o.credentials,
      persons: this.persons,
      holderBySerial,
      nonces: this.nonces,
      minFaceScore: o.minFaceScore,
      now: o.now,
    });
  }

  /** Answers one request of the protocol (src/backend/protocol.ts); throws HttpProblem to refuse. */
  answer(req: SimRequest): SimAnswer {
    const { url, body } = req;
    const peer = { raw: req.peerCertificateDer };
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
        const { cert, person } = this.check.holderOf(r.userAuthCertificate);
        return { status: 200, body: { certificate: this.check.certificateStatus(cert, person), insuranceUseRegistered: person.registeredForInsurance } };
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
    let answer: SimAnswer;
    try {
      answer = handler(json);
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err;
      answer = problemAnswer(err);
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
    // The rig's own writer of the public layout, not the device's encoder (result-document.ts).
    const xml = receptionResultDocument(e);
    if (xml === undefined) throw new HttpProblem(404, 'not-found', 'this reception has no result document (refused before a qualification was looked up)');
    return xml;
  }

  private checkFacility(code: string): void {
    if (code !== this.facilityCode) throw new HttpProblem(400, 'bad-request', 'facility code is not this backend’s facility');
  }

  private confirm(r: ConfirmationRequest, peerDer: Buffer): { status: number; body: ConfirmationResponse } {
    this.checkFacility(r.facilityCode);
    const receivedAt = this.now().toISOString();
    const common = {
      facilityCode: r.facilityCode,
      deviceId: r.deviceId,
      identityMethod: r.proof.method,
      ...(r.proof.method === 'visual' ? { visualTrigger: r.proof.trigger } : {}),
      ...(r.confirmationKind === 'home-consent' ? { confirmationKind: r.confirmationKind } : {}),
      receivedAt,
    };
    let holder: ReturnType<HolderCheck['holderOf']>;
    try {
      holder = this.check.holderOf(r.userAuthCertificate);
      this.check.verifyProof(r.proof, r.deviceId, holder.cert, holder.name, peerDer);
    } catch (err) {
      if (err instanceof HttpProblem && err.status !== 400) {
        this.receptions.append({ ...common, status: 'refused', notices: [], error: err.code });
      }
      throw err;
    }
    const { cert, person, name } = holder;
    const certificate = this.check.certificateStatus(cert, person);
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
      return finish({ status: 'certificate-refused' }, { status: 'certificate-refused' });
    }
    if (!person.registeredForInsurance) {
      notices.push('not-registered-for-insurance');
      return finish({ status: 'no-record' }, { status: 'no-record' });
    }
    if (person.outcome === 'no-record' || (person.outcome === 'qualified' && !person.qualification)) {
      return finish({ status: 'no-record' }, { status: 'no-record' });
    }
    if (person.outcome === 'invalid') {
      const lost = person.lost ?? { qualification: structuredClone(person.qualification!), reasonOfLoss: 'other' as const };
      return finish({ status: 'invalid', lostQualification: lost }, { status: 'invalid', lostQualification: lost });
    }
    const qualification = structuredClone(person.qualification!);
    // 特定疾病 is released for マイナ保険証 — the card or a smartphone carrying its certificate (seed 001
    // スマートフォンでのマイナ保険証; seed 002 p.3: with マイナ保険証 the 特定疾病療養受療証 need not be shown).
    // The seed's contrast is the paper 資格確認書 / 保険証, which this device never reads (issue 16 item 8).
    if (r.consents && !r.consents.limitInfo) delete qualification.limitCategory;
    const consentAllowed = r.confirmationKind !== 'qualification-only' && certificate.usability !== 'grace-qualification-only';
    // What was on record before this visit (consent inheritance shows the earlier state).
    const previousConsents = structuredClone([person.previousVisitConsent, person.mynaportalConsent].filter((c) => c !== undefined));
    let consentsRecorded: Consents | undefined;
    if (r.consents && consentAllowed) consentsRecorded = this.recordConsents(person, r.consents, receivedAt);
    else if (r.consents && (r.consents.mode !== 'not-asked' || hasAnyConsent(r.consents))) notices.push('consents-not-recorded');
    // Seed 001: 居宅同意取得型 — 診療/薬剤情報等の照会可能期間は、診療日の翌日まで.
    const viewable = r.confirmationKind === 'home-consent' && consentsRecorded ? { medicalInfoViewableUntil: dayAfterInJapan(receivedAt) } : {};
    const referralLetters = consentAllowed
      ? person.referralLetters
          .filter((l) => l.to === 'self' || l.to === this.facilityCode)
          .map(({ to: _to, ...letter }) => letter)
      : [];
    return finish(
      { status: 'qualified', qualification, ...(consentsRecorded ? { consents: consentsRecorded } : {}), ...viewable },
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
    const { cert, person, name } = this.check.holderOf(r.userAuthCertificate);
    this.check.verifyProof(r.proof, r.deviceId, cert, name, Buffer.alloc(0));
    const alreadyRegistered = person.registeredForInsurance;
    person.registeredForInsurance = true;
    return { status: 201, body: { registered: true, alreadyRegistered, registeredAt: this.now().toISOString() } };
  }
}

/** The Japan calendar day after the instant `iso` (the consultation day), as YYYY-MM-DD. */
function dayAfterInJapan(iso: string): string {
  const japan = new Date(Date.parse(iso) + 9 * 3_600_000);
  japan.setUTCDate(japan.getUTCDate() + 1);
  return japan.toISOString().slice(0, 10);
}

function hasAnyConsent(c: Consents): boolean {
  const g = c.given;
  return g.surgeryDiagnosisInfection || g.clinicalAndMedication || g.medicationOnly || g.healthCheckups || g.referralLetterIds.length > 0;
}

