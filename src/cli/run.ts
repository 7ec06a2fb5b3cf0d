/**
 * Runs one `fcr` command from a command table: longest match first ("card read" before "card"),
 * the command's module imported only when run (STYLE §2, lazy factory), its `run(argv)` result as
 * the exit status. Shared by the device's `fcr` (src/cli/main.ts) and the rig's (rig/cli/main.ts).
 */
import type { CommandModule, CommandTable } from './command-table';

function usage(table: CommandTable): string {
  const lines = Object.entries(table).map(([name, c]) => `  fcr ${name.padEnd(22)} ${c.summary}`);
  return ['usage: fcr <command> [options]', '', ...lines].join('\n');
}

export async function runCommand(table: CommandTable, argv: string[]): Promise<number> {
  const names = Object.keys(table).sort((a, b) => b.split(' ').length - a.split(' ').length);
  for (const name of names) {
    const words = name.split(' ');
    if (words.every((w, i) => argv[i] === w)) {
      const entry = table[name];
      if (!entry) break;
      const mod = (await entry.load()) as CommandModule;
      return mod.run(argv.slice(words.length));
    }
  }
  // No command matched: the list of commands, as an answer (help) or as the reason for exit 2.
  const asked = argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h');
  if (asked) process.stdout.write(usage(table) + '\n');
  else process.stderr.write(`unknown command: ${argv[0]}\n${usage(table)}\n`);
  return asked ? 0 : 2;
}

/** The process entry: exit status from the command, a typed one-line error otherwise. */
export function cliMain(table: CommandTable): void {
  runCommand(table, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const e = err as Error;
      console.error(`fcr: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
      process.exitCode = 1;
    },
  );
}
