/** Figures the benches report: the median, to 0.1 ms (NaN for no samples). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const v = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return Math.round(v * 10) / 10;
}

/**
 * Wall ms and CPU ms of this process for one call: the face models run single-threaded, so the CPU
 * ms are what an idle core would take, whatever else shares the machine.
 */
export async function timed(fn: () => Promise<unknown>): Promise<[wall: number, cpu: number]> {
  const c = process.cpuUsage();
  const t = performance.now();
  await fn();
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(c);
  return [wall, (cpu.user + cpu.system) / 1000];
}
