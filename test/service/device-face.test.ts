/**
 * The device's face path from the configuration: no trust anchor → no face authentication at all;
 * with one, the tray camera's image unlocks and authenticates the card photo and the face camera
 * is matched against it (cameras played from files by the real ffmpeg, the real face worker).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRigConfig } from '../../rig/rig-config';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { createFullPersonaCard } from '../../rig/emulator/full-persona-card';
import { degradeCardImage, renderCardFace } from '../../rig/emulator/card-face';
import { findPersona } from '../../rig/personas/catalogue';
import { loadRigCredentials } from '../../rig/personas/credentials';
import { loadCardFaceRig } from '../../rig/personas/card-face-credentials';
import { rigCameraSource } from '../../rig/personas/face-images';
import { silentLogger } from '../../src/log/logger';
import { SessionMemories } from '../../src/service/adapters/session-memory';
import { startDeviceFacePath } from '../../src/service/device-face';

describe('device face path (fcr service run)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-devface-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('without a card-face trust anchor, face authentication is not offered', async () => {
    const path = await startDeviceFacePath(defaultRigConfig(), new SimulatedCardReaderDriver(), silentLogger);
    assert.equal(path.available, false);
    assert.deepEqual(await path.face(new SessionMemories()).startCamera(), { ok: false });
  });

  it('with a configured anchor: tray image → authenticated photo → face camera matched', async () => {
    const anchor = (await loadCardFaceRig()).rigTrustAnchor;
    const anchorFile = join(dir, 'anchor.pem');
    writeFileSync(anchorFile, anchor.publicKey.export({ type: 'spki', format: 'pem' }));
    const tray = join(dir, 'tray.png');
    writeFileSync(tray, await degradeCardImage(await renderCardFace(findPersona('valid')!), { blur: 0.5, seed: 5 }));
    const config = defaultRigConfig({
      face: { camera: { device: rigCameraSource('genuine', 'valid').path } },
      cardFace: { trayCamera: { device: tray }, trustAnchors: [{ label: 'test-as-production', keyId: anchor.keyId.toString('hex'), publicKeyFile: anchorFile }] },
    } as never);
    const driver = new SimulatedCardReaderDriver();
    await driver.start();
    driver.insert('card', await createFullPersonaCard({ persona: 'valid', credentials: await loadRigCredentials() }));
    const path = await startDeviceFacePath(config, driver, silentLogger);
    try {
      assert.equal(path.available, true);
      const port = path.face(new SessionMemories());
      assert.deepEqual(await port.startCamera(), { ok: true });
      const r = await port.match();
      assert.equal(r.outcome, 'match', JSON.stringify(r));
      await port.stopCamera();
    } finally {
      await path.stop();
      await driver.stop();
    }
  });
});
