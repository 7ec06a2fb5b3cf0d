/**
 * Holding the face camera's exposure and white balance still for the colour flash (issue 14,
 * docs/face.md "Colour flash"). The cue compares three frames lit red and blue by the panel; a
 * camera that re-exposes or re-balances between them undoes part of the flash (an automatic
 * white balance pulls a red-lit face back towards grey), so for those frames the automatic
 * controls are switched to manual and switched back after.
 *
 * ffmpeg's V4L2 input sets no controls, so this runs Debian's `v4l2-ctl` (package v4l-utils):
 * `--list-ctrls` for what the camera has and its current values, `--set-ctrl` to change them.
 * Control names are the kernel's (`auto_exposure`, `white_balance_automatic` since Linux 5.15;
 * the older `exposure_auto`, `white_balance_temperature_auto` are accepted too). The exposure
 * menu is V4L2's: 1 is manual (V4L2_EXPOSURE_MANUAL), whatever the camera's automatic mode is.
 *
 * Assumed, to check on the chosen camera module: a UVC camera switched to manual keeps the
 * exposure it had (the `exposure_time_absolute` shown while automatic is the last manual value,
 * not the automatic one, so it is not written).
 */
import { execFile } from 'node:child_process';

/** Runs a program and resolves with its stdout; rejects when it fails (exit code, not found). */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<string>;

export const execFileRunner: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 5000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${(stderr || err.message).trim().split('\n').at(-1) ?? ''}`));
      else resolve(stdout);
    });
  });

export class CameraControlError extends Error {
  override readonly name = 'CameraControlError';
  constructor(
    readonly device: string,
    readonly step: 'list' | 'hold' | 'release',
    detail: string,
  ) {
    super(`camera controls of ${device} (${step}): ${detail}`);
  }
}

export interface V4l2Control {
  name: string;
  type: string;
  value: number;
}

/** The controls of `v4l2-ctl --list-ctrls` (menu items and section headings are skipped). */
export function parseControls(listing: string): Map<string, V4l2Control> {
  const controls = new Map<string, V4l2Control>();
  for (const line of listing.split('\n')) {
    const m = /^\s*([a-z0-9_]+) 0x[0-9a-f]+ \(([a-z0-9]+)\)\s*:.*?\bvalue=(-?\d+)/.exec(line);
    if (m) controls.set(m[1]!, { name: m[1]!, type: m[2]!, value: Number(m[3]) });
  }
  return controls;
}

/** Each automatic control by its names, newest first, and the value that turns it off. */
const AUTOMATIC: { names: readonly string[]; off: number }[] = [
  { names: ['auto_exposure', 'exposure_auto'], off: 1 },
  { names: ['white_balance_automatic', 'white_balance_temperature_auto'], off: 0 },
];

/**
 * Switches the camera's automatic exposure and white balance to manual; resolves with the
 * function that switches them back to the values they had. A camera without such controls has
 * nothing to hold (the release does nothing). Rejects with CameraControlError when v4l2-ctl fails.
 */
export async function holdExposure(device: string, run: CommandRunner = execFileRunner): Promise<() => Promise<void>> {
  const listing = await run('v4l2-ctl', ['-d', device, '--list-ctrls']).catch((e: unknown) => {
    throw new CameraControlError(device, 'list', (e as Error).message);
  });
  const controls = parseControls(listing);
  const held: { name: string; previous: number; off: number }[] = [];
  for (const a of AUTOMATIC) {
    const c = a.names.map((n) => controls.get(n)).find((x) => x !== undefined);
    if (c && c.value !== a.off) held.push({ name: c.name, previous: c.value, off: a.off });
  }
  if (held.length === 0) return async () => undefined;
  const set = (values: readonly string[], step: 'hold' | 'release'): Promise<void> =>
    run('v4l2-ctl', ['-d', device, '--set-ctrl', values.join(',')]).then(
      () => undefined,
      (e: unknown) => {
        throw new CameraControlError(device, step, (e as Error).message);
      },
    );
  await set(held.map((c) => `${c.name}=${c.off}`), 'hold');
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await set(held.map((c) => `${c.name}=${c.previous}`), 'release');
  };
}
