export { facilityConfigSchema, staffPasscodeHashSchema, type FacilityConfig, type FacilityConfigInput } from './schema';
export { ConfigError, loadConfig, parseConfig, defaultRigConfig, RIG_STAFF_PASSCODE, type ConfigIssue, type ConfigOverrides } from './load';
export { hashStaffPasscode, checkStaffPasscode, PasscodeFormatError, type StaffPasscodeHash } from './passcode';
