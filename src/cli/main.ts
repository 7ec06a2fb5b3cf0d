/**
 * `fcr`: one command-line entry for technicians and test rigs.
 *
 * Commands are loaded lazily (`await import`) so `fcr card read` never loads TensorFlow.js and
 * `fcr backend-sim` never loads pcsclite (STYLE §2, lazy factory). Each command module exports
 * `run(argv: string[]): Promise<number>` returning the process exit code.
 */
import { commandTable, type CommandModule } from './command-table';

function usage(): string {
  const lines = Object.entries(commandTable).map(([name, c]) => `  fcr ${name.padEnd(22)} ${c.summary}`);
  return ['usage: fcr <command> [options]', '', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // Longest match first: "card read" before "card".
  const names = Object.keys(commandTable).sort((a, b) => b.split(' ').length - a.split(' ').length);
  for (const name of names) {
    const words = name.split(' ');
    if (words.every((w, i) => argv[i] === w)) {
      const entry = commandTable[name];
      if (!entry) break;
      const mod = (await entry.load()) as CommandModule;
      return mod.run(argv.slice(words.length));
    }
  }
  process.stdout.write(usage() + '\n');
  return argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as Error;
    console.error(`fcr: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
    process.exitCode = 1;
  },
);
