/**
 * Command-line parsing shared by the `fcr` commands: Node's own `parseArgs`, with the usage text on
 * a bad option (exit 2) and on `--help` (exit 0), so every command answers a typo the same way.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export type ParsedOptions<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O & { help: { type: 'boolean' } }; strict: true; allowPositionals: false }>>;

/** The parsed options, or the exit code when the command should stop (usage printed). */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(argv: string[], options: O, usage: string): ParsedOptions<O> | number {
  let parsed: ParsedOptions<O>;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' as const, short: 'h' } }, strict: true, allowPositionals: false }) as ParsedOptions<O>;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage}\n`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  return parsed;
}
