/**
 * The vsmartcard vpcd link: how an emulated card sits on a pcscd reader (issue 2 §2).
 *
 * pcscd's vpcd driver listens on TCP (35963 slot 0, 35964 slot 1 by default; the rig's private
 * pcscd uses its own ports) and the card connects to it as a client. Frames both ways are a
 * 2-byte big-endian length then the payload. A 1-byte payload from the reader is a control
 * message — `00` power off, `01` power on, `02` reset (no answer to these three), `04` get ATR
 * (answered with the ATR; pcscd also polls it to see the card is still there). Anything longer
 * is a command APDU, answered with the response APDU.
 *
 * Inserting the card = connecting; removing it = closing the socket (vpcd's own `vicc_eject`
 * does the same; pcscd reports the reader empty on its next poll, ~0.3 s). If the connection
 * drops without us asking (pcscd restarted), we reconnect with a capped back-off while a card is
 * inserted (STYLE §9).
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../src/log/logger';
import { CardMuteFault, CardNotPoweredError, CardWithdrawnFault, type EmulatedCard } from './card';

export const VPCD_DEFAULT_PORTS: readonly [number, number] = [35963, 35964];

const CTRL_OFF = 0x00;
const CTRL_ON = 0x01;
const CTRL_RESET = 0x02;
const CTRL_ATR = 0x04;
/** 40 bytes: more than the 33 an ATR may have. */
const UNUSABLE_ANSWER_TO_RESET = Buffer.alloc(40, 0x3b);

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 2000;

export interface VpcdCardSocket {
  /** Puts the card on the reader (removing any card there first); resolves once connected. */
  insert(card: EmulatedCard): Promise<void>;
  /** Takes the card off the reader (closes the socket); resolves once closed. */
  remove(): Promise<void>;
  /** Removes the card and stops reconnecting. Idempotent. */
  stop(): Promise<void>;
  /** True while a card's socket is connected to vpcd. */
  readonly connected: boolean;
  /** The card currently inserted (null when empty or after a fault withdrew it). */
  readonly card: EmulatedCard | null;
  /** Called each time a card's connection is established (first time and after reconnects). */
  onConnected(listener: () => void): void;
  /** Called when the card leaves the reader by itself (fault `removeAfterApdus`). */
  onWithdrawn(listener: () => void): void;
}

export interface StartCardEmulatorOptions {
  host?: string;
  port: number;
  card: EmulatedCard | null;
  logger?: Logger;
}

export class VpcdStoppedError extends Error {
  constructor() {
    super('the vpcd card socket was stopped');
    this.name = 'VpcdStoppedError';
  }
}

class VpcdLink implements VpcdCardSocket {
  private socket: net.Socket | null = null;
  private current: EmulatedCard | null = null;
  private stopped = false;
  private isConnected = false;
  private generation = 0;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly connectedListeners: (() => void)[] = [];
  private readonly withdrawnListeners: (() => void)[] = [];
  private readonly log: Logger;

