/**
 * `fcr` on the device: the technician's commands (card read, card-face scan, config, firmware)
 * and the service itself. The rig's commands are added by rig/cli/main.ts, which is what `fcr`
 * runs in a checkout (bin/fcr.js); none of them ship to the device.
 */
import { commandTable } from './command-table';
import { cliMain } from './run';

cliMain(commandTable);
