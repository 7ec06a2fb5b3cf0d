import assert from 'node:assert/strict';
import { BUTTON } from '../../src/session/screen';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { FLASH_ACK_MS, ReaderService } from '../../src/service/reader-service';
import { defaultRigConfig } from '../../rig/rig-config';
import { HeadlessPanel } from '../../src/ui/panel/panel-driver';
import { GpioIndicators } from '../../src/devices/gpio/gpio';
import { SimulatedGpioChip } from '../../rig/devices/simulated-gpio';
import { loadPinMap } from '../../src/devices/gpio/pin-map';
import { createLogger } from '../../src/log/logger';
import { panelText } from '../../src/ui/panel/panel-layout';
import { FakeBackend, FakeCard, FakeFace, staffPasscode, validCard } from './fakes';
import type { FaceHint } from '../../src/session/events';
import { FlashNotShownError, type FaceFlashPanel, type FaceMatchOutcome } from '../../src/service/ports';

/** Yields to the event loop until `cond` holds (state, not time; bounded so a bug fails, not hangs). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'condition never held');
}

const pins = loadPinMap(join(__dirname, '../../hardware/pin-map.json'));

function rig(panel = new HeadlessPanel()) {
  const card = new FakeCard();
  const backend = new FakeBackend();
  const face = new FakeFace();
  const chip = new SimulatedGpioChip();
  const logLines: string[] = [];
  /** Records before redaction (issue 11 item 9; fields as passed, before pino censors them): what the privacy asserts read. */
  const rawLines: string[] = [];
  const service = new ReaderService({
    config: defaultRigConfig(),
    card,
    backend,
    face,
    staffPasscode,
    panel,
    indicators: new GpioIndicators(pins, chip.lineFactory),
    log: createLogger('test', { level: 'trace', sink: { write: (l) => logLines.push(l) }, unredactedSink: { write: (l) => rawLines.push(l) } }),
  });
  service.start();
  const screen = () => panelText(panel.current()!, (s) => `${s}s`);
  return { panel, card, backend, face, chip, service, logLines, rawLines, screen };
}

