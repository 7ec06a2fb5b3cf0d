/**
 * Privacy checks that can fail (issue 11 item 9; SPEC §5 last paragraph). The reader service runs
 * with its real engine, card adapter, backend adapter and client, the backend simulator over
 * mutual TLS, emulated cards and the real card-face OCR and 照合番号B path, everything logging at
 * trace level into a sink that captures records BEFORE redaction (the fields as the caller passed
 * them, before pino's `redact` censors `pin`, `passcode`, …). No persona's PIN, passcode, name,
 * birth date, certificate serial or 照合番号B may appear there.
 *
 * The first test proves the check itself: a PIN logged through a deliberately leaky line is
 * flagged, in the message and in a field the output would censor.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BackendClient } from '../../src/backend/client';
import { BackendSimulator } from '../../rig/backend-simulator/server';
import { defaultRigConfig } from '../../rig/rig-config';
import { SimulatedCardReaderDriver } from '../../rig/devices/simulated-card-reader';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { SimulatedGpioChip } from '../../rig/devices/simulated-gpio';
import { createFullPersonaCard } from '../../rig/emulator/full-persona-card';
import { degradeCardImage, renderCardFace } from '../../rig/emulator/card-face';
import { CardFaceReader } from '../../src/card-face/ocr';
import { rigCardFaceTrustAnchors } from '../../rig/personas/card-face-credentials';
import type { FaceVerifier, VerifyResult } from '../../src/face/verifier';
import { createLogger } from '../../src/log/logger';
import { secret } from '../../src/log/secret';
import { findPersona, type PersonaName } from '../../rig/personas/catalogue';
import { loadRigCredentials } from '../../rig/personas/credentials';
import { FaceAdapter } from '../../src/service/adapters/face-adapter';
import { assembleReaderService } from '../../src/service/assemble';
import { HeadlessPanel } from '../../src/ui/panel/panel-driver';
import { ja } from '../../src/ui/text/ja';
import { personalDataIn, personalValues } from '../log/privacy-check';

/** The PINs of this test: not the rig's default, so a hit cannot be a coincidence of `1234`. */
const CARD_PIN = '7395';
const WRONG_PIN = '8642';
const STAFF_PASSCODE = '1234';
const WRONG_PASSCODE = '5081';

function capture() {
  const raw: string[] = [];
  const redacted: string[] = [];
  const log = createLogger('privacy', { level: 'trace', sink: { write: (l) => redacted.push(l) }, unredactedSink: { write: (l) => raw.push(l) } });
  return { raw, redacted, log };
}

