/**
 * A simulated GPIO chip for the rig and tests: no GPIO exists on a development machine, so lines
 * are plain memory with the same `GpioLine` interface `onoff` gives. Tests read the LED and
 * buzzer history and drive the inputs.
 */
import type { GpioLine, LineFactory } from '../../src/devices/gpio/gpio';

export class SimulatedGpioChip {
  readonly levels = new Map<number, 0 | 1>();
  /**
   * The latest writes, in order: what the buzzer and LEDs did. Bounded: a rig that serves
   * thousands of sessions must not grow with them (the soak bench found ~23 writes a session).
   */
  readonly history: { pin: number; value: 0 | 1 }[] = [];
  static readonly HISTORY_LIMIT = 1000;
  private readonly watchers = new Map<number, ((err: Error | null | undefined, value: 0 | 1) => void)[]>();

  readonly lineFactory: LineFactory = (pin, direction) => {
    if (!this.levels.has(pin)) this.levels.set(pin, direction === 'in' ? 1 : 0);
    const line: GpioLine = {
      writeSync: (value) => {
        this.levels.set(pin, value);
        this.history.push({ pin, value });
        if (this.history.length > SimulatedGpioChip.HISTORY_LIMIT) this.history.splice(0, this.history.length - SimulatedGpioChip.HISTORY_LIMIT);
      },
      readSync: () => this.levels.get(pin) ?? 0,
      watch: (cb) => {
        const list = this.watchers.get(pin) ?? [];
        list.push(cb);
        this.watchers.set(pin, list);
      },
      unexport: () => this.watchers.delete(pin),
    };
    return line;
  };

  /** Drives an input pin as the hardware would (edge → watchers). */
  setInput(pin: number, value: 0 | 1): void {
    this.levels.set(pin, value);
    for (const cb of this.watchers.get(pin) ?? []) cb(null, value);
  }
}
