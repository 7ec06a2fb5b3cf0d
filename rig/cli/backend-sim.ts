/**
 * `fcr backend-sim [--port N] [--admin-port N] [--latency MS] [--fault SPEC]... [--facility CODE]`
 *
 * Runs the eligibility-backend simulator on 127.0.0.1 until SIGINT/SIGTERM (issue 3 §3). Its
 * facility CA and the reader's / reception computer's TLS credentials (test keys) go to
 * `<rig dir>/backend/` so `fcr confirm` and the reader service find it with no setup; one JSON
 * line on stdout gives the URLs. Faults: `--fault kind[:arg][@path][*times]` (see faults.ts), or
 * at run time `curl -X POST <adminUrl>/_sim/faults -d '{"inject":[{"fault":{"kind":"http-5xx"}}]}'`.
 */
import { parseCommandLine } from '../../src/cli/args';
import { backendRigDir, removeBackendRigFiles, writeBackendRigFiles } from '../backend-simulator/rig-files';
import { parseFaultSpec } from '../backend-simulator/faults';
import { BackendSimulator, DEFAULT_FACILITY_CODE } from '../backend-simulator/server';
import { createLogger, type LogLevel } from '../../src/log/logger';

const usage = `usage: fcr backend-sim [--port N] [--admin-port N] [--latency MS] [--fault SPEC]... [--facility CODE] [--log-level LEVEL]
  --fault  kind[:arg][@path][*times|*always]; kinds: latency:MS http-5xx[:STATUS] malformed-body
           schema-violation connection-reset[:before|after] slow-drip[:INTERVAL_MS] tls-failure`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      port: { type: 'string', default: '0' },
      'admin-port': { type: 'string', default: '0' },
      latency: { type: 'string', default: '0' },
      fault: { type: 'string', multiple: true, default: [] },
      facility: { type: 'string', default: DEFAULT_FACILITY_CODE },
      'log-level': { type: 'string', default: 'info' },
    },
    usage,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const nums = [values.port, values['admin-port'], values.latency].map(Number);
  if (nums.some((n) => !Number.isInteger(n) || n < 0) || !/^[0-9]{10}$/.test(values.facility)) {
    process.stderr.write(`bad number or facility code\n${usage}\n`);
    return 2;
  }
  let faults;
  try {
    faults = values.fault.map(parseFaultSpec);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const logger = createLogger('backend-sim', { level: values['log-level'] as LogLevel });
  const sim = await BackendSimulator.start({
    port: nums[0],
    adminPort: nums[1],
    latencyMs: nums[2],
    faults,
    facilityCode: values.facility,
    logger,
  });
  const dir = backendRigDir();
  await writeBackendRigFiles(dir, sim.pki, {
    baseUrl: sim.url,
    ...(sim.adminUrl ? { adminUrl: sim.adminUrl } : {}),
    facilityCode: sim.facilityCode,
    deviceId: sim.pki.device.deviceId,
    pid: process.pid,
  });
  process.stdout.write(JSON.stringify({ backendSim: 'listening', url: sim.url, adminUrl: sim.adminUrl, credentials: dir }) + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await removeBackendRigFiles(dir);
  await sim.stop();
  return 0;
}
