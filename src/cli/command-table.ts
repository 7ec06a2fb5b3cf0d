/**
 * The table of `fcr` subcommands. One line per command; the module is imported only when run.
 * Add new commands here (each in `src/cli/commands/<name>.ts`).
 */
export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

export interface CommandEntry {
  summary: string;
  load(): Promise<unknown>;
}

export const commandTable: Record<string, CommandEntry> = {
  'card emulate': {
    summary: 'run the My Number card emulator on a vpcd slot',
    load: () => import('./commands/card-emulate'),
  },
  'card read': {
    summary: 'read the card on a PC/SC reader (certificate, status, photo, tries)',
    load: () => import('./commands/card-read'),
  },
  'card render-face': { summary: "write a test persona's printed card face as PNG (optionally degraded)", load: () => import('./commands/card-render-face') },
  'card face-scan': { summary: 'recognise 照合番号B on a card-face image (technician tool; touches no card)', load: () => import('./commands/card-face-scan') },
  'backend-sim': { summary: 'run the eligibility-backend simulator (mTLS, faults, reception record)', load: () => import('./commands/backend-sim') },
  'service run': { summary: 'the reader service on the device (systemd ExecStart): --config FILE [--headless] [--panel-tty DEV]', load: () => import('./commands/service-run') },
  config: { summary: 'check FILE (validate the device configuration) | hash-passcode (staff passcode on stdin → hash)', load: () => import('./commands/config') },
  firmware: { summary: 'signed update bundles: verify <dir> --key PUB | pack <src> <out> --version V --key PRIV | install <dir> [--tries N] | status (A/B slots)', load: () => import('./commands/firmware') },
  rig: { summary: 'the simulated rig: start (npm start), insert, remove, phone, tap, pin, face, staff, screen', load: () => import('./commands/rig') },
  'face check': { summary: 'check the face path: camera → inference worker → decisions (backend, verdict); --persona, --kind, --device', load: () => import('../face/face-check') },
  confirm: { summary: 'one non-interactive confirmation: card → PIN proof → backend → result record', load: () => import('./commands/confirm') },
};
