/**
 * `fcr` in a checkout (bin/fcr.js): the device's commands plus the rig's. `fcr rig …`,
 * `fcr backend-sim`, `fcr card emulate` exist only where the rig is installed.
 */
import { commandTable } from '../../src/cli/command-table';
import { cliMain } from '../../src/cli/run';
import { rigCommandTable } from './command-table';

cliMain({ ...commandTable, ...rigCommandTable });
