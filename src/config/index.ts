export { facilityConfigSchema, staffPasscodeHashSchema, type FacilityConfig, type FacilityConfigInput } from './schema';
export { ConfigError, loadConfig, parseConfig, type ConfigIssue, type ConfigOverrides } from './load';
export { hashStaffPasscode, checkStaffPasscode, PasscodeFormatError, type StaffPasscodeHash } from './passcode';
