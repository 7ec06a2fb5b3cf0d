/**
 * `fcr rig …`: the simulated rig. `fcr rig start` runs the whole rig with the reader service and
 * its panel in this terminal (what `npm start` does); the other subcommands drive the running rig
 * over its control socket, as a patient or a staff member would (issue 4 §3):
 *   insert <persona> | remove | phone <android|iphone> | tap "<button text>" | pin <digits>
 *   face <genuine|impostor|photo|broken> | staff <passcode> | screen | receptions
 *   backend <fault|clear> (the backend simulator's faults, for the SPEC §8 fallbacks)
 */
import type { RigRequest } from '../runner/control-protocol';
import { rigControlSocketPath, sendRigRequest } from '../runner/control-server';

const usage = `usage: fcr rig start [--headless] [--no-pcscd]
       fcr rig insert <persona> | remove | phone <android|iphone> | tap "<button text>"
       fcr rig touch <col> <row>    (a finger at a panel cell, as HID digitizer reports)
       fcr rig pin <digits> | face <genuine|impostor|photo|broken> | staff <passcode> | screen | receptions
       fcr rig backend <fault spec, e.g. http-5xx*always | latency:8000 | clear>
       fcr rig visual-mode on|off   (the reception terminal's 目視確認 mode switch)
       fcr rig visual-confirm       (the terminal's 「目視で本人確認完了」)`;

function toRequest(argv: string[]): RigRequest | undefined {
  const [cmd, arg] = argv;
  switch (cmd) {
    case 'insert':
      return arg ? { command: 'insert', persona: arg } : undefined;
    case 'remove':
      return { command: 'remove' };
    case 'phone':
      return arg === 'android' || arg === 'iphone' ? { command: 'phone', kind: arg } : undefined;
    case 'tap':
      return arg ? { command: 'tap', label: arg } : undefined;
    case 'pin':
      return arg ? { command: 'pin', digits: arg } : undefined;
    case 'touch': {
      const [col, row] = [Number(argv[1]), Number(argv[2])];
      return Number.isInteger(col) && Number.isInteger(row) ? { command: 'touch', col, row } : undefined;
    }
    case 'face':
      return arg === 'genuine' || arg === 'impostor' || arg === 'photo' || arg === 'broken' ? { command: 'face', kind: arg } : undefined;
    case 'staff':
      return arg ? { command: 'staff', passcode: arg } : undefined;
    case 'screen':
      return { command: 'screen' };
    case 'receptions':
      return { command: 'receptions' };
    case 'backend':
      return arg ? { command: 'backend', fault: arg } : undefined;
    case 'visual-mode':
      return arg === 'on' || arg === 'off' ? { command: 'visual-mode', on: arg === 'on' } : undefined;
    case 'visual-confirm':
      return { command: 'visual-confirm' };
    default:
      return undefined;
  }
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'start') {
    const { runRig } = await import('../runner/rig-runner');
    return runRig(argv.slice(1));
  }
  const req = toRequest(argv);
  if (!req) {
    process.stderr.write(usage + '\n');
    return 2;
  }
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
  if (res.data !== undefined) process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
  return 0;
}
