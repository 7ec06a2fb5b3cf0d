export { facilityConfigSchema, staffPasscodeHashSchema, type FacilityConfig, type FacilityConfigInput } from './schema';
export { ConfigError, loadConfig, parseConfig, readConfig, readConfigFile, type ConfigIssue, type ConfigOverrides, type LoadedConfig } from './load';
export { CONFIG_VERSION, migrateConfig, migrationSteps, type MigrationRecord, type RawConfig } from './migrations';
export { hashStaffPasscode, checkStaffPasscode, PasscodeFormatError, type StaffPasscodeHash } from './passcode';
