/**
 * `fcr card emulate --persona NAME [--slot 0|1] [--host H] [--port N] [--pin NNNN] [--fault F]…`
 *
 * Puts a persona's virtual My Number card on a vpcd reader of pcscd and keeps it there until
 * interrupted (issue 2 §2), reconnecting if pcscd restarts. Prints one line each time the card
 * is on the reader. The PIN is never printed or logged.
 *
 * Faults (repeatable): `no-answer`, `no-activation` (a mute card: pcscd sees it but it never
 * answers reset), `delay=MS`, `remove-after=N` (answers N APDUs, then is pulled
 * out mid-exchange), `sw=AFTER:XXXX` (every APDU after AFTER answered with status XXXX),
 * `truncate=N` (response data cut to N bytes).
 */
import { parseArgs } from 'node:util';
import { findPersona, personaNames, type PersonaName } from '../personas/catalogue';
import { defaultRigDir, loadRigCredentials } from '../personas/credentials';
import { startCardEmulator, VPCD_DEFAULT_PORTS, VpcdStoppedError, type CardFaults } from '../emulator';
import { createLogger } from '../../src/log/logger';

const USAGE = `usage: fcr card emulate --persona NAME [--slot 0|1] [--host HOST] [--port N] [--pin NNNN]
                         [--fault no-answer|no-activation|delay=MS|remove-after=N|sw=AFTER:XXXX|truncate=N]... [--verbose]

Puts the persona's virtual My Number card on pcscd's vpcd reader (slot 0 = card reader on TCP
35963, slot 1 = smartphone reader on 35964, unless --port) and keeps it there until Ctrl-C.
Rig keys live in ${'$'}FCR_RIG_DIR or <repo>/.rig.
Personas: ${personaNames().join(', ')}`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function integer(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a number: ${text}`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${what} must be between ${min} and ${max}: ${text}`);
  return n;
}

/** Parses the `--fault` values into card faults. */
export function parseFaults(values: string[]): CardFaults {
  const faults: CardFaults = {};
  for (const v of values) {
    const [name, arg = ''] = v.split('=', 2) as [string, string | undefined];
    switch (name) {
      case 'no-answer':
        faults.noAnswer = true;
        break;
      case 'no-activation':
        faults.noActivation = true;
        break;
      case 'delay':
        faults.delayMs = integer(arg, 'delay', 0, 600_000);
        break;
      case 'remove-after':
        faults.removeAfterApdus = integer(arg, 'remove-after', 0, 1_000_000);
        break;
      case 'truncate':
        faults.truncateResponsesTo = integer(arg, 'truncate', 0, 65536);
        break;
      case 'sw': {
        const m = /^(\d+):([0-9A-Fa-f]{4})$/.exec(arg);
        if (!m) throw new UsageError(`sw fault is sw=AFTER:XXXX (hex status word): ${arg}`);
        faults.statusWordOverride = { afterApdus: Number(m[1]), sw: parseInt(m[2] ?? '', 16) };
        break;
      }
      default:
        throw new UsageError(`unknown fault: ${v}`);
    }
  }
  return faults;
}

interface EmulateOptions {
  persona: PersonaName;
  slot: 0 | 1;
  host: string;
  port: number;
  pin: string | undefined;
  faults: CardFaults;
  verbose: boolean;
}

export function parseEmulateArgs(argv: string[]): EmulateOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        persona: { type: 'string' },
        slot: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        pin: { type: 'string' },
        fault: { type: 'string', multiple: true },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.persona === undefined) throw new UsageError('--persona is required');
  const persona = findPersona(v.persona);
  if (!persona) throw new UsageError(`unknown persona: ${v.persona}`);
  const slot = v.slot === undefined ? persona.slot : (integer(v.slot, '--slot', 0, 1) as 0 | 1);
  const port = v.port === undefined ? VPCD_DEFAULT_PORTS[slot] : integer(v.port, '--port', 1, 65535);
  if (v.pin !== undefined && !/^\d{4}$/.test(v.pin)) throw new UsageError('--pin must be 4 digits');
  return {
    persona: persona.name,
    slot,
    host: v.host ?? '127.0.0.1',
    port,
    pin: v.pin,
    faults: parseFaults(v.fault ?? []),
    verbose: v.verbose ?? false,
  };
}

export async function run(argv: string[]): Promise<number> {
  let options: EmulateOptions | 'help';
  try {
    options = parseEmulateArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fcr card emulate: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const o = options;
  const logger = createLogger('fcr.emulator', { level: o.verbose ? 'debug' : 'warn' });
  const credentials = await loadRigCredentials({ dir: defaultRigDir() });
  // The whole card (JPKI + 券面 applications); loaded lazily so the codecs it renders the card
  // face with stay out of every other command (STYLE §2).
  const { createFullPersonaCard } = await import('../emulator/full-persona-card');
  const card = await createFullPersonaCard({
    persona: o.persona,
    credentials,
    ...(o.pin !== undefined ? { pin: o.pin } : {}),
    faults: o.faults,
    logger,
  });
  const link = await startCardEmulator({ host: o.host, port: o.port, card: null, logger });
  const where = `vpcd ${o.host}:${o.port}, slot ${o.slot}`;

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      link.stop().then(
        () => resolve(code),
        () => resolve(code),
      );
    };
    const onSignal = (): void => finish(0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    link.onConnected(() => process.stdout.write(`card ${o.persona} on the reader (${where})\n`));
    link.onWithdrawn(() => {
      process.stdout.write(`card ${o.persona} withdrawn during APDU #${card.apduCount} (fault remove-after)\n`);
      finish(0);
    });
    process.stderr.write(`waiting for pcscd's vpcd reader at ${o.host}:${o.port}…\n`);
    link.insert(card).catch((error: unknown) => {
      if (error instanceof VpcdStoppedError) return;
      process.stderr.write(`fcr card emulate: ${(error as Error).message}\n`);
      finish(1);
    });
  });
}
