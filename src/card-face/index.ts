/**
 * The card-face path (SPEC §5.1, issue 7): card-face image → confident 照合番号B → VERIFY →
 * authenticated, decoded photo for face matching. Layers: `ocr` (image → digits, no card; policy over
 * `printed-fields` (domain), `ocr-image` (pixels) and `ocr-engine` (tesseract)),
 * `card-face-session` (APDUs, counter protection, signature and chip checks), `card-crypto` /
 * `card-face-record` / `tlv` / `jpeg2000` (formats, no I/O).
 */
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import type { FacilityConfig } from '../config';
import type { ApduLink, CardChannel } from '../iso7816';
import { CardFaceSession, type CardFaceSessionOptions, type CardFaceTrustAnchor, type AuthenticatedCardFace } from './card-face-session';
import type { CardFaceReader } from './ocr';

export { CardFaceReader, PRESENT_CONFIDENCE, type CardFaceScan, type ScanFailure } from './ocr';
export {
  CardFaceSession,
  CardFaceRefusedError,
  REFUSAL_DESCRIPTIONS,
  MIN_TRIES_TO_PRESENT,
  MAX_PRESENTATIONS,
  type CardFaceRefusal,
  type CardFaceTrustAnchor,
  type CardFaceSessionOptions,
  type AuthenticatedCardFace,
} from './card-face-session';

/** The issuer trust anchors the configuration names (SPEC §5.1); never test anchors. */
export function trustAnchorsFrom(config: Pick<FacilityConfig, 'cardFace'>): CardFaceTrustAnchor[] {
  return config.cardFace.trustAnchors.map((a) => ({
    label: a.label,
    keyId: Buffer.from(a.keyId, 'hex'),
    publicKey: createPublicKey(readFileSync(a.publicKeyFile, 'utf8')),
    test: false,
  }));
}

export interface CardFaceReadSummary {
  dataVerified: boolean;
  cardPresent: boolean;
  issuer: string;
  photo: { format: 'jpeg2000'; width: number; height: number };
  codeBTriesLeft: number;
  apdus: number;
  ms: number;
  /** The scan's confidence and time (never its digits). */
  scan: { confidence: number; ms: number };
}

/**
 * What `fcr card read --card-face FILE` adds to its output: scan the image, then unlock and
 * authenticate on the card in `channel`. Throws `CardFaceRefusedError` (with its reason) or a
 * card error; the photo is wiped before returning (only its format and size are reported).
 */
export async function readCardFaceSummary(
  channel: CardChannel | ApduLink,
  image: Buffer,
  reader: CardFaceReader,
  options: CardFaceSessionOptions,
): Promise<CardFaceReadSummary> {
  const scan = await reader.scan(image);
  const session = new CardFaceSession(channel, options);
  let face: AuthenticatedCardFace;
  try {
    face = await session.unlockWithScan(scan);
  } finally {
    image.fill(0);
  }
  const summary: CardFaceReadSummary = {
    dataVerified: true,
    cardPresent: true,
    issuer: face.issuer,
    photo: { format: face.photoFormat, width: face.photo.width, height: face.photo.height },
    codeBTriesLeft: face.codeBTriesLeft,
    apdus: face.apdus,
    ms: face.ms,
    scan: { confidence: scan.confidence, ms: scan.ms },
  };
  session.wipe();
  return summary;
}
