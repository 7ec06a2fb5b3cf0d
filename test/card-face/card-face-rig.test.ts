/**
 * The whole card-face path on the real rig stack: the persona's printed face, degraded as a tray
 * camera sees it, read by the OCR; then pcsclite → pcscd → vpcd → the emulated card's
 * 券面事項確認AP for 照合番号B, the issuer-signature and chip checks and the photo (issue 7 §3).
 */
import assert from 'node:assert/strict';
import { CardError } from '../../src/card/errors';
import type { CardReaderEvent, ReaderSlot } from '../../src/devices/card-reader/card-reader-driver';
import { PcscliteCardReaderDriver } from '../../src/devices/card-reader/pcsclite-driver';
import { createPersonaCard, startCardEmulator, type CardFaults, type VpcdCardSocket } from '../../rig/emulator/index';
import { createCardFaceApplications, degradeCardImage, renderCardFace } from '../../rig/emulator/card-face';
import { findPersona, type PersonaName } from '../../rig/personas/catalogue';
import type { RigCredentials } from '../../rig/personas/credentials';
import type { PcscdInstance } from '../../rig/runner/pcscd-process';
import { CardFaceReader, CardFaceRefusedError, CardFaceSession, readCardFaceSummary, type CardFaceRefusal, type CardFaceTrustAnchor } from '../../src/card-face';
import { rigCardFaceTrustAnchors } from '../../rig/personas/card-face-credentials';
import { randomChannelId, startLinkedPcscd } from '../devices/pcsc-rig';
import { testRigCredentials, testRigDir } from '../emulator/rig-fixture';

function waitFor(driver: PcscliteCardReaderDriver, what: string, match: (e: CardReaderEvent) => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const off = driver.onEvent((e) => {
      if (match(e)) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

describe('card-face path on pcscd + vpcd + the emulated card', function () {
  this.timeout(180_000);
  let pcscd: PcscdInstance;
  let driver: PcscliteCardReaderDriver;
  let socket: VpcdCardSocket;
  let credentials: RigCredentials;
  let anchors: CardFaceTrustAnchor[];
  const reader = new CardFaceReader();
  const slot: ReaderSlot = 'card';

  before(async () => {
    credentials = await testRigCredentials();
    anchors = await rigCardFaceTrustAnchors({ dir: testRigDir() });
    pcscd = await startLinkedPcscd(randomChannelId());
    driver = new PcscliteCardReaderDriver({ apduTimeoutMs: 3000, backoff: { initialMs: 100, maxMs: 400 } });
    const ready = waitFor(driver, 'card reader', (e) => e.type === 'reader-added' && e.slot === slot);
    await driver.start();
    await ready;
    socket = await startCardEmulator({ port: pcscd.vpcdPorts[0], card: null });
    await reader.start();
  });

  after(async () => {
    await reader.stop();
    await driver?.stop();
    await socket?.stop();
    await pcscd?.stop();
  });

  async function place(persona: PersonaName, faults?: CardFaults): Promise<void> {
    if (socket.connected) {
      const gone = waitFor(driver, 'card-removed', (e) => e.type === 'card-removed' && e.slot === slot);
      await socket.remove();
      await gone;
    }
    const extraApplications = await createCardFaceApplications(persona, { dir: testRigDir() });
    const seen = waitFor(driver, 'card-inserted', (e) => e.type === 'card-inserted' && e.slot === slot);
    await socket.insert(createPersonaCard({ persona, credentials, extraApplications, ...(faults ? { faults } : {}) }));
    await seen;
  }

  async function faceImage(persona: PersonaName): Promise<Buffer> {
    const p = findPersona(persona);
    assert.ok(p);
    return degradeCardImage(await renderCardFace(p), { tiltDeg: 3, perspective: 0.03, blur: 0.5, noise: 3, jpegQuality: 85, seed: 11 });
  }

  async function attempt(persona: PersonaName): Promise<CardFaceRefusal | 'authenticated'> {
    const image = await faceImage(persona);
    try {
      const summary = await driver.transact(slot, (ch) => readCardFaceSummary(ch, image, reader, { trustAnchors: anchors, rigMode: true }), { exclusive: true });
      assert.equal(summary.dataVerified, true);
      assert.equal(summary.photo.format, 'jpeg2000');
      assert.ok(summary.photo.width > 0);
      return 'authenticated';
    } catch (err) {
      if (err instanceof CardFaceRefusedError) return err.reason;
      throw err;
    }
  }

  it('valid and face-only authenticate: scan → 照合番号B → signed data → chip → photo', async () => {
    for (const persona of ['valid', 'face-only'] as const) {
      await place(persona);
      assert.equal(await attempt(persona), 'authenticated', persona);
    }
  });

  // The two Western-calendar designs (README "Card designs"): the face is read in its own design
  // and the emulated card accepts the 照合番号B it gives. The emulator's code comes from its own
  // printed-dates.ts, so this holds only if the reader's date rule agrees with the rig's.
  for (const [persona, codeB] of [
    ['foreign-resident', '92100320313918'],
    ['next-generation', '79123120366274'],
  ] as const) {
    it(`${persona}: the Western birth date is read off its face and 照合番号B ${codeB.slice(0, 6)}… unlocks the card`, async () => {
      const p = findPersona(persona);
      assert.ok(p);
      const scan = await reader.scan(await faceImage(persona));
      assert.equal(scan.calendar, 'western');
      assert.equal(`${scan.birth}${scan.expiryYear}${scan.securityCode}`, codeB);
      await place(persona);
      assert.equal(await attempt(persona), 'authenticated', persona);
      const tries = await driver.transact(slot, (ch) => new CardFaceSession(ch, { trustAnchors: anchors, rigMode: true }).codeBTriesLeft());
      assert.equal(tries, 10, 'no try was spent');
    });
  }

  const refused: Array<[PersonaName, CardFaceRefusal]> = [
    ['forged-photo', 'data-signature-invalid'],
    ['cloned-files', 'card-key-mismatch'],
    ['unknown-issuer', 'unknown-issuer'],
    ['code-b-low', 'code-b-tries-low'],
  ];
  for (const [persona, reason] of refused) {
    it(`${persona} is refused (${reason}) before any face matching`, async () => {
      await place(persona);
      assert.equal(await attempt(persona), reason);
    });
  }

  it('code-b-low keeps its 3 tries: nothing was presented', async () => {
    await place('code-b-low');
    const tries = await driver.transact(slot, (ch) => new CardFaceSession(ch, { trustAnchors: anchors, rigMode: true }).codeBTriesLeft());
    assert.equal(tries, 3);
  });

  it('removal at each step of the card-face reads ends in a typed card error', async () => {
    // APDUs: SELECT AP, SELECT 0012, VERIFY (tries), VERIFY (code), SELECT 0004, READ, READ, SELECT 0002, READ…
    for (const after of [4, 6, 8]) {
      await place('valid', { removeAfterApdus: after });
      const image = await faceImage('valid');
      await assert.rejects(
        driver.transact(slot, (ch) => readCardFaceSummary(ch, image, reader, { trustAnchors: anchors, rigMode: true })),
        (err: unknown) => err instanceof CardError,
      );
    }
  });
});
