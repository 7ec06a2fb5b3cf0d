/**
 * The 券面 applications of a persona's card, ready to hand to `createPersonaCard({ ...,
 * extraApplications })`: built asynchronously once (images, photo, signatures), then synchronous.
 */
import { findPersona, DEFAULT_PIN, type PersonaName } from '../../personas/catalogue';
import { loadCardFaceRig } from '../../personas/card-face-credentials';
import type { CardApplication } from '../card-application';
import { CardFaceApplication } from '../apps/card-face-ap';
import { CardTextApplication } from '../apps/card-text-ap';
import { buildCardFaceFiles, buildCardTextFiles } from './files';

export { CardFaceApplication, CARD_FACE_AID } from '../apps/card-face-ap';
export { CardTextApplication, CARD_TEXT_AID } from '../apps/card-text-ap';
export { renderCardFace, renderCardFacePrint } from './render-face';
export { degradeCardImage, type Degradation } from './degrade';

export interface CardFaceApplicationsOptions {
  /** Rig directory (default: the rig's, `$FCR_RIG_DIR` or `<repo>/.rig`). */
  dir?: string;
  /** The text application's PIN: the JPKI user-auth PIN of the card (default DEFAULT_PIN). */
  pin?: string;
}

export async function createCardFaceApplications(name: PersonaName, options: CardFaceApplicationsOptions = {}): Promise<[CardFaceApplication, CardTextApplication]> {
  const persona = findPersona(name);
  if (!persona) throw new RangeError(`no persona named ${name}`);
  const rig = await loadCardFaceRig(options.dir === undefined ? {} : { dir: options.dir });
  const creds = await rig.persona(name);
  const files = await buildCardFaceFiles(persona, creds);
  const face = new CardFaceApplication(files, creds.cardKey);
  const text = new CardTextApplication(buildCardTextFiles(persona), {
    pin: persona.pinSet ? (options.pin ?? DEFAULT_PIN) : undefined,
    pinTries: persona.pinTriesLeft,
  });
  return [face, text];
}

/** Convenience for `extraApplications`. */
export async function cardFaceExtraApplications(name: PersonaName, options: CardFaceApplicationsOptions = {}): Promise<CardApplication[]> {
  return createCardFaceApplications(name, options);
}
