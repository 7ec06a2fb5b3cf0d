/**
 * Test keys of the rig's 券面事項確認AP (SPEC §5.1): a test trust anchor (the CA that certifies
 * issuer keys in EF 0004), one test issuer key that signs every persona's EF 0002, and each
 * persona's own card key (DF24, the key `80 2A 00 00` signs with). The attack personas get what
 * their attack needs: `unknown-issuer` an issuer certified by a CA no reader trusts,
 * `cloned-files` a chip key different from the DF24 it carries.
 *
 * Keys are generated on first use (RSA-2048, async) and cached as PEM (0600) under
 * `<rig dir>/card-face/`, created with link(2) so two processes starting together end up with one
 * key. These are test keys only: their key identifiers start with `9`, a hierarchy no real card
 * uses, and the reader accepts the rig anchor only in rig mode.
 */
import { generateKeyPair, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, linkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRigDir } from './credentials';
import { randomBytes } from 'node:crypto';
import { findPersona, type PersonaName } from './catalogue';
import { cvCertificate, keyId } from '../emulator/card-face/card-schema';
import type { CardFaceTrustAnchor } from '../../src/card-face/card-face-session';

/** `$FCR_RIG_DIR` or `<repo>/.rig`: the JPKI credentials' rig directory. */
export function defaultCardFaceRigDir(): string {
  return defaultRigDir();
}

export interface TrustAnchor {
  /** 証明者鍵ID the EF 0004 certificate names. */
  keyId: Buffer;
  publicKey: KeyObject;
  /** Shown to staff and in `fcr card read` (e.g. `rig-test`), never a person's data. */
  label: string;
}

export interface CardFaceCredentials {
  persona: PersonaName;
  /** EF 0004: the card-verifiable certificate of the issuer key. */
  issuerCertificate: Buffer;
  issuerKeyId: Buffer;
  issuerKey: KeyObject;
  /** The key the chip signs challenges with. */
  cardKey: KeyObject;
  /** The public key written into DF24 (the genuine card's; differs from `cardKey` for `cloned-files`). */
  df24PublicKey: KeyObject;
}

export interface CardFaceRig {
  /** The rig's test anchor: accepted by the reader only in rig mode. */
  rigTrustAnchor: TrustAnchor;
  persona(name: PersonaName): Promise<CardFaceCredentials>;
}

const RIG_ANCHOR_ID = keyId('9000023');
const ROGUE_ANCHOR_ID = keyId('9000099');
const RIG_ISSUER_ID = keyId('9131016');
const ROGUE_ISSUER_ID = keyId('9999996');

async function newKeyPem(): Promise<string> {
  return new Promise((res, rej) => {
    generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, (err, _pub, priv) => {
      if (err) rej(err);
      else res(priv.export({ type: 'pkcs8', format: 'pem' }).toString());
    });
  });
}

/** Reads `<dir>/<name>.pem`, or creates it exactly once (link(2) fails if another process won). */
async function cachedKey(dir: string, name: string): Promise<KeyObject> {
  const file = join(dir, `${name}.pem`);
  try {
    return createPrivateKey(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pem = await newKeyPem();
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, pem, { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return createPrivateKey(readFileSync(file, 'utf8'));
}

const rigs = new Map<string, Promise<CardFaceRig>>();

/** Loads (or generates once) the rig's card-face keys; one shared instance per directory. */
export function loadCardFaceRig(options: { dir?: string } = {}): Promise<CardFaceRig> {
  const dir = join(options.dir ?? defaultCardFaceRigDir(), 'card-face');
  let rig = rigs.get(dir);
  if (!rig) {
    rig = buildRig(dir);
    rigs.set(dir, rig);
    rig.catch(() => rigs.delete(dir));
  }
  return rig;
}

async function buildRig(dir: string): Promise<CardFaceRig> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [anchorKey, issuerKey] = await Promise.all([cachedKey(dir, 'test-anchor'), cachedKey(dir, 'test-issuer')]);
  const issuerCertificate = cvCertificate({
    issuerKeyId: RIG_ANCHOR_ID,
    subjectKeyId: RIG_ISSUER_ID,
    subjectPublicKey: createPublicKey(issuerKey),
    issuerPrivateKey: anchorKey,
  });
  const perPersona = new Map<PersonaName, Promise<CardFaceCredentials>>();
  const make = async (name: PersonaName): Promise<CardFaceCredentials> => {
    const cardKey = await cachedKey(dir, `card-${name}`);
    const attack = findPersona(name)?.cardFaceAttack;
    if (attack === 'unknown-issuer') {
      const [rogueAnchor, rogueIssuer] = await Promise.all([cachedKey(dir, 'rogue-anchor'), cachedKey(dir, 'rogue-issuer')]);
      return {
        persona: name,
        issuerCertificate: cvCertificate({ issuerKeyId: ROGUE_ANCHOR_ID, subjectKeyId: ROGUE_ISSUER_ID, subjectPublicKey: createPublicKey(rogueIssuer), issuerPrivateKey: rogueAnchor }),
        issuerKeyId: ROGUE_ISSUER_ID,
        issuerKey: rogueIssuer,
        cardKey,
        df24PublicKey: createPublicKey(cardKey),
      };
    }
    if (attack === 'cloned-files') {
      // The files come from a genuine card (its key in DF24, validly signed); the chip they were
      // copied onto has a key of its own, which the challenge exposes.
      const chipKey = await cachedKey(dir, `chip-${name}`);
      return { persona: name, issuerCertificate, issuerKeyId: RIG_ISSUER_ID, issuerKey, cardKey: chipKey, df24PublicKey: createPublicKey(cardKey) };
    }
    return { persona: name, issuerCertificate, issuerKeyId: RIG_ISSUER_ID, issuerKey, cardKey, df24PublicKey: createPublicKey(cardKey) };
  };
  return {
    rigTrustAnchor: { keyId: RIG_ANCHOR_ID, publicKey: createPublicKey(anchorKey), label: 'rig-test' },
    persona(name) {
      let p = perPersona.get(name);
      if (!p) {
        p = make(name);
        perPersona.set(name, p);
      }
      return p;
    },
  };
}

/** The rig's test anchor as a trust anchor (accepted by a card-face session only with `rigMode: true`). */
export async function rigCardFaceTrustAnchors(options: { dir?: string } = {}): Promise<CardFaceTrustAnchor[]> {
  const rig = await loadCardFaceRig(options);
  return [{ ...rig.rigTrustAnchor, test: true }];
}