  constructor(
    private readonly host: string,
    private readonly port: number,
    logger: Logger,
  ) {
    this.log = logger.child('vpcd');
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get card(): EmulatedCard | null {
    return this.current;
  }

  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  onWithdrawn(listener: () => void): void {
    this.withdrawnListeners.push(listener);
  }

  async insert(card: EmulatedCard): Promise<void> {
    if (this.stopped) throw new VpcdStoppedError();
    await this.remove();
    this.current = card;
    const connected = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    void this.connectLoop(++this.generation);
    await connected;
  }

  async remove(): Promise<void> {
    this.generation += 1; // stops any reconnect loop of the previous card
    const card = this.current;
    this.current = null;
    const socket = this.socket;
    this.socket = null;
    this.isConnected = false;
    card?.powerOff();
    if (socket && !socket.destroyed) {
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.destroy();
      await closed;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.remove();
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w.reject(new VpcdStoppedError());
  }

  private async connectLoop(generation: number): Promise<void> {
    let backoff = BACKOFF_MIN_MS;
    while (!this.stopped && generation === this.generation && this.current) {
      const ok = await this.connectOnce(generation);
      if (ok || this.stopped || generation !== this.generation) return;
      await sleep(backoff);
      backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
    }
  }

  /** One connection attempt; resolves true once connected (the socket then lives on its own). */
  private connectOnce(generation: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      let opened = false;
      let pending = Buffer.alloc(0);
      let queue: Promise<void> = Promise.resolve();
      socket.once('connect', () => {
        if (generation !== this.generation || this.stopped) {
          socket.destroy();
          resolve(false);
          return;
        }
        opened = true;
        this.socket = socket;
        this.isConnected = true;
        this.log.info(`card ${this.current?.label ?? ''} on the reader at ${this.host}:${this.port}`);
        for (const w of this.waiters.splice(0)) w.resolve();
        for (const l of this.connectedListeners) l();
        resolve(true);
      });
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 2) {
          const length = pending.readUInt16BE(0);
          if (pending.length < 2 + length) break;
          const frame = Buffer.from(pending.subarray(2, 2 + length));
          pending = pending.subarray(2 + length);
          // Frames are handled strictly in order, even when a slow-card delay is applied.
          queue = queue
            .then(() => this.handleFrame(socket, generation, frame))
            .catch((error: unknown) => {
              // A bug in an application must not leave the reader waiting forever: answer as a
              // card with an internal error does, and keep serving.
              this.log.error(`card failed on a frame: ${(error as Error).name}: ${(error as Error).message}`);
              if (frame.length > 1) this.send(socket, Buffer.from([0x6f, 0x00]));
            });
        }
      });
      socket.on('error', (error) => {
        this.log.debug(`socket error: ${error.message}`);
      });
      socket.once('close', () => {
        if (!opened) {
          resolve(false);
          return;
        }
        if (this.socket === socket) {
          this.socket = null;
          this.isConnected = false;
        }
        // Dropped by the other side (pcscd stopped or restarted): the card is still "inserted",
        // so come back when vpcd listens again.
        if (!this.stopped && generation === this.generation && this.current) {
          this.current.powerOff();
          this.log.warn(`vpcd at ${this.host}:${this.port} closed the connection; reconnecting`);
          void this.connectLoop(generation);
        }
      });
    });
  }

  private send(socket: net.Socket, payload: Buffer): void {
    if (socket.destroyed) return;
    const header = Buffer.alloc(2);
    header.writeUInt16BE(payload.length, 0);
    socket.write(Buffer.concat([header, payload]));
  }

  private async handleFrame(socket: net.Socket, generation: number, frame: Buffer): Promise<void> {
    const card = this.current;
    if (!card || generation !== this.generation || socket.destroyed) return;
    if (frame.length === 1) {
      switch (frame[0]) {
        case CTRL_OFF:
          card.powerOff();
          return;
        case CTRL_ON:
          card.powerOn();
          return;
        case CTRL_RESET:
          card.reset();
          return;
        case CTRL_ATR:
          // A chip that does not activate (fault `noActivation`): unpowered it is seen in the
          // field, powered its answer is longer than any ATR (ISO 7816-3: at most 33 bytes), which
          // vpcd refuses, so pcscd reports the card present and mute (measured on pcscd 2.0).
          this.send(socket, card.faults.noActivation === true && card.isPowered ? UNUSABLE_ANSWER_TO_RESET : card.atr);
          return;
        default:
          this.log.debug(`unknown vpcd control byte ${frame[0]}`);
          return;
      }
    }
    const delay = card.faults.delayMs ?? 0;
    if (delay > 0) await sleep(delay);
    if (generation !== this.generation || socket.destroyed) return;
    // vpcd powers the card on before the first APDU; be tolerant of a reader that does not.
    if (!card.isPowered) card.powerOn();
    try {
      this.send(socket, card.transmit(frame));
    } catch (error) {
      if (error instanceof CardWithdrawnFault) {
        // Pulled out mid-exchange: the APDU in flight is never answered.
        this.log.info(`card ${card.label} withdrawn during APDU #${error.apduNumber} (fault)`);
        this.generation += 1;
        this.current = null;
        this.socket = null;
        this.isConnected = false;
        card.powerOff();
        socket.destroy();
        for (const l of this.withdrawnListeners) l();
        return;
      }
      if (error instanceof CardMuteFault) return;
      if (error instanceof CardNotPoweredError) return;
      throw error;
    }
  }
}

/**
 * Connects `card` (if any) to the vpcd reader at host:port. With a card, resolves once it is on
 * the reader (retrying with back-off until vpcd listens); with none, resolves at once.
 */
export async function startCardEmulator(o: StartCardEmulatorOptions): Promise<VpcdCardSocket> {
  const link = new VpcdLink(o.host ?? '127.0.0.1', o.port, o.logger ?? silentLogger);
  if (o.card) await link.insert(o.card);
  return link;
}
