/**
 * What one patient's session holds between effects, in RAM only: the user-authentication
 * certificate read from the card or phone and the proof of holdership the card produced. The card
 * adapter fills it, the backend adapter reads it, and `wipe()` zeroes the buffers when the card is
 * removed or the session times out (SPEC §5 last paragraph).
 */
import type { ReaderSlot } from '../../session/events';
import type { Secret } from '../../log/secret';

export interface HoldershipProof {
  nonce: Buffer;
  signature: Buffer;
}

export class SessionMemory {
  slot: ReaderSlot | null = null;
  certificate: Buffer | null = null;
  /** A Secret: the serial identifies the holder's certificate (issue 11 item 9). */
  certificateSerial: Secret<string> | null = null;
  proof: HoldershipProof | null = null;
  /**
   * A second proof for 健康保険証利用の申込み (seed 003) when the card is not registered yet: nonces
   * are single-use, and the card's key is unlocked only inside the PIN transaction, so the proof
   * for the registration is signed there too, in case the patient applies.
   */
  registrationProof: HoldershipProof | null = null;
  /** The certificate check said the card is not registered for insurance use. */
  unregistered = false;
  /** Face match figures for the device-signed statement (issue 3 §1). */
  faceMatch: { score: number; livenessScore: number } | null = null;
  /** Reception number of the confirmation, for registering consents afterwards. */
  receptionSeq: number | null = null;

  wipe(): void {
    this.certificate?.fill(0);
    this.proof?.nonce.fill(0);
    this.proof?.signature.fill(0);
    this.registrationProof?.nonce.fill(0);
    this.registrationProof?.signature.fill(0);
    this.registrationProof = null;
    this.unregistered = false;
    this.faceMatch = null;
    this.slot = null;
    this.certificate = null;
    this.certificateSerial = null;
    this.proof = null;
    this.receptionSeq = null;
  }
}
