/**
 * `fcr rig …`: the simulated rig. `fcr rig start` runs the whole rig with the reader service and
 * its panel in this terminal (what `npm start` does); the other subcommands drive the running rig
 * over its control socket, as a patient or a staff member would (issue 4 §3):
 *   insert <persona> [--mute] | remove | phone <android|iphone> | tap "<button text>" | pin <digits>
 *   face <kind> (rig/personas/face-images.ts rigFaceKinds, or broken) | staff <passcode> | screen | receptions
 *   backend <fault|clear> (the backend simulator's faults, for the SPEC §8 fallbacks)
 */
import type { ParseArgsConfig } from 'node:util';
import type { RigRequest } from '../runner/control-protocol';
import { rigControlSocketPath, sendRigRequest } from '../runner/control-server';
import { parseAction, parseCommandLine, usageError } from '../../src/cli/args';
import { parseRigStartArgs } from '../runner/rig-args';
import { rigFaceKinds, type RigFaceKind } from '../personas/face-images';

const usage = `usage: fcr rig start [--headless] [--no-pcscd] [--config FILE]   (fcr rig start --help for the options)
       fcr rig insert <persona> [--mute] | remove | phone <android|iphone> | tap "<button text>"
       fcr rig touch <col> <row>    (a finger at a panel cell, as HID digitizer reports)
       fcr rig pin <digits> | face <${[...rigFaceKinds, 'broken'].join('|')}> | staff <passcode> | screen | receptions
       fcr rig guidance             (the terminal's staff guidance for the last counter session, SPEC §8)
       fcr rig backend <fault spec, e.g. http-5xx*always | latency:8000 | clear>
       fcr rig visual-mode on|off   (the reception terminal's 目視確認 mode switch)
       fcr rig visual-confirm       (the terminal's 「目視で本人確認完了」)
       fcr rig notices [clear]      (the terminal's pending 職員を呼ぶ calls; clear: staff answered)
       fcr rig leds                 (LED levels and the last buzzer pattern of the simulated GPIO)
       fcr rig presence on|off      (the presence sensor under the card tray)`;

/** Each subcommand and how many words follow it. */
const ARITY = {
  start: 0,
  insert: 1,
  remove: 0,
  phone: 1,
  tap: 1,
  touch: 2,
  pin: 1,
  face: 1,
  staff: 1,
  screen: 0,
  receptions: 0,
  guidance: 0,
  backend: 1,
  'visual-mode': 1,
  'visual-confirm': 0,
  notices: 0,
  leds: 0,
  presence: 1,
} as const;
type Subcommand = keyof typeof ARITY;

function toRequest(cmd: Exclude<Subcommand, 'start'>, args: string[], mute = false): RigRequest | undefined {
  const [arg = ''] = args;
  switch (cmd) {
    case 'insert':
      return mute ? { command: 'insert', persona: arg, mute } : { command: 'insert', persona: arg };
    case 'remove':
      return { command: 'remove' };
    case 'phone':
      return arg === 'android' || arg === 'iphone' ? { command: 'phone', kind: arg } : undefined;
    case 'tap':
      return { command: 'tap', label: arg };
    case 'pin':
      return { command: 'pin', digits: arg };
    case 'touch': {
      const [col, row] = [Number(args[0]), Number(args[1])];
      return Number.isInteger(col) && Number.isInteger(row) ? { command: 'touch', col, row } : undefined;
    }
    case 'face':
      return arg === 'broken' || (rigFaceKinds as readonly string[]).includes(arg) ? { command: 'face', kind: arg as RigFaceKind | 'broken' } : undefined;
    case 'staff':
      return { command: 'staff', passcode: arg };
    case 'screen':
      return { command: 'screen' };
    case 'receptions':
      return { command: 'receptions' };
    case 'guidance':
      return { command: 'guidance' };
    case 'backend':
      return { command: 'backend', fault: arg };
    case 'visual-mode':
      return arg === 'on' || arg === 'off' ? { command: 'visual-mode', on: arg === 'on' } : undefined;
    case 'visual-confirm':
      return { command: 'visual-confirm' };
    case 'notices':
      if (args.length === 0) return { command: 'notices' };
      return arg === 'clear' ? { command: 'notices', clear: true } : undefined;
    case 'leds':
      return { command: 'leds' };
    case 'presence':
      return arg === 'on' || arg === 'off' ? { command: 'presence', on: arg === 'on' } : undefined;
  }
}

export async function run(argv: string[]): Promise<number> {
  const a = parseAction(argv, Object.keys(ARITY) as Subcommand[], usage);
  if (typeof a === 'number') return a;
  if (a.action === 'start') {
    // Answered here, before the rig's drivers load; runRig parses the same words again.
    const args = parseRigStartArgs(a.rest);
    if (typeof args === 'number') return args;
    const { runRig } = await import('../runner/rig-runner');
    return runRig(a.rest);
  }
  // `notices` takes an optional `clear`.
  const flags: NonNullable<ParseArgsConfig['options']> = a.action === 'insert' ? { mute: { type: 'boolean' } } : {};
  const parsed = parseCommandLine(a.rest, flags, usage, { min: ARITY[a.action], max: a.action === 'notices' ? 1 : ARITY[a.action] });
  if (typeof parsed === 'number') return parsed;
  const req = toRequest(a.action, parsed.positionals, (parsed.values as { mute?: boolean }).mute === true);
  if (!req) return usageError(`bad argument for ${a.action}: ${parsed.positionals.join(' ')}`, usage);
  let res;
  try {
    res = await sendRigRequest(rigControlSocketPath(), req);
  } catch (e) {
    process.stderr.write(`fcr rig: the rig is not running (${(e as Error).message}); start it with npm start\n`);
    return 3;
  }
  if (!res.ok) {
    process.stderr.write(`fcr rig: ${res.error}: ${res.message}\n`);
    return 1;
  }
  if (res.text !== undefined) process.stdout.write(res.text + '\n');
  else if (res.data !== undefined) process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
  return 0;
}
