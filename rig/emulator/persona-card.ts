/**
 * A persona's virtual card: the JPKI application loaded with the persona's rig credentials and
 * PIN state (SPEC §5, issue 2 §2), plus whatever other applications the caller adds (the 券面
 * applications are built asynchronously elsewhere and passed in as `extraApplications`).
 */
import { findPersona, DEFAULT_PIN, type PersonaName } from '../personas/catalogue';
import type { RigCredentials } from '../personas/credentials';
import type { CardApplication } from './card-application';
import { EmulatedCard, MY_NUMBER_CARD_ATR, contactlessTypeBAtr, type CardFaults } from './card';
import { JpkiApplication } from './apps/jpki-ap';
import type { Logger } from '../../src/log/logger';

/** The signature password (署名用パスワード) of every persona card: test value, 6–16 A–Z0–9. */
export const DEFAULT_SIGNATURE_PASSWORD = 'FCRTEST1';

export class UnknownPersonaCardError extends Error {
  constructor(readonly persona: string) {
    super(`no persona named ${persona}`);
    this.name = 'UnknownPersonaCardError';
  }
}

export class InvalidPinFormatError extends Error {
  constructor() {
    super('the user-authentication PIN must be exactly 4 digits');
    this.name = 'InvalidPinFormatError';
  }
}

export interface CreatePersonaCardOptions {
  persona: PersonaName;
  credentials: RigCredentials;
  /** User-auth PIN (4 digits); default `DEFAULT_PIN`. Ignored for a persona with no PIN set. */
  pin?: string;
  faults?: CardFaults;
  extraApplications?: CardApplication[];
  logger?: Logger;
}

/** ATQB application data + protocol info a phone presents (fixed test values, not a real phone). */
const PHONE_HISTORICAL = Buffer.from('0000000000718100', 'hex');

export function createPersonaCard(o: CreatePersonaCardOptions): EmulatedCard {
  const persona = findPersona(o.persona);
  if (!persona) throw new UnknownPersonaCardError(o.persona);
  const pin = o.pin ?? DEFAULT_PIN;
  if (!/^\d{4}$/.test(pin)) throw new InvalidPinFormatError();
  const creds = o.credentials.persona(persona.name);
  const jpki = new JpkiApplication({
    token: persona.carrier,
    userAuthCertificate: creds.userAuthCertificate,
    userAuthCaCertificate: o.credentials.jpkiUserAuthCaCertificate,
    userAuthKey: creds.userAuthKey,
    signatureCertificate: creds.signatureCertificate,
    signatureCaCertificate: o.credentials.jpkiSignatureCaCertificate,
    signatureKey: creds.signatureKey,
    userAuthPin: persona.pinSet ? pin : undefined,
    userAuthPinTries: persona.pinTriesLeft,
    signaturePin: DEFAULT_SIGNATURE_PASSWORD,
    userAuthUnlockedByHolder: persona.carrier === 'iphone',
  });
  return new EmulatedCard({
    // A phone is read over NFC: the reader synthesises a contactless ATR (OpenSC then finds the
    // JPKI application by selecting its AID instead of by ATR).
    atr: persona.carrier === 'card' ? MY_NUMBER_CARD_ATR : contactlessTypeBAtr(PHONE_HISTORICAL),
    applications: [jpki, ...(o.extraApplications ?? [])],
    faults: o.faults,
    logger: o.logger,
    label: persona.name,
  });
}
