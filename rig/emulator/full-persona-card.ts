/**
 * The whole plastic card of a persona: JPKI plus the 券面事項確認AP (photo) and the
 * 券面事項入力補助AP (text), as the rig puts it on the reader (issue 2 §2, SPEC §5/§5.1).
 *
 * Asynchronous because the 券面 files (field images, the JPEG 2000 photo) are rendered once per
 * card. A smartphone certificate (`android`, `iphone`) carries JPKI only, so it gets no 券面
 * applications. The 券面 applications and their files are H6's (`apps/card-face-ap.ts`,
 * `apps/card-text-ap.ts`, `card-face/files.ts`); this module only composes them.
 */
import { DEFAULT_PIN, findPersona } from '../personas/catalogue';
import { loadCardFaceRig, type CardFaceRig } from '../personas/card-face-credentials';
import { CardFaceApplication } from './apps/card-face-ap';
import { CardTextApplication } from './apps/card-text-ap';
import { buildCardFaceFiles, buildCardTextFiles } from './card-face/files';
import { createPersonaCard, UnknownPersonaCardError, type CreatePersonaCardOptions } from './persona-card';
import type { EmulatedCard } from './card';

export interface CreateFullPersonaCardOptions extends CreatePersonaCardOptions {
  /** The card-face test keys; default `loadCardFaceRig()` (same rig directory as the JPKI keys). */
  cardFaceRig?: CardFaceRig;
}

export async function createFullPersonaCard(o: CreateFullPersonaCardOptions): Promise<EmulatedCard> {
  const persona = findPersona(o.persona);
  if (!persona) throw new UnknownPersonaCardError(o.persona);
  if (persona.carrier !== 'card') return createPersonaCard(o);
  const rig = o.cardFaceRig ?? (await loadCardFaceRig());
  const faceCredentials = await rig.persona(persona.name);
  const faceFiles = await buildCardFaceFiles(persona, faceCredentials);
  const cardFace = new CardFaceApplication(faceFiles, faceCredentials.cardKey);
  // Most holders set the same 4 digits for the text AP as for JPKI; a face-only card has neither.
  const cardText = new CardTextApplication(buildCardTextFiles(persona), {
    pin: persona.pinSet ? (o.pin ?? DEFAULT_PIN) : undefined,
  });
  return createPersonaCard({ ...o, extraApplications: [cardFace, cardText, ...(o.extraApplications ?? [])] });
}
