/**
 * The rig's `fcr` commands: the card emulator, the backend simulator, the rig itself and the
 * persona-driven checks. Loaded only by rig/cli/main.ts, so none of them reaches the device.
 */
import type { CommandTable } from '../../src/cli/command-table';

export const rigCommandTable: CommandTable = {
  'card emulate': {
    summary: 'run the My Number card emulator on a vpcd slot',
    load: () => import('./card-emulate'),
  },
  'card render-face': { summary: "write a test persona's printed card face as PNG (optionally degraded)", load: () => import('./card-render-face') },
  'backend-sim': { summary: 'run the eligibility-backend simulator (mTLS, faults, reception record)', load: () => import('./backend-sim') },
  rig: { summary: 'the simulated rig: start (npm start), insert, remove, phone, tap, pin, face, staff, screen', load: () => import('./rig') },
  'face check': { summary: 'check the face path: camera → inference worker → decisions (backend, verdict); --persona, --kind, --device', load: () => import('./face-check') },
  confirm: { summary: 'one non-interactive confirmation: card → PIN proof → backend → result record', load: () => import('./confirm') },
};
