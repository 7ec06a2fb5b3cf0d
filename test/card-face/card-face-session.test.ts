import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatedCard } from '../../rig/emulator/card';
import { createCardFaceApplications } from '../../rig/emulator/card-face';
import { loadCardFaceRig } from '../../rig/personas/card-face-credentials';
import { findPersona, type PersonaName } from '../../rig/personas/catalogue';
import { codeB, toEraDate } from '../../src/card-face/japanese-era';
import { CardFaceSession, CardFaceRefusedError, type CardFaceTrustAnchor, type CardFaceRefusal } from '../../src/card-face/card-face-session';
import { KEY_CODE_B, type CardFaceApplication } from '../../rig/emulator/apps/card-face-ap';
import { PRESENT_CONFIDENCE, type CardFaceScan } from '../../src/card-face/ocr';
import type { CardFaults } from '../../rig/emulator/card';

/** The scan a perfect reader would produce for a persona (OCR is tested on its own). */
function perfectScan(name: PersonaName): CardFaceScan {
  const p = findPersona(name);
  if (!p) throw new Error(name);
  const code = codeB(p.person.birthDate, p.cardExpiry, p.securityCode);
  return { ok: true, birth: code.slice(0, 6), expiryYear: code.slice(6, 10), securityCode: code.slice(10), era: toEraDate(p.person.birthDate).era, confidence: 0.97, ms: 0 };
}

describe('card-face session (reader side, in-process emulated card)', function () {
  this.timeout(120_000);
  let dir: string;
  let anchors: CardFaceTrustAnchor[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-cardface-session-'));
    const rig = await loadCardFaceRig({ dir });
    anchors = [{ ...rig.rigTrustAnchor, test: true }];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function card(name: PersonaName, faults?: CardFaults): Promise<{ card: EmulatedCard; face: CardFaceApplication; sent: Buffer[] }> {
    const apps = await createCardFaceApplications(name, { dir });
    const c = new EmulatedCard({ applications: apps, ...(faults ? { faults } : {}), label: name });
    c.powerOn();
    return { card: c, face: apps[0], sent: [] };
  }
  function session(c: { card: EmulatedCard; sent: Buffer[] }, rigMode = true): CardFaceSession {
    return new CardFaceSession({ transmit: async (a) => (c.sent.push(Buffer.from(a)), c.card.transmit(a)) }, { trustAnchors: anchors, rigMode });
  }
  async function refusal(p: Promise<unknown>): Promise<CardFaceRefusal> {
    try {
      await p;
    } catch (err) {
      if (err instanceof CardFaceRefusedError) return err.reason;
      throw err;
    }
    assert.fail('expected a refusal');
  }
  const verifies = (sent: Buffer[]): number => sent.filter((a) => a[1] === 0x20 && a.length > 5).length;

  it('valid: presents 照合番号B once, authenticates the data and the chip, decodes the photo', async () => {
    const c = await card('valid');
    const s = session(c);
    const out = await s.unlockWithScan(perfectScan('valid'));
    assert.equal(out.issuer, 'rig-test');
    assert.equal(out.birthDate, '19580401');
    assert.ok(out.photo.width >= 100 && out.photo.height >= 100);
    assert.ok(out.photo.grey.some((v) => v !== out.photo.grey[0]), 'photo has content');
    assert.equal(verifies(c.sent), 1);
    assert.ok(out.apdus <= 12, `APDUs ${out.apdus}`);
    s.wipe();
    assert.ok(out.photo.grey.every((v) => v === 0), 'wipe zeroes the photo');
  });

  it('refuses the test issuer outside rig mode (production trusts no test anchor)', async () => {
    const c = await card('valid');
    assert.equal(await refusal(session(c, false).unlockWithScan(perfectScan('valid'))), 'unknown-issuer');
  });

  const attacks: Array<[PersonaName, CardFaceRefusal]> = [
    ['forged-photo', 'data-signature-invalid'],
    ['cloned-files', 'card-key-mismatch'],
    ['unknown-issuer', 'unknown-issuer'],
  ];
  for (const [name, reason] of attacks) {
    it(`${name} is refused for ${reason}, and never reaches photo decoding`, async () => {
      const c = await card(name);
      assert.equal(await refusal(session(c).unlockWithScan(perfectScan(name))), reason);
    });
  }

  it('code-b-low (3 tries left): 照合番号B is never presented, even with a perfect scan', async () => {
    const c = await card('code-b-low');
    const s = session(c);
    assert.equal(await refusal(s.unlockWithScan(perfectScan('code-b-low'))), 'code-b-tries-low');
    assert.equal(verifies(c.sent), 0);
    assert.equal(c.face.triesLeft(KEY_CODE_B), 3);
  });

  it('a scan that is not confident is never presented; the tries are queried first', async () => {
    const c = await card('valid');
    const s = session(c);
    const scan = { ...perfectScan('valid'), confidence: PRESENT_CONFIDENCE - 0.05 };
    assert.equal(await refusal(s.unlockWithScan(scan)), 'scan-not-confident');
    assert.equal(await refusal(s.unlockWithScan({ ok: false, reason: 'unreadable', confidence: 0, ms: 0 })), 'scan-not-confident');
    assert.equal(verifies(c.sent), 0);
    assert.ok(c.sent.some((a) => a[1] === 0x20 && a.length === 4), 'empty VERIFY sent');
    assert.equal(c.face.triesLeft(KEY_CODE_B), 10);
  });

  it('wrong reads cost at most two tries per session, and no retry follows a refusal', async () => {
    const c = await card('valid');
    const s = session(c);
    const wrong = { ...perfectScan('valid'), securityCode: '0000' };
    assert.equal(await refusal(s.unlockWithScan(wrong)), 'code-b-wrong');
    assert.equal(await refusal(s.unlockWithScan(wrong)), 'code-b-wrong');
    assert.equal(await refusal(s.unlockWithScan(perfectScan('valid'))), 'code-b-attempts-used');
    assert.equal(verifies(c.sent), 2);
    assert.equal(c.face.triesLeft(KEY_CODE_B), 8);
  });

  it('card removal during the card-face reads ends in an error, with nothing retried', async () => {
    for (const after of [2, 4, 6, 8]) {
      const c = await card('valid', { removeAfterApdus: after });
      const s = session(c);
      await assert.rejects(s.unlockWithScan(perfectScan('valid')));
      assert.ok(c.sent.length <= after + 1, `sent ${c.sent.length} APDUs after removal at ${after}`);
      assert.ok(verifies(c.sent) <= 1);
    }
  });
});
