import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { GpioIndicators, LED_LEVELS } from '../../../src/devices/gpio/gpio';
import { loadPinMap, PinMapError } from '../../../src/devices/gpio/pin-map';
import { SimulatedGpioChip } from '../../../rig/devices/simulated-gpio';

describe('GPIO indicators', () => {
  const pins = loadPinMap(join(__dirname, '../../../hardware/pin-map.json'));

  it('loads the shipped pin map', () => {
    assert.equal(pins.staffButton, 23);
  });

  it('rejects a pin map where two functions share a pin, naming the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinmap-'));
    try {
      const f = join(dir, 'p.json');
      writeFileSync(f, JSON.stringify({ ...pins, ledRed: pins.ledGreen }));
      assert.throws(() => loadPinMap(f), (e: unknown) => e instanceof PinMapError && /share/.test(e.message));
      writeFileSync(f, '{not json');
      assert.throws(() => loadPinMap(f), PinMapError);
      writeFileSync(f, JSON.stringify({ ...pins, buzzer: 99 }));
      assert.throws(() => loadPinMap(f), (e: unknown) => e instanceof PinMapError && /buzzer/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lights the LEDs of each pattern', () => {
    const chip = new SimulatedGpioChip();
    const gpio = new GpioIndicators(pins, chip.lineFactory);
    for (const [pattern, levels] of Object.entries(LED_LEVELS)) {
      gpio.setLeds(pattern as keyof typeof LED_LEVELS);
      assert.equal(chip.levels.get(pins.ledGreen), levels.ledGreen, pattern);
      assert.equal(chip.levels.get(pins.ledAmber), levels.ledAmber, pattern);
      assert.equal(chip.levels.get(pins.ledRed), levels.ledRed, pattern);
    }
    gpio.close();
  });

  it('reports the active-low staff button pressed and released', () => {
    const chip = new SimulatedGpioChip();
    const gpio = new GpioIndicators(pins, chip.lineFactory);
    const seen: [string, boolean][] = [];
    gpio.onInput((name, active) => seen.push([name, active]));
    chip.setInput(pins.staffButton, 0);
    chip.setInput(pins.staffButton, 1);
    assert.deepEqual(seen, [
      ['staffButton', true],
      ['staffButton', false],
    ]);
    gpio.close();
  });

  it('reports the active-high presence sensor: high is someone at the tray', () => {
    const chip = new SimulatedGpioChip();
    const gpio = new GpioIndicators(pins, chip.lineFactory);
    const seen: [string, boolean][] = [];
    gpio.onInput((name, active) => seen.push([name, active]));
    chip.setInput(pins.presenceSensor, 1);
    chip.setInput(pins.presenceSensor, 0);
    assert.deepEqual(seen, [
      ['presenceSensor', true],
      ['presenceSensor', false],
    ]);
    gpio.close();
  });

  it('turns the buzzer on and off for a beep and ends silent', () => {
    // The beep pattern runs on timers: a fake clock plays it out instead of waiting for it.
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
    const chip = new SimulatedGpioChip();
    const gpio = new GpioIndicators(pins, chip.lineFactory);
    try {
      const buzz = (): number[] => chip.history.filter((h) => h.pin === pins.buzzer).map((h) => h.value);
      gpio.beep('success');
      assert.deepEqual(buzz(), [1], 'sounding at once');
      assert.ok(clock.countTimers() > 0, 'the rest of the pattern is still to come');
      clock.runAll();
      assert.deepEqual(buzz(), [1, 0, 1, 0]);
      assert.equal(chip.levels.get(pins.buzzer), 0);
      assert.equal(clock.countTimers(), 0, 'nothing left scheduled once silent');
    } finally {
      gpio.close();
      clock.uninstall();
    }
  });
});
