/**
 * The My Number card emulator (issue 2 §2): the card core, the JPKI application, persona cards
 * and the vpcd transport. See docs/card-emulator.md.
 */
export {
  EmulatedCard,
  CardMuteFault,
  CardNotPoweredError,
  CardWithdrawnFault,
  MY_NUMBER_CARD_ATR,
  contactlessTypeBAtr,
  type CardFaults,
  type EmulatedCardOptions,
} from './card';
export { createPersonaCard, DEFAULT_SIGNATURE_PASSWORD, InvalidPinFormatError, UnknownPersonaCardError } from './persona-card';
export type { CreatePersonaCardOptions } from './persona-card';
export { startCardEmulator, VPCD_DEFAULT_PORTS, VpcdStoppedError } from './vpcd';
export type { StartCardEmulatorOptions, VpcdCardSocket } from './vpcd';
export {
  JpkiApplication,
  JPKI_AID,
  JPKI_EF,
  USER_AUTH_PIN_MAX_TRIES,
  SIGNATURE_PIN_MAX_TRIES,
  type JpkiApplicationOptions,
  type JpkiTokenKind,
} from './apps/jpki-ap';
export type { CardApplication, CommandApdu, ResponseApdu } from './card-application';
