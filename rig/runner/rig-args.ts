/**
 * The command line of `fcr rig start` (what `npm start` runs), on the shared parser: kept apart
 * from rig-runner.ts so `--help` and a typo are answered before the rig's drivers are loaded.
 */
import { parseCommandLine } from '../../src/cli/args';

export const rigStartUsage = `usage: fcr rig start [--headless] [--no-pcscd] [--config FILE]
  --headless    no panel in this terminal (tests, CI)
  --no-pcscd    the in-process virtual reader instead of a private pcscd with vpcd
  --config FILE JSON overrides merged into the rig's configuration (rig/rig-config.ts)`;

export interface RigArgs {
  headless: boolean;
  pcscd: boolean;
  configFile: string | undefined;
}

/** The arguments, or the exit status when the rig should not start (usage printed). */
export function parseRigStartArgs(argv: string[]): RigArgs | number {
  const parsed = parseCommandLine(argv, { headless: { type: 'boolean', default: false }, 'no-pcscd': { type: 'boolean', default: false }, config: { type: 'string' } }, rigStartUsage);
  if (typeof parsed === 'number') return parsed;
  return { headless: parsed.values.headless, pcscd: !parsed.values['no-pcscd'], configFile: parsed.values.config };
}
