/** `fcr service run [--config FILE] [--headless] [--panel-tty /dev/tty1]`: the device's service (systemd ExecStart). */
import { parseDeviceArgs } from '../../service/device-args';

export async function run(argv: string[]): Promise<number> {
  // Usage and typos are answered before the drivers (pcsclite, blessed, TF.js) are loaded.
  const args = parseDeviceArgs(argv);
  if (typeof args === 'number') return args;
  const { runDevice } = await import('../../service/device-main');
  return runDevice(argv);
}
