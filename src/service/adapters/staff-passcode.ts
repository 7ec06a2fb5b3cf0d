/** The staff passcode check (SPEC §3.1) against the salted hash in the facility configuration. */
import { checkStaffPasscode, type FacilityConfig } from '../../config';
import type { StaffPasscodePort } from '../ports';

export function staffPasscodeFromConfig(config: FacilityConfig): StaffPasscodePort {
  return { check: (passcode) => checkStaffPasscode(passcode.reveal(), config.staff.passcode).catch(() => false) };
}
