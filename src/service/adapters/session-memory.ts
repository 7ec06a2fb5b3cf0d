/**
 * What one patient's session holds between effects, in RAM only (SPEC §5 last paragraph): the
 * user-authentication certificate read from the card or phone, the proofs of holdership, the face
 * match figures, the reception the backend recorded, and the card-face unlock state.
 *
 * One `SessionMemory` per card placement (issue 11): the service opens a new one every time a
 * session is wiped, and every async operation captures the memory of the session it was started
 * for *before* its first await. A late completion therefore writes into the memory of a session
 * that is already closed, where `hold…()` zeroes what it was given and keeps nothing: one
 * patient's certificate, proof or reception can never reach the next patient's session.
 */
import { randomBytes } from 'node:crypto';
import type { ReaderSlot } from '../../session/events';
import type { QualificationResult } from '../../session/events';
import type { ConfirmationResponse, Consents } from '../../backend/protocol';
import type { Secret } from '../../log/secret';

export interface HoldershipProof {
  nonce: Buffer;
  signature: Buffer;
}

export interface CardHeld {
  slot: ReaderSlot;
  certificate: Buffer;
  /**
   * Lower-case hex serial of `certificate`: every proof of this session is bound to it. A Secret:
   * the serial identifies the holder's certificate (issue 11 item 9), so it never stringifies.
   */
  certificateSerial: Secret<string>;
  /** The certificate check said the card is not registered for insurance use. */
  unregistered: boolean;
}

/** What the backend recorded for this session's confirmation (one reception per session). */
export interface ReceptionHeld {
  receptionSeq: number;
  result: QualificationResult;
  /** The backend's whole answer: the result document for the reception computer is made of it. */
  response?: ConfirmationResponse;
  /** The consents the backend recorded after the answer (kind ① screens). */
  consentsRecorded?: Consents;
}

/** Card-face unlock state of this session (SPEC §5.1: at most two 照合番号B presentations). */
export interface CardFaceState {
  enrolled: boolean;
  presentations: number;
  /** The card or its data was refused: never retried against the card this session. */
  refused: boolean;
}

let nextId = 1;

export class SessionMemory {
  readonly id = nextId++;
  /**
   * Idempotency key of this session's confirmation: every retry and the lookup after a lost answer
   * use it, so the backend records at most one reception for the session (issue 11).
   */
  readonly confirmationKey = randomBytes(18).toString('base64url');
  /** Idempotency key of this session's consent registration. */
  readonly consentKey = randomBytes(18).toString('base64url');
  private closedFlag = false;
  private cardHeld: CardHeld | null = null;
  private proofHeld: HoldershipProof | null = null;
  private registrationProofHeld: HoldershipProof | null = null;
  private faceMatchHeld: { score: number; livenessScore: number } | null = null;
  private receptionHeld: ReceptionHeld | null = null;
  readonly cardFace: CardFaceState = { enrolled: false, presentations: 0, refused: false };

  get closed(): boolean {
    return this.closedFlag;
  }
  get card(): Readonly<CardHeld> | null {
    return this.cardHeld;
  }
  get slot(): ReaderSlot | null {
    return this.cardHeld?.slot ?? null;
  }
  get certificate(): Buffer | null {
    return this.cardHeld?.certificate ?? null;
  }
  get certificateSerial(): Secret<string> | null {
    return this.cardHeld?.certificateSerial ?? null;
  }
  get unregistered(): boolean {
    return this.cardHeld?.unregistered ?? false;
  }
  get proof(): HoldershipProof | null {
    return this.proofHeld;
  }
  /**
   * A second proof for 健康保険証利用の申込み (seed 003) when the card is not registered yet: nonces
   * are single-use, and the card's key is unlocked only inside the PIN transaction, so the proof
   * for the registration is signed there too, in case the patient applies.
   */
  get registrationProof(): HoldershipProof | null {
    return this.registrationProofHeld;
  }
  get faceMatch(): { score: number; livenessScore: number } | null {
    return this.faceMatchHeld;
  }
  get reception(): ReceptionHeld | null {
    return this.receptionHeld;
  }

  /** Each `hold…` returns false (and zeroes the buffers it was given) once the session is closed. */
  holdCard(card: CardHeld): boolean {
    if (this.closedFlag) return zero(card.certificate);
    this.cardHeld?.certificate.fill(0);
    this.cardHeld = card;
    return true;
  }

  holdProof(proof: HoldershipProof): boolean {
    if (this.closedFlag) return zero(proof.nonce, proof.signature);
    this.proofHeld = proof;
    return true;
  }

  holdRegistrationProof(proof: HoldershipProof): boolean {
    if (this.closedFlag) return zero(proof.nonce, proof.signature);
    this.registrationProofHeld = proof;
    return true;
  }

  markRegistered(): void {
    if (this.cardHeld) this.cardHeld.unregistered = false;
  }

  holdFaceMatch(match: { score: number; livenessScore: number }): boolean {
    if (this.closedFlag) return false;
    this.faceMatchHeld = match;
    return true;
  }

  holdReception(reception: ReceptionHeld): boolean {
    if (this.closedFlag) return false;
    this.receptionHeld = reception;
    return true;
  }

  holdConsentsRecorded(consents: Consents): boolean {
    if (this.closedFlag || !this.receptionHeld) return false;
    this.receptionHeld.consentsRecorded = consents;
    return true;
  }

  /** Zeroes and drops everything, and refuses every later write (the session is over). */
  wipe(): void {
    this.closedFlag = true;
    this.cardHeld?.certificate.fill(0);
    zero(this.proofHeld?.nonce, this.proofHeld?.signature, this.registrationProofHeld?.nonce, this.registrationProofHeld?.signature);
    this.cardHeld = null;
    this.proofHeld = null;
    this.registrationProofHeld = null;
    this.faceMatchHeld = null;
    this.receptionHeld = null;
    this.cardFace.enrolled = false;
  }
}

function zero(...buffers: (Buffer | undefined)[]): false {
  for (const b of buffers) b?.fill(0);
  return false;
}

/**
 * The memory of the session that is current now. `current()` is what an operation captures when
 * it starts; `renew()` closes the current session (wiping it) and opens the next one.
 */
export class SessionMemories {
  private memory = new SessionMemory();

  current(): SessionMemory {
    return this.memory;
  }

  renew(): SessionMemory {
    this.memory.wipe();
    this.memory = new SessionMemory();
    return this.memory;
  }
}