describe('reader service (engine + effects through ports)', () => {
  it('walks a PIN session to the done screen, wipes on removal and counts the session', async () => {
    const r = rig();
    assert.match(r.screen(), /マイナンバーカードを置いてください。/);
    r.card.present({ type: 'inserted', slot: 'card' });
    await r.service.settle();
    assert.match(r.screen(), /本人確認の方法を選んでください。/);
    assert.ok(r.panel.press(BUTTON.methodPin));
    for (const d of '1234') r.panel.typeDigit(d);
    await r.service.settle();
    assert.ok(r.panel.press(BUTTON.consentAll));
    await r.service.settle();
    assert.match(r.screen(), /山田　太郎様/);
    assert.deepEqual(r.card.calls, ['read', 'verify 4']);
    assert.deepEqual(r.backend.calls, ['query pin', 'consent']);
    const wipesBefore = r.card.wipes;
    r.card.present({ type: 'removed', slot: 'card' });
    await r.service.settle();
    assert.match(r.screen(), /マイナンバーカードを置いてください。/);
    assert.ok(r.card.wipes > wipesBefore, 'card data wiped on removal');
    const today = r.service.counters.today(Date.now());
    assert.equal(today.byMethod['pin'], 1);
    assert.equal(today.byStatus['qualified'], 1);
    const raw = r.rawLines.join('\n');
    assert.ok(r.rawLines.length > 10, 'the check must see log lines');
    assert.doesNotMatch(raw, /(?<!\d)1234(?!\d)/, 'PIN never logged (raw lines, before redaction)');
    assert.ok(!raw.includes('山田'), 'name never logged');
    await r.service.stop();
  });

  it('drops a card read that finishes after the card was removed', async () => {
    const r = rig();
    let release!: () => void;
    r.card.readAnswer = () => new Promise((res) => (release = () => res({ ok: true, card: validCard })));
    r.card.present({ type: 'inserted', slot: 'card' });
    r.card.present({ type: 'removed', slot: 'card' });
    release();
    await r.service.settle();
    assert.match(r.screen(), /マイナンバーカードを置いてください。/);
    assert.doesNotMatch(r.screen(), /本人確認の方法/);
    await r.service.stop();
  });

  it('survives an adapter that throws: safe screen, then serves the next patient', async () => {
    const r = rig();
    r.card.readAnswer = () => Promise.reject(new TypeError('bug in an adapter'));
    r.card.present({ type: 'inserted', slot: 'card' });
    await r.service.settle();
    assert.doesNotMatch(r.screen(), /本人確認の方法/);
    assert.ok(r.logLines.some((l) => /read-card failed unexpectedly: TypeError/.test(l)));
    r.card.present({ type: 'removed', slot: 'card' });
    await r.service.settle();
    r.card.readAnswer = async () => ({ ok: true, card: validCard });
    r.card.present({ type: 'inserted', slot: 'card' });
    await r.service.settle();
    assert.match(r.screen(), /本人確認の方法を選んでください。/);
    await r.service.stop();
  });

  it('opens the staff passcode screen from the GPIO staff button', async () => {
    const r = rig();
    r.chip.setInput(pins.staffButton, 0);
    await r.service.settle();
    assert.match(r.screen(), /目視確認用パスコードを入力してください/);
    await r.service.stop();
  });

  it('shows a face hint while the attempt runs; an abandoned attempt\'s hints and result never land (issue 14)', async () => {
    const r = rig();
    const attempts: { hint: (h: FaceHint) => void; answer: (o: FaceMatchOutcome) => void }[] = [];
    r.face.answer = (onHint) => new Promise((answer) => attempts.push({ hint: (h) => onHint?.(h), answer }));
    r.card.present({ type: 'inserted', slot: 'card' });
    await r.service.settle();
    assert.ok(r.panel.press(BUTTON.methodFace));
    const first = attempts[0]!;
    assert.ok(first, 'the first attempt started');
    first.hint('remove-mask');
    assert.match(r.screen(), /マスクを外してください/, 'the hint is on the panel while the burst runs');
    // The patient cancels and chooses face again: a second attempt; the first still runs on.
    assert.ok(r.panel.press(BUTTON.faceCancel));
    assert.ok(r.panel.press(BUTTON.methodFace));
    assert.equal(attempts.length, 2);
    assert.doesNotMatch(r.screen(), /マスクを外してください/);
    first.hint('come-closer');
    assert.doesNotMatch(r.screen(), /もう少し近づいてください/, "the abandoned attempt's hint is dropped");
    first.answer({ outcome: 'no-match', hint: 'remove-cap' });
    await until(() => r.logLines.some((l) => l.includes('abandoned attempt dropped')));
    assert.doesNotMatch(r.screen(), /帽子をお取りください/, "the abandoned attempt's result is dropped");
    assert.equal(attempts.length, 2, 'it did not count as a failed try (no retry started)');
    const second = attempts[1]!;
    second.hint('come-closer');
    assert.match(r.screen(), /もう少し近づいてください/);
    second.answer({ outcome: 'match' });
    await r.service.settle();
    assert.match(r.screen(), /同意/);
    second.hint('remove-mask');
    assert.doesNotMatch(r.screen(), /マスクを外してください/, 'a hint after the answer is dropped');
    await r.service.stop();
  });

  it('the colour flash: the attempt lights the panel through the flow and hears when it is lit; an abandoned attempt cannot light it (issue 14)', async () => {
    const r = rig();
    const attempts: { panel: FaceFlashPanel; answer: (o: FaceMatchOutcome) => void }[] = [];
    r.face.answer = (_onHint, panel) => new Promise((answer) => attempts.push({ panel: panel!, answer }));
    r.card.present({ type: 'inserted', slot: 'card' });
    await r.service.settle();
    assert.ok(r.panel.press(BUTTON.methodFace));
    const first = attempts[0]!;
    await first.panel.flash('red');
    assert.equal(r.panel.current()?.fill, 'red', 'lit when the promise resolves');
    assert.match(r.screen(), /カメラ/, 'the face screen stays drawn on the colour');
    await first.panel.flash('blue');
    assert.equal(r.panel.current()?.fill, 'blue');
    await first.panel.flash(undefined);
    assert.equal(r.panel.current()?.fill, undefined, 'given back');
    // The patient cancels and comes back: the first attempt's flash is refused and lights nothing.
    assert.ok(r.panel.press(BUTTON.faceCancel));
    assert.ok(r.panel.press(BUTTON.methodFace));
    await assert.rejects(first.panel.flash('red'), FlashNotShownError);
    assert.equal(r.panel.current()?.fill, undefined, "the abandoned attempt's flash is not on the panel");
    await first.panel.flash(undefined);
    first.answer({ outcome: 'no-face' });
    const second = attempts[1]!;
    await second.panel.flash('blue');
    assert.equal(r.panel.current()?.fill, 'blue');
    // The patient cancels the face screen while the attempt still runs (it is still the newest):
    // the method screen is not lit, the colour is not shown, and the attempt is told so.
    assert.ok(r.panel.press(BUTTON.faceCancel));
    assert.equal(r.panel.current()?.fill, undefined, 'the method screen is not lit');
    await assert.rejects(second.panel.flash('red'), FlashNotShownError);
    assert.equal(r.panel.current()?.fill, undefined);
    // Nor once the card is pulled and the session is over.
    r.card.present({ type: 'removed', slot: 'card' });
    await until(() => r.service.current().phase.name !== 'method');
    await assert.rejects(second.panel.flash('blue'), FlashNotShownError);
    assert.equal(r.panel.current()?.fill, undefined);
    second.answer({ outcome: 'no-face' });
    await r.service.stop();
  });

  it('the colour flash: a panel that never acknowledges the colour does not hold the attempt: past the bound it counts as not shown', async () => {
    class StalledPanel extends HeadlessPanel {
      override shown(): Promise<void> {
        return new Promise(() => undefined);
      }
    }
    const r = rig(new StalledPanel());
    const attempts: { panel: FaceFlashPanel; answer: (o: FaceMatchOutcome) => void }[] = [];
    r.face.answer = (_onHint, panel) => new Promise((answer) => attempts.push({ panel: panel!, answer }));
    r.card.present({ type: 'inserted', slot: 'card' });
    await r.service.settle();
    assert.ok(r.panel.press(BUTTON.methodFace));
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const flash = attempts[0]!.panel.flash('red');
      const refused = assert.rejects(flash, FlashNotShownError);
      await clock.tickAsync(FLASH_ACK_MS - 1);
      let settled = false;
      void flash.catch(() => undefined).finally(() => (settled = true));
      await clock.tickAsync(0);
      assert.equal(settled, false, 'still waiting just before the bound');
      await clock.tickAsync(1);
      await refused;
    } finally {
      clock.uninstall();
    }
    attempts[0]!.answer({ outcome: 'no-face' });
    await r.service.stop();
  });

  it('answers a wrong PIN with the tries left and verifies on the next attempt', async () => {
    const r = rig();
    r.card.present({ type: 'inserted', slot: 'card' });
    await r.service.settle();
    r.panel.press(BUTTON.methodPin);
    for (const d of '9999') r.panel.typeDigit(d);
    await r.service.settle();
    assert.match(r.screen(), /暗証番号を入力してください。/);
    assert.match(r.screen(), /2回/);
    for (const d of '1234') r.panel.typeDigit(d);
    await r.service.settle();
    assert.match(r.screen(), /同意/);
    await r.service.stop();
  });
});
