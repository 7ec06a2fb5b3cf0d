/**
 * sd_notify for a Type=notify unit with a watchdog (systemd/face-card-reader.service). Node has
 * no Unix datagram sockets, so the messages go through Debian's `systemd-notify` helper, which the
 * unit allows with NotifyAccess=all. Outside systemd (the rig, tests) NOTIFY_SOCKET is unset and
 * this does nothing.
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../log/logger';

export interface ServiceManagerNotifier {
  ready(status: string): void;
  status(status: string): void;
  /** Starts pinging the watchdog at half its interval from the event loop; returns a stopper. */
  startWatchdog(): () => void;
  stopping(): void;
}

export function createSystemdNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env): ServiceManagerNotifier {
  const enabled = (env.NOTIFY_SOCKET ?? '') !== '';
  const send = (...args: string[]): void => {
    if (!enabled) return;
    execFile('systemd-notify', args, (err) => {
      if (err) log.warn(`systemd-notify failed: ${err.message}`);
    });
  };
  return {
    ready: (status) => send('--ready', `--status=${status}`),
    status: (status) => send(`--status=${status}`),
    stopping: () => send('STOPPING=1'),
    startWatchdog: () => {
      const usec = Number(env.WATCHDOG_USEC ?? 0);
      if (!enabled || !Number.isFinite(usec) || usec <= 0) return () => undefined;
      // Pinged from the event loop itself: if the loop hangs, the pings stop and systemd restarts us.
      const timer = setInterval(() => send('WATCHDOG=1'), Math.max(1000, usec / 2000));
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
