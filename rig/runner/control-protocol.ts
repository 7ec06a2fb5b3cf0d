/**
 * The rig control protocol: what `fcr rig insert|remove|phone|tap|pin|face|staff|screen` asks the
 * running service over a local Unix socket. One JSON object a line each way. The socket exists
 * only in rig mode (issue 4 §3): a device in production has no way to inject cards or taps.
 */
import { z } from 'zod';
import { rigFaceKinds, type RigFaceKind } from '../personas/face-images';

export const RigRequestSchema = z.discriminatedUnion('command', [
  /** `mute`: the card lies on the reader but its chip never answers reset (SCARD_STATE_MUTE). */
  z.object({ command: z.literal('insert'), persona: z.string().min(1), mute: z.boolean().optional() }),
  z.object({ command: z.literal('remove') }),
  z.object({ command: z.literal('phone'), kind: z.enum(['android', 'iphone']) }),
  z.object({ command: z.literal('tap'), label: z.string().min(1) }),
  /** A finger on the glass at a panel cell, sent as HID digitizer reports (issue 4 §2). */
  z.object({ command: z.literal('touch'), col: z.number().int().min(0), row: z.number().int().min(0) }),
  z.object({ command: z.literal('pin'), digits: z.string().regex(/^[0-9]{1,8}$/) }),
  /**
   * What the face camera sees; `broken`: the camera gives no picture (SPEC §2 kind ② fallback);
   * the turns and `print` (issue 14): rig/personas/face-images.ts RigFaceKind.
   */
  z.object({ command: z.literal('face'), kind: z.enum([...rigFaceKinds, 'broken']) }),
  z.object({ command: z.literal('staff'), passcode: z.string().regex(/^[0-9]{4}$/) }),
  z.object({ command: z.literal('screen') }),
  z.object({ command: z.literal('receptions') }),
  /** What the reception terminal shows staff for the last counter session (SPEC §8, Japanese). */
  z.object({ command: z.literal('guidance') }),
  /** The reception terminal's older 目視確認 mode switch (SPEC §3.1), as the terminal sends it. */
  z.object({ command: z.literal('visual-mode'), on: z.boolean() }),
  /** Staff tick 「目視で本人確認完了」 on the reception terminal (seed 000 p.27). */
  z.object({ command: z.literal('visual-confirm') }),
  /** Backend simulator faults, `fcr backend-sim --fault` syntax (`http-5xx*always`), or `clear`. */
  z.object({ command: z.literal('backend'), fault: z.string().min(1) }),
  /** The reception terminal's list of 職員を呼ぶ calls (issue 16); `clear`: staff answered them. */
  z.object({ command: z.literal('notices'), clear: z.boolean().optional() }),
  /** The simulated GPIO chip's LED levels and the last buzzer pattern (issue 16). */
  z.object({ command: z.literal('leds') }),
  /** Drives the presence sensor under the card tray (hardware/pin-map.json `presenceSensor`). */
  z.object({ command: z.literal('presence'), on: z.boolean() }),
]);

export type RigRequest = z.infer<typeof RigRequestSchema>;

export type RigResponse = { ok: true; text?: string; data?: unknown } | { ok: false; error: string; message: string };

/** What the rig does for each command; implemented by the running rig (`rig-runner.ts`). */
export interface RigActions {
  insert(persona: string, mute?: boolean): Promise<void>;
  remove(): Promise<void>;
  phone(kind: 'android' | 'iphone'): Promise<void>;
  tap(label: string): Promise<void>;
  touch(col: number, row: number): Promise<void>;
  pin(digits: string): Promise<void>;
  face(kind: RigFaceKind | 'broken'): Promise<void>;
  staff(passcode: string): Promise<void>;
  screen(): Promise<string>;
  receptions(): Promise<unknown>;
  /** The last session's staff guidance lines, empty when there is none. */
  guidance(): Promise<string[]>;
  backend(fault: string): Promise<void>;
  visualMode(on: boolean): Promise<void>;
  visualConfirm(): Promise<void>;
  notices(clear: boolean): Promise<unknown>;
  leds(): Promise<{ green: 0 | 1; amber: 0 | 1; red: 0 | 1; buzzer: string }>;
  presence(on: boolean): Promise<void>;
}

/** A rig command that cannot be done now (no such persona, no such button on screen). */
export class RigCommandError extends Error {
  override readonly name = 'RigCommandError';
}
