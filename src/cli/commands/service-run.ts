/** `fcr service run [--config FILE] [--headless] [--panel-tty /dev/tty1]`: the device's service (systemd ExecStart). */
export async function run(argv: string[]): Promise<number> {
  const { runDevice } = await import('../../service/device-main');
  return runDevice(argv);
}
