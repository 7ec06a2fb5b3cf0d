/**
 * The command line of `fcr service run` (systemd's ExecStart, systemd/face-card-reader.service),
 * on the shared parser: `--help` prints the usage (exit 0), an unknown option or a stray argument
 * is refused with it (exit 2) before any driver is loaded, instead of being ignored.
 */
import { parseCommandLine } from '../cli/args';

export const DEFAULT_CONFIG_FILE = '/etc/face-card-reader/config.json';

export const serviceRunUsage = `usage: fcr service run [--config FILE] [--headless] [--panel-tty DEV]
  --config FILE     the device configuration (default ${DEFAULT_CONFIG_FILE})
  --headless        no panel (the service still reads cards and answers the console)
  --panel-tty DEV   draw the panel on this terminal (e.g. /dev/tty1) instead of stdout`;

export interface DeviceArgs {
  configFile: string;
  headless: boolean;
  panelTty: string | undefined;
}

/** The arguments, or the exit status when the service should not start (usage printed). */
export function parseDeviceArgs(argv: string[]): DeviceArgs | number {
  const parsed = parseCommandLine(
    argv,
    { config: { type: 'string', default: DEFAULT_CONFIG_FILE }, headless: { type: 'boolean', default: false }, 'panel-tty': { type: 'string' } },
    serviceRunUsage,
  );
  if (typeof parsed === 'number') return parsed;
  return { configFile: parsed.values.config, headless: parsed.values.headless, panelTty: parsed.values['panel-tty'] };
}
