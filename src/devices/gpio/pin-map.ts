/**
 * The board's GPIO pin map (`hardware/pin-map.json`), validated once at start-up: a duplicated or
 * out-of-range pin is a wiring error a technician must see before the first patient, not a
 * silent LED that never lights.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const bcmPin = z.number().int().min(2).max(27);

export const PinMapSchema = z
  .object({
    ledGreen: bcmPin,
    ledAmber: bcmPin,
    ledRed: bcmPin,
    buzzer: bcmPin,
    staffButton: bcmPin,
    presenceSensor: bcmPin,
  })
  .refine((m) => new Set(Object.values(m)).size === Object.values(m).length, { message: 'two functions share one GPIO pin' });

export type PinMap = z.infer<typeof PinMapSchema>;

export class PinMapError extends Error {
  override readonly name = 'PinMapError';
  constructor(readonly file: string, readonly problems: string[]) {
    super(`pin map ${file} is invalid: ${problems.join('; ')}`);
  }
}

export function loadPinMap(file: string): PinMap {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PinMapError(file, [(e as Error).message]);
  }
  if (raw && typeof raw === 'object') delete (raw as Record<string, unknown>)['$comment'];
  const parsed = PinMapSchema.safeParse(raw);
  if (!parsed.success) throw new PinMapError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(map)'}: ${i.message}`));
  return parsed.data;
}
