/**
 * The card reader: the driver interface and its events. The PC/SC driver (`pcsclite`, a native
 * module) is imported by the composition root only; the rig's simulated driver lives in
 * `rig/devices/` behind the same interface.
 */
export * from './card-reader-driver';
export type { PcscliteCardReaderDriver } from './pcsclite-driver';
