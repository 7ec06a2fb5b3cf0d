/**
 * Issue 16, what a real counter needs: the LEDs and buzzer as the simulated GPIO chip saw them
 * (`fcr rig leds`), the presence sensor waking the idle screen (`fcr rig presence`), and the
 * 職員を呼ぶ button whose call reaches the terminal (`fcr rig notices`). The expected LED levels
 * are written here from the LED meanings in the README (green ready, amber wait, red error),
 * not read from the product's LED table.
 */
import assert from 'node:assert/strict';
import { RigUnderTmux } from './rig-harness';
import { ja } from '../../src/ui/text/ja';

/** `green=1 amber=0 red=0 buzzer=…` as printed by `fcr rig leds`. */
function parseLeds(out: string): Record<string, string> {
  return Object.fromEntries(
    out
      .trim()
      .split(/\s+/)
      .map((kv) => kv.split('=') as [string, string]),
  );
}

describe('e2e: LEDs, buzzer, presence sensor and 職員を呼ぶ (issue 16)', function () {
  this.timeout(180_000);
  let rig: RigUnderTmux;
  before(async () => {
    rig = await RigUnderTmux.start();
  });
  after(async () => {
    await rig?.fcr('backend', 'clear').catch(() => undefined);
    await rig?.stop();
  });

  it('idle green; presence wakes the prompt; the counter red; 職員を呼ぶ buzzes and reaches the terminal until cleared', async () => {
    await rig.waitForScreen(ja.idlePlaceCard);
    assert.deepEqual(parseLeds(await rig.fcr('leds')), { green: '1', amber: '0', red: '0', buzzer: 'none' });

    await rig.fcr('presence', 'on');
    await rig.waitForScreen(ja.idleAwake);
    await rig.fcr('presence', 'off');
    await rig.waitFor(() => !rig.flatScreen().includes(ja.idleAwake), 20_000, 'the idle prompt at rest');

    await rig.fcr('backend', 'http-5xx*always');
    await rig.fcr('insert', 'valid');
    await rig.waitForScreen(ja.methodQuestion);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await rig.waitForScreen(ja.goToCounter, 40_000);
    const atCounter = parseLeds(await rig.fcr('leds'));
    assert.deepEqual({ green: atCounter.green, amber: atCounter.amber, red: atCounter.red }, { green: '0', amber: '0', red: '1' });
    assert.equal(atCounter.buzzer, 'error');

    assert.deepEqual(JSON.parse(await rig.fcr('notices')), { staffCalls: [] });
    await rig.fcr('tap', ja.buttonCallStaff);
    assert.equal(parseLeds(await rig.fcr('leds')).buzzer, 'call-staff');
    const pending = JSON.parse(await rig.fcr('notices')) as { staffCalls: { id: string; at: string }[] };
    assert.equal(pending.staffCalls.length, 1);
    const [call] = pending.staffCalls;
    assert.deepEqual(Object.keys(call!).sort(), ['at', 'id'], 'ids and times only');
    assert.ok(!Number.isNaN(Date.parse(call!.at)));
    // The call did not end the session: the counter screen is still there.
    assert.ok(rig.flatScreen().includes(ja.goToCounter));

    const cleared = JSON.parse(await rig.fcr('notices', 'clear')) as { cleared: number };
    assert.equal(cleared.cleared, 1);
    assert.deepEqual(JSON.parse(await rig.fcr('notices')), { staffCalls: [] });
    await rig.fcr('backend', 'clear');
    await rig.fcr('remove');
    await rig.waitForScreen(ja.idlePlaceCard, 40_000);
    assert.deepEqual(
      (({ green, amber, red }) => ({ green, amber, red }))(parseLeds(await rig.fcr('leds'))),
      { green: '1', amber: '0', red: '0' },
    );
  });

  it('a card whose chip never answers reset (pcscd: present, mute): the counter screen and the staff cause, not a silent idle panel', async () => {
    await rig.waitForScreen(ja.idlePlaceCard);
    const before = (await rig.receptions()).length;
    await rig.fcr('insert', 'valid', '--mute');
    await rig.waitForScreen(ja.goToCounter, 40_000);
    assert.ok(rig.flatScreen().includes(ja.counterTrouble));
    const guidance = await rig.fcr('guidance');
    assert.ok(guidance.includes(ja.guidanceCause['card-read'].unreadable), guidance);
    // Nothing reached the backend: no certificate was ever read.
    assert.equal((await rig.receptions()).length, before);
    await rig.fcr('remove');
    await rig.waitForScreen(ja.idlePlaceCard, 40_000);
  });
});
