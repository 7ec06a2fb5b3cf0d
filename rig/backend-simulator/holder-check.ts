/**
 * The simulator's policy (issue 12 item 3): who holds a certificate, whether a proof of
 * holdership is valid for it, and what the certificate's status is. No HTTP, no reception record.
 */
import { createPublicKey, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { faceStatementSchema, type CertificateStatus, type Proof } from '../../src/backend/protocol';
import { findPersona, type PersonaName } from '../personas/catalogue';
import type { RigCredentials } from '../personas/credentials';
import { HttpProblem, parseOr400 } from './http-problem';
import type { InsuredPerson } from './insured-persons';
import type { NonceStore } from './nonce-store';
import { judgeCertificateDates } from './certificate-usability';

export interface HolderCheckOptions {
  jpkiCa: X509Certificate;
  credentials: RigCredentials;
  persons: Map<PersonaName, InsuredPerson>;
  holderBySerial: Map<string, PersonaName>;
  nonces: NonceStore;
  /** Minimum face score the backend accepts in a device statement. */
  minFaceScore: number;
  now: () => Date;
}

export class HolderCheck {
  constructor(private readonly o: HolderCheckOptions) {}

  /** Verifies the user-auth certificate against the test JPKI CA and finds its holder. */
  holderOf(certB64: string): { cert: X509Certificate; person: InsuredPerson; name: PersonaName } {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(certB64, 'base64'));
    } catch {
      throw new HttpProblem(400, 'bad-request', 'user-authentication certificate is not DER');
    }
    if (!cert.checkIssued(this.o.jpkiCa) || !cert.verify(this.o.jpkiCa.publicKey)) {
      throw new HttpProblem(403, 'certificate-unknown-issuer', 'certificate not issued by the JPKI user-authentication CA');
    }
    const name = this.o.holderBySerial.get(cert.serialNumber.toUpperCase());
    const person = name ? this.o.persons.get(name) : undefined;
    if (!name || !person) throw new HttpProblem(403, 'certificate-unknown-issuer', 'certificate unknown to this backend');
    // Byte-for-byte the certificate issued today (credentials are deterministic per Japanese day).
    if (!this.o.credentials.persona(name).userAuthCertificate.equals(cert.raw)) {
      throw new HttpProblem(403, 'certificate-unknown-issuer', 'certificate does not match the issued one');
    }
    return { cert, person, name };
  }

  checkNonce(nonce: string, deviceId: string): void {
    const problem = this.o.nonces.consume(nonce, deviceId);
    if (problem) throw new HttpProblem(409, `nonce-${problem}`, `nonce ${problem}`);
  }

  verifyProof(proof: Proof, deviceId: string, cert: X509Certificate, name: PersonaName, devicePeerDer: Buffer): void {
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
        if (!st.liveness.passed || st.score < this.o.minFaceScore) throw new HttpProblem(403, 'proof-invalid', 'face statement below threshold');
        return;
      }
      case 'visual':
        return;
    }
  }

  certificateStatus(cert: X509Certificate, person: InsuredPerson): CertificateStatus {
    // The simulator's own reading of SPEC §4, not the device's (see certificate-usability.ts).
    const j = judgeCertificateDates(new Date(cert.validTo), this.o.now());
    const usability: CertificateStatus['usability'] = person.revoked ? 'revoked' : j.usability;
    return { revocation: person.revoked ? 'revoked' : 'good', notAfter: j.expiresOn, usability };
  }
}
