/**
 * The table of `fcr` subcommands. One line per command; the module is imported only when run.
 * Add device commands here (each in `src/cli/commands/<name>.ts`); rig commands go in
 * rig/cli/command-table.ts.
 */
export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

export interface CommandEntry {
  summary: string;
  load(): Promise<unknown>;
}

export type CommandTable = Record<string, CommandEntry>;

/** The device's commands. The rig adds its own in rig/cli/command-table.ts. */
export const commandTable: CommandTable = {
  'card read': {
    summary: 'read the card on a PC/SC reader (certificate, status, photo, tries)',
    load: () => import('./commands/card-read'),
  },
  'card face-scan': { summary: 'recognise 照合番号B on a card-face image (technician tool; touches no card)', load: () => import('./commands/card-face-scan') },
  'service run': { summary: 'the reader service on the device (systemd ExecStart): --config FILE [--headless] [--panel-tty DEV]', load: () => import('./commands/service-run') },
  config: { summary: 'check FILE (validate the device configuration) | hash-passcode (staff passcode on stdin → hash)', load: () => import('./commands/config') },
  firmware: { summary: 'signed update bundles: verify <dir> --key PUB | pack <src> <out> --version V --key PRIV | install <dir> [--tries N] | status (A/B slots)', load: () => import('./commands/firmware') },
};
