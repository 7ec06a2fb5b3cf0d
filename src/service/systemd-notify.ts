/**
 * sd_notify for a Type=notify unit with a watchdog (systemd/face-card-reader.service): each
 * message is one datagram to `$NOTIFY_SOCKET` sent from the service's own process
 * (src/systemd/unix-datagram.ts), so systemd attributes it to the main PID and the unit needs no
 * `NotifyAccess=all` (the `systemd-notify` helper it replaces sent READY from a child, whose
 * message systemd may drop or misattribute once the child has exited). Outside systemd (the rig,
 * tests) NOTIFY_SOCKET is unset and this does nothing.
 */
import type { Logger } from '../log/logger';
import { sendUnixDatagram } from '../systemd/unix-datagram';

export interface ServiceManagerNotifier {
  ready(status: string): void;
  status(status: string): void;
  /** Starts pinging the watchdog at half its interval from the event loop; returns a stopper. */
  startWatchdog(): () => void;
  stopping(): void;
}

/** STATUS= is one line of free text (sd_notify(3)): newlines would start another assignment. */
function statusLine(status: string): string {
  return `STATUS=${status.replace(/[\r\n]+/g, ' ')}`;
}

export function createSystemdNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env): ServiceManagerNotifier {
  const socket = env.NOTIFY_SOCKET ?? '';
  let warned = false;
  const send = (...assignments: string[]): void => {
    if (socket === '') return;
    const failed = sendUnixDatagram(socket, Buffer.from(assignments.join('\n'), 'utf8'));
    // Once, not per watchdog ping: a lost NOTIFY_SOCKET would otherwise fill the log every 15 s.
    if (failed && !warned) {
      warned = true;
      log.warn(`sd_notify failed: ${failed.message}`, { event: 'sd-notify-failed', error: failed.name, socket });
    }
  };
  return {
    ready: (status) => send('READY=1', statusLine(status)),
    status: (status) => send(statusLine(status)),
    stopping: () => send('STOPPING=1'),
    startWatchdog: () => {
      const usec = Number(env.WATCHDOG_USEC ?? 0);
      // sd_watchdog_enabled(3): WATCHDOG_PID, when set, names the process the watchdog is for.
      const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === process.pid;
      if (socket === '' || !forUs || !Number.isFinite(usec) || usec <= 0) return () => undefined;
      // Pinged from the event loop itself: if the loop hangs, the pings stop and systemd restarts us.
      const timer = setInterval(() => send('WATCHDOG=1'), Math.max(1000, usec / 2000));
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
