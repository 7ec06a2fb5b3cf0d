/**
 * Command-line parsing shared by every `fcr` command (the device's in src/cli/commands, the rig's
 * in rig/cli): Node's own `parseArgs`, strict, with the usage text on stderr and exit 2 on an
 * unknown option or a wrong number of arguments, and on stdout with exit 0 for `--help` / `-h`,
 * so every command answers a typo the same way.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O & { help: { type: 'boolean' } }; strict: true; allowPositionals: true }>>;

export type ParsedOptions<O extends ParseArgsOptionsConfig> = { values: Parsed<O>['values']; positionals: string[] };

export interface PositionalRule {
  /** Fewest positional arguments (default 0). */
  min?: number;
  /** Most positional arguments (default `min`). */
  max?: number;
}

/** The usage on stderr and the usage exit status, with what was wrong first. */
export function usageError(message: string, usage: string): number {
  process.stderr.write(`${message}\n${usage}\n`);
  return 2;
}

/**
 * The parsed options (and positionals, when `positionals` allows them), or the exit code when the
 * command should stop (usage printed).
 */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(argv: string[], options: O, usage: string, positionals: PositionalRule = {}): ParsedOptions<O> | number {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' as const, short: 'h' } }, strict: true, allowPositionals: true }) as Parsed<O>;
  } catch (e) {
    return usageError((e as Error).message, usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  const min = positionals.min ?? 0;
  const max = positionals.max ?? min;
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    // The count, not the words: a stray word may be a PIN typed in the wrong place.
    const what = n > max ? `too many arguments (${n}; at most ${max})` : `missing argument${min - n > 1 ? 's' : ''}`;
    return usageError(what, usage);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * The first word of a command with actions (`fcr config check …`): the action, or the exit code
 * after the usage when it is missing, unknown, or `--help`.
 */
export function parseAction<A extends string>(argv: string[], actions: readonly A[], usage: string): { action: A; rest: string[] } | number {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    process.stdout.write(usage + '\n');
    return 0;
  }
  if (first === undefined) return usageError('missing action', usage);
  if (!(actions as readonly string[]).includes(first)) return usageError(first.startsWith('-') ? `unknown option '${first}'` : `unknown action '${first}'`, usage);
  return { action: first as A, rest };
}