describe('privacy: the raw log (before redaction) holds no personal data', function () {
  this.timeout(180_000);

  it('the check fails on a leaky line: a logged PIN is flagged, in the message or in a field the output censors', async () => {
    const c = capture();
    const values = personalValues({ credentials: await loadRigCredentials(), pins: [CARD_PIN] });
    const pin = CARD_PIN;
    // In the message: nothing masks digits any more, so the output and the raw capture both show it.
    c.log.child('card').info(`verifying PIN ${pin}`);
    assert.equal(personalDataIn(c.redacted, values).length, 1, 'the output shows it');
    assert.equal(personalDataIn(c.raw, values).length, 1, 'the raw capture shows it');
    // In a field named after a secret: pino's redact censors the output, so only the raw capture
    // (what the caller passed) can catch it — why these checks read the raw capture.
    c.log.child('card').info('verifying PIN', { pin });
    assert.deepEqual(personalDataIn(c.redacted.slice(1), values), [], 'the output censors the pin field');
    assert.equal(personalDataIn(c.raw.slice(1), values).length, 1, 'the raw capture shows it');
    // The same line with the PIN held as a Secret logs nothing personal.
    c.log.child('card').info(`verifying PIN ${secret(pin)}`, { pin: secret(pin) });
    assert.equal(c.raw.at(-1), 'INFO [privacy.card] verifying PIN [redacted] pin=[redacted]');
    // Names, birth dates, serials and 照合番号B are caught as well.
    const valid = findPersona('valid')!;
    const serial = (await loadRigCredentials()).persona('valid').userAuthSerial;
    for (const leak of [valid.person.nameKanji, valid.person.birthDate, serial.toUpperCase(), `330401${valid.cardExpiry.slice(0, 4)}${valid.securityCode}`]) {
      assert.ok(personalDataIn([`x ${leak} y`], values).length > 0, `flags ${leak}`);
    }
    assert.deepEqual(personalDataIn(['listening on 127.0.0.1:47395', 'took 7395ms'.replace('7395', '739')], values), [], 'digits inside a longer number are not a PIN');
  });

  it('PIN (with a wrong PIN first), staff visual check (with a wrong passcode first), Android and the card-face path at trace level', async () => {
    const c = capture();
    const credentials = await loadRigCredentials();
    const config = defaultRigConfig();
    const sim = await BackendSimulator.start({ credentials, facilityCode: config.facility.code, logger: c.log.child('sim') });
    const clientConfig = sim.clientConfig('device');
    const backend = new BackendClient({ ...clientConfig, timeoutMs: 5000, logger: c.log.child('client') });
    const driver = new SimulatedCardReaderDriver();
    await driver.start();
    const panel = new HeadlessPanel();
    const reader = new CardFaceReader();
    await reader.start();
    const verifier: FaceVerifier = {
      enrolCardPhoto: async () => undefined,
      verify: async (): Promise<VerifyResult> => ({ outcome: 'match', score: 0.8 }),
      close: async () => undefined,
    };
    const anchors = await rigCardFaceTrustAnchors();
    let facePersona: PersonaName = 'valid';
    // The service's clock, moved forward past the passcode back-off instead of waiting it out.
    let skewMs = 0;
    const { service } = assembleReaderService({
      createResultFolder: true,
      clock: () => Date.now() + skewMs,
      config,
      cardDriver: driver,
      backend,
      deviceKeyPem: clientConfig.keyPem,
      deviceId: clientConfig.deviceId,
      face: (sessions) =>
        new FaceAdapter({
          cardDriver: driver,
          sessions,
          verifier,
          cardFaceReader: reader,
          trustAnchors: anchors,
          rigMode: true,
          attemptMs: 3000,
          log: c.log.child('face'),
          camera: () => new SimulatedCamera([{ width: 4, height: 4, rgb: new Uint8Array(48) }], 30),
          cardFaceImage: async () => degradeCardImage(await renderCardFace(findPersona(facePersona)!), { blur: 0.5, seed: 3 }),
        }),
      cardFaceAvailable: (slot) => slot === 'card',
      panel,
      indicators: new GpioIndicators(loadPinMap(join(__dirname, '../../hardware/pin-map.json')), new SimulatedGpioChip().lineFactory),
      log: c.log,
    });
    const shows = (t: string) => {
      const v = panel.current();
      return v ? [...v.lines, ...v.buttons.map((b) => b.label), v.hint ?? ''].some((l) => l.includes(t)) : false;
    };
    const until = async (t: string) => {
      const end = Date.now() + 20_000;
      while (Date.now() < end && !shows(t)) {
        await service.settle();
        await new Promise((r) => setImmediate(r));
      }
      assert.ok(shows(t), `screen shows ${t} (on ${panel.current()?.screenId}: ${panel.current()?.lines.join(' ')})`);
    };
    const consent = async () => {
      const end = Date.now() + 20_000;
      while (Date.now() < end && !shows(ja.doneComplete)) {
        if (shows(ja.buttonInherit)) panel.press(ja.buttonInherit);
        else if (shows(ja.buttonAgreeAll)) panel.press(ja.buttonAgreeAll);
        else if (shows(ja.buttonNextPage)) panel.press(ja.buttonNextPage);
        else if (shows(ja.buttonNext)) panel.press(ja.buttonNext);
        await service.settle();
        await new Promise((r) => setImmediate(r));
      }
      await until(ja.doneComplete);
    };
    const type = (digits: string) => {
      for (const d of digits) panel.typeDigit(d);
    };
    service.start();
    try {
      // PIN, a wrong one first.
      driver.insert('card', await createFullPersonaCard({ persona: 'valid', credentials, pin: CARD_PIN }));
      await until(ja.methodQuestion);
      panel.press(ja.buttonPin);
      type(WRONG_PIN);
      await until(ja.pinPrompt);
      type(CARD_PIN);
      await consent();
      driver.remove('card');
      await until(ja.idlePlaceCard);

      // Staff visual check, a wrong passcode first (the rate limit is passed by moving the clock).
      panel.press(ja.buttonStaff);
      await until(ja.staffPasscodePrompt);
      type(WRONG_PASSCODE);
      await until(ja.staffPasscodeWrong);
      skewMs += config.staff.backoffMs;
      type(STAFF_PASSCODE);
      await until(ja.buttonVisualCheck);
      panel.press(ja.buttonVisualCheck);
      driver.insert('card', await createFullPersonaCard({ persona: 'expiring-soon', credentials }));
      await consent();
      driver.remove('card');
      await until(ja.idlePlaceCard);

      // Android (PIN on the panel), then iPhone.
      panel.press(ja.buttonPhone);
      panel.press(ja.buttonAndroid);
      await until(ja.pinPrompt);
      type(CARD_PIN);
      await until(ja.phoneHoldAndroid);
      driver.insert('smartphone', await createFullPersonaCard({ persona: 'android', credentials, pin: CARD_PIN }));
      await consent();
      driver.remove('smartphone');
      await until(ja.idlePlaceCard);

      // Face: the card-face scan reads 照合番号B and presents it to the card's 券面事項確認AP.
      facePersona = 'valid';
      driver.insert('card', await createFullPersonaCard({ persona: 'valid', credentials }));
      await until(ja.methodQuestion);
      panel.press(ja.buttonFace);
      await consent();
      driver.remove('card');
      await until(ja.idlePlaceCard);
    } finally {
      await service.stop();
      await driver.stop();
      await reader.stop();
      await sim.stop();
    }
    assert.deepEqual(sim.receptions.list(0).entries.map((r) => r.identityMethod), ['pin', 'visual', 'smartphone', 'face'], 'the sessions really ran');
    assert.ok(c.raw.length >= 50, `the check must see log lines to mean anything (${c.raw.length})`);
    assert.ok(c.raw.some((l) => l.includes('[privacy.face') || l.includes('card-face') || l.includes('照合番号B')), 'the card-face path logged');
    const values = personalValues({ credentials, pins: [CARD_PIN, WRONG_PIN], passcodes: [STAFF_PASSCODE, WRONG_PASSCODE] });
    assert.deepEqual(personalDataIn(c.raw, values), []);
  });
});
