/**
 * `npm run bench`: runs every `test/bench/*.bench.ts` in turn; each prints one JSON object per
 * line on stdout (`{"bench":"card-read",...}`). Timing goals live here, never in unit tests.
 * A bench file exports `run(): Promise<void>`. Pass names to run only some: `npm run bench -- card-read`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  for (const f of files) {
    const mod = (await import(join(__dirname, f))) as { run(): Promise<void> };
    try {
      await mod.run();
    } catch (err) {
      console.log(JSON.stringify({ bench: f.replace(/\.bench\.ts$/, ''), error: String(err) }));
      process.exitCode = 1;
    }
  }
}

// Exit when the benches are done even if a bench left a handle open (a worker thread, a socket):
// the figures are printed, and a bench run must never hang CI or a technician's terminal.
void main().then(() => process.exit());
