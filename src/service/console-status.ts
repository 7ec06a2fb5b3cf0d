/**
 * What the technician console shows about the running reader service (screen id, presence,
 * backend circuit, SPEC §9 counters): read-only, counts and ids only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FacilityConfig } from '../config';
import { installRoot } from '../install-root';
import type { ConsoleBackend } from '../devices/console/technician-console';
import type { ReaderService } from './reader-service';
import type { DeviceStateStore } from './device-state-store';
import { renderStaffGuidance } from '../ui/text/staff-guidance';

const version = (JSON.parse(readFileSync(join(installRoot(), 'package.json'), 'utf8')) as { version: string }).version;

export function technicianConsoleBackend(
  service: ReaderService,
  circuitState: () => string,
  config: FacilityConfig,
  faceAvailable: boolean,
  deviceState?: DeviceStateStore,
  resultFolder?: { status(): { state: string; pending: number; written: number; lastError?: { code: string } } },
  metricsUrl?: string,
): ConsoleBackend {
  return {
    status: () => {
      const st = service.current();
      return {
        screen: st.phase.name,
        cardPresent: st.device.cardPresent,
        phonePresent: st.device.phonePresent,
        backendCircuit: circuitState(),
        readerAvailable: st.device.readerAvailable,
        ...(resultFolder ? { resultFolder: describeResultFolder(resultFolder.status()) } : {}),
        faceAvailable,
        facility: config.facility.name,
        mode: config.mode,
        uptimeSeconds: Math.round(process.uptime()),
        staffLockout: { failures: st.device.staffFailures, lockedUntil: st.device.staffLockedUntil, level: st.device.staffLockoutLevel, now: Date.now() },
        ...(deviceState ? { stateFile: deviceState.status() } : {}),
        ...(metricsUrl ? { metrics: metricsUrl } : {}),
      };
    },
    counters: () => service.counters.todayWithRate(Date.now()),
    monthCounters: () => service.counters.month(Date.now()),
    version: () => `face-card-reader ${version}`,
    guidance: () => {
      const g = service.guidance();
      return g ? renderStaffGuidance(g) : undefined;
    },
    hangEventLoop: () => {
      // After the answer has gone out on the line: block the main thread without burning CPU
      // (Atomics.wait on a word nobody notifies), so the watchdog pings stop as in a real hang.
      setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 500);
    },
  };
}

/** `ok, 12 written` / `failing (ENOSPC), 3 waiting`: counts and error codes only (issue 15). */
function describeResultFolder(s: { state: string; pending: number; written: number; lastError?: { code: string } }): string {
  return `${s.state}${s.lastError ? ` (${s.lastError.code})` : ''}, ${s.written} written${s.pending > 0 ? `, ${s.pending} waiting` : ''}`;
}
