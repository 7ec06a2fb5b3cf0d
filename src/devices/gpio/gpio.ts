/**
 * LEDs, buzzer, staff button and presence sensor behind one small interface. The device drives
 * them through `onoff` (sysfs/character-device GPIO); the rig has no GPIO, so a simulated chip with
 * the same interface records outputs and lets tests press the staff button.
 */
import type { PinMap } from './pin-map';

/** The session engine's LED and beep patterns (`src/session/effects.ts`), plus the backend state. */
export type LedPattern = 'off' | 'idle' | 'busy' | 'success' | 'error' | 'reminder' | 'backend-unavailable' | 'reader-unavailable';
export type BeepPattern = 'none' | 'touch' | 'success' | 'error' | 'reminder' | 'call-staff';
export type GpioInputName = 'staffButton' | 'presenceSensor';

export interface ReaderIndicators {
  setLeds(pattern: LedPattern): void;
  beep(pattern: BeepPattern): void;
  onInput(listener: (input: GpioInputName, active: boolean) => void): () => void;
  close(): void;
}

/** Which LEDs light for each pattern (green = ready, amber = wait/attention, red = error). */
export const LED_LEVELS: Record<LedPattern, { ledGreen: 0 | 1; ledAmber: 0 | 1; ledRed: 0 | 1 }> = {
  off: { ledGreen: 0, ledAmber: 0, ledRed: 0 },
  idle: { ledGreen: 1, ledAmber: 0, ledRed: 0 },
  busy: { ledGreen: 0, ledAmber: 1, ledRed: 0 },
  success: { ledGreen: 1, ledAmber: 1, ledRed: 0 },
  reminder: { ledGreen: 0, ledAmber: 1, ledRed: 1 },
  error: { ledGreen: 0, ledAmber: 0, ledRed: 1 },
  'backend-unavailable': { ledGreen: 1, ledAmber: 0, ledRed: 1 },
  /** The card reader or pcscd is away (issue 11 item 7): all three, the one pattern no screen uses. */
  'reader-unavailable': { ledGreen: 1, ledAmber: 1, ledRed: 1 },
};

/** Buzzer on/off durations in ms for each pattern. */
export const BEEP_TIMINGS: Record<BeepPattern, number[]> = {
  none: [],
  touch: [40],
  success: [120, 80, 120],
  error: [400],
  reminder: [200, 150, 200, 150, 200],
  /** 職員を呼ぶ (issue 16): two long tones, unlike any session sound, so staff hear a call across the counter. */
  'call-staff': [600, 200, 600],
};

/** The minimal line interface both `onoff` and the simulated chip provide. */
export interface GpioLine {
  writeSync(value: 0 | 1): void;
  readSync(): 0 | 1;
  watch?(cb: (err: Error | null | undefined, value: 0 | 1) => void): void;
  unexport(): void;
}

export type LineFactory = (pin: number, direction: 'out' | 'in') => GpioLine;

/**
 * The level each input reads when active (hardware/pin-map.json): the staff button is a switch
 * to ground with a pull-up (pressed reads 0); the presence sensor is an IR proximity module whose
 * output goes high while someone stands at the tray (reads 1).
 */
export const ACTIVE_LEVEL: Readonly<Record<GpioInputName, 0 | 1>> = { staffButton: 0, presenceSensor: 1 };

export class GpioIndicators implements ReaderIndicators {
  private readonly lines: Record<keyof PinMap, GpioLine>;
  private readonly listeners = new Set<(input: GpioInputName, active: boolean) => void>();
  private beepTimer: NodeJS.Timeout | undefined;

  constructor(pins: PinMap, makeLine: LineFactory) {
    this.lines = {
      ledGreen: makeLine(pins.ledGreen, 'out'),
      ledAmber: makeLine(pins.ledAmber, 'out'),
      ledRed: makeLine(pins.ledRed, 'out'),
      buzzer: makeLine(pins.buzzer, 'out'),
      staffButton: makeLine(pins.staffButton, 'in'),
      presenceSensor: makeLine(pins.presenceSensor, 'in'),
    };
    for (const name of ['staffButton', 'presenceSensor'] as const) {
      this.lines[name].watch?.((err, value) => {
        if (!err) for (const l of this.listeners) l(name, value === ACTIVE_LEVEL[name]);
      });
    }
  }

  setLeds(pattern: LedPattern): void {
    const levels = LED_LEVELS[pattern];
    this.lines.ledGreen.writeSync(levels.ledGreen);
    this.lines.ledAmber.writeSync(levels.ledAmber);
    this.lines.ledRed.writeSync(levels.ledRed);
  }

  beep(pattern: BeepPattern): void {
    if (this.beepTimer) clearTimeout(this.beepTimer);
    const steps = BEEP_TIMINGS[pattern];
    let i = 0;
    const next = (): void => {
      if (i >= steps.length) {
        this.lines.buzzer.writeSync(0);
        this.beepTimer = undefined;
        return;
      }
      this.lines.buzzer.writeSync(i % 2 === 0 ? 1 : 0);
      this.beepTimer = setTimeout(next, steps[i++]);
      this.beepTimer.unref();
    };
    next();
  }

  onInput(listener: (input: GpioInputName, active: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.beepTimer) clearTimeout(this.beepTimer);
    for (const line of Object.values(this.lines)) line.unexport();
  }
}

/** `onoff` lines on the device; loaded lazily so the rig never touches /sys/class/gpio. */
export async function onoffLineFactory(): Promise<LineFactory> {
  const { Gpio } = (await import('onoff')) as unknown as {
    Gpio: new (pin: number, direction: string, edge?: string) => GpioLine;
  };
  return (pin, direction) => (direction === 'out' ? new Gpio(pin, 'out') : new Gpio(pin, 'in', 'both'));
}

/**
 * Lines for a board whose GPIO cannot be opened: outputs go nowhere and inputs never change (no
 * watch, so neither the staff button nor the presence sensor ever reports active), so the reader
 * still serves patients with dark LEDs and a silent buzzer.
 */
export const darkLineFactory: LineFactory = (_pin, direction) => ({
  writeSync: () => undefined,
  readSync: () => (direction === 'in' ? 1 : 0),
  unexport: () => undefined,
});
