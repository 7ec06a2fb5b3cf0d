/**
 * AF_UNIX SOCK_DGRAM sends for the two systemd protocols the service speaks: sd_notify
 * (`$NOTIFY_SOCKET`, sd_notify(3)) and the journal's native protocol
 * (`/run/systemd/journal/socket`). Node's `dgram` has no Unix datagrams, so this wraps
 * `unix-dgram` (a small native binding; zigbee2mqtt sends its sd_notify messages the same way).
 * Every message is one sendmsg(2) from this very process, so systemd attributes it to the main
 * PID (no `NotifyAccess=all`, no helper process whose message can be lost).
 */
import { getSystemErrorName } from 'node:util';

/** What `unix-dgram` gives; it ships no types. */
interface NativeUnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error & { code?: number | string }) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  close(): void;
}

interface NativeUnixDgram {
  createSocket(type: 'unix_dgram'): NativeUnixDgramSocket;
}

/** The binding is missing, or the address is an abstract one (`@…`), which it cannot reach. */
export class UnixDatagramUnavailableError extends Error {
  override readonly name = 'UnixDatagramUnavailableError';
  constructor(
    readonly reason: 'abstract-address' | 'binding-missing',
    readonly detail: string,
  ) {
    super(reason === 'abstract-address' ? `abstract socket address ${detail} is not supported (the unix-dgram binding takes path names only)` : `unix datagram binding not loadable: ${detail}`);
  }
}

export class UnixDatagramSendError extends Error {
  override readonly name = 'UnixDatagramSendError';
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`sendto ${path} failed: ${code}`);
  }
}

let binding: NativeUnixDgram | Error | undefined;

function loadBinding(): NativeUnixDgram {
  if (binding === undefined) {
    try {
      // Loaded on first use: the rig and the tests that never meet systemd do not load the addon.
      binding = require('unix-dgram') as NativeUnixDgram;
    } catch (e) {
      binding = e as Error;
    }
  }
  if (binding instanceof Error) throw new UnixDatagramUnavailableError('binding-missing', binding.message);
  return binding;
}

/**
 * Sends one datagram to a socket path from a socket opened for it and closed at once, as
 * libsystemd's sd_notify does: no socket outlives the call, so nothing keeps the event loop (and
 * so a stopping service) alive, and a journald or PID 1 restarted in between is no problem.
 * Returns the error instead of throwing: logging and notifying must never throw.
 */
export function sendUnixDatagram(path: string, message: Buffer): UnixDatagramSendError | UnixDatagramUnavailableError | undefined {
  if (path.startsWith('@') || path.startsWith('\0')) return new UnixDatagramUnavailableError('abstract-address', path);
  let socket: NativeUnixDgramSocket;
  try {
    socket = loadBinding().createSocket('unix_dgram');
  } catch (e) {
    return e instanceof UnixDatagramUnavailableError ? e : new UnixDatagramSendError(path, (e as Error).message);
  }
  // An unconnected socket reports errors through send's callback only; this is belt and braces.
  socket.on('error', () => undefined);
  let failure: UnixDatagramSendError | undefined;
  try {
    // The binding calls back synchronously (sendmsg(2) on a non-blocking socket).
    socket.send(message, 0, message.length, path, (err) => {
      if (!err) return;
      // The binding reports -errno; util names it (ENOENT, EAGAIN, …).
      const code = typeof err.code === 'number' ? getSystemErrorName(err.code) : String(err.code ?? err.message);
      failure = new UnixDatagramSendError(path, code);
    });
  } finally {
    socket.close();
  }
  return failure;
}
