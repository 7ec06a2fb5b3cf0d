/**
 * The card reader over the real pcsc-lite daemon, through the npm `pcsclite` module (issue 2 §3).
 *
 * - Discovery and hot-plug: pcsclite reports readers (`reader`) and their state (`status`);
 *   `SCARD_STATE_PRESENT` / `SCARD_STATE_EMPTY` edges become card-inserted / card-removed. A
 *   reader that leaves (`end`) takes its card with it.
 * - Transactions: one at a time (queued); each connects `SCARD_SHARE_SHARED` with T=1 (exclusive
 *   with a reset at the end for PIN + signature, STYLE §14) and disconnects when done.
 *   A removal mid-transaction rejects at once with CardRemovedError.
 * - Recovery (STYLE §9): when pcscd goes away (`RPC transport error`, `no service`), every card
 *   and reader is reported gone, a `driver-error` says why, and the PC/SC context is re-created
 *   with a capped back-off until pcscd is back; readers and cards then reappear as events.
 *
 * libpcsclite reads `PCSCLITE_CSOCK_NAME` once, at the first PC/SC call of the process: set it
 * before `start()` (tests: `startPcscd()`). pcsclite is loaded lazily (STYLE §2).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeCommand, type CardChannel } from '../../iso7816';
import {
  CardError,
  CardNotRespondingError,
  CardRemovedError,
  NoCardError,
  ReaderUnavailableError,
} from '../../iso7816';
import { silentLogger, type Logger } from '../../log/logger';
import {
  defaultSlotMap,
  EventHub,
  slotFor,
  TransactionQueue,
  type CardReaderDriver,
  type CardReaderListener,
  type ReaderSlot,
  type SlotMap,
  type TransactOptions,
} from './card-reader-driver';
import { ActiveTransaction } from './transaction';

/* The parts of the `pcsclite` module this driver uses (its own typings, narrowed). */
type PcscCallbackError = Error | null | undefined;

export interface PcscReader {
  name: string;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  on(type: 'status', listener: (status: { state: number; atr?: Buffer }) => void): unknown;
  on(type: 'end', listener: () => void): unknown;
  on(type: 'error', listener: (error: Error) => void): unknown;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: PcscCallbackError, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: PcscCallbackError) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: PcscCallbackError, response: Buffer) => void): void;
  close(): void;
}

export interface PcscContext {
  on(type: 'reader', listener: (reader: PcscReader) => void): unknown;
  on(type: 'error', listener: (error: Error) => void): unknown;
  close(): void;
}

export type PcscFactory = () => PcscContext;

export interface PcscliteCardReaderOptions {
  slotMap?: SlotMap;
  log?: Logger;
  /** Per-APDU limit (default 5000 ms): a mute card ends in CardNotRespondingError. */
  apduTimeoutMs?: number;
  /** Reconnect back-off to pcscd: first delay and cap (default 200 ms → 5000 ms). */
  backoff?: { initialMs: number; maxMs: number };
  /** Injected for tests; default loads the `pcsclite` module on `start()`. */
  loadPcsclite?: () => Promise<PcscFactory>;
}

/** How long an empty answer waits for pcscd to report the card gone (FACTS: seen after ~310 ms). */
const REMOVAL_SETTLE_MS = 1500;

/** PC/SC return codes the driver tells apart (pcsclite puts them in the message as `(0x…)`). */
const SCARD = {
  E_NO_SMARTCARD: 0x8010000c,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_PROTO_MISMATCH: 0x8010000f,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_UNKNOWN_READER: 0x80100009,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  F_COMM_ERROR: 0x80100013,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

export function pcscErrorCode(error: unknown): number | undefined {
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(String((error as Error | undefined)?.message ?? error));
  return m?.[1] ? parseInt(m[1], 16) : undefined;
}

function isServiceGone(code: number | undefined): boolean {
  return code === SCARD.F_COMM_ERROR || code === SCARD.E_NO_SERVICE || code === SCARD.E_SERVICE_STOPPED;
}

/** Maps a PC/SC failure during a transaction to the card error the flow acts on. */
function transactionError(error: unknown, step: string, ins?: number): CardError {
  const code = pcscErrorCode(error);
  const ctx = { step, cause: error, ...(ins !== undefined ? { ins } : {}) };
  switch (code) {
    case SCARD.W_REMOVED_CARD:
    case SCARD.E_NO_SMARTCARD:
    case SCARD.W_RESET_CARD: // someone reset it: security state is gone, as after a removal
    case SCARD.E_READER_UNAVAILABLE: // reader unplugged with the card in it
    case SCARD.E_UNKNOWN_READER:
    case SCARD.F_COMM_ERROR: // pcscd went away mid-transaction
    case SCARD.E_NO_SERVICE:
    case SCARD.E_SERVICE_STOPPED:
      return new CardRemovedError(ctx);
    case SCARD.W_UNRESPONSIVE_CARD:
    case SCARD.W_UNPOWERED_CARD:
    case SCARD.E_TIMEOUT:
    case SCARD.E_NOT_TRANSACTED:
      return new CardNotRespondingError(ctx);
    case SCARD.E_SHARING_VIOLATION:
      return new ReaderUnavailableError('card held exclusively by another application', ctx);
    default:
      return new CardNotRespondingError(ctx);
  }
}

interface ReaderEntry {
  reader: PcscReader;
  slot: ReaderSlot;
  atr: Buffer | undefined;
  /** pcsc-lite's event counter for this reader at the last status. */
  events: number | undefined;
  /** Set while a transaction runs on this reader. */
  active: ActiveTransaction | undefined;
  /** A card is present but mute (reported once, until it leaves or answers). */
  mute?: boolean;
}

export class PcscliteCardReaderDriver implements CardReaderDriver {
  private readonly hub: EventHub;
  private readonly queue = new TransactionQueue();
  private readonly log: Logger;
  private readonly slotMap: SlotMap;
  private readonly apduTimeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly loadPcsclite: () => Promise<PcscFactory>;
  private factory: PcscFactory | undefined;
  private context: PcscContext | undefined;
  private readonly readers = new Map<string, ReaderEntry>();
  private readonly unmapped = new Set<PcscReader>();
  private state: 'stopped' | 'running' | 'recovering' = 'stopped';
  private generation = 0;
  private recovery: Promise<void> | undefined;
  private stopRecovery: () => void = () => undefined;

  constructor(options: PcscliteCardReaderOptions = {}) {
    this.log = (options.log ?? silentLogger).child('card-reader');
    this.slotMap = options.slotMap ?? defaultSlotMap;
    this.apduTimeoutMs = options.apduTimeoutMs ?? 5000;
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 5000 };
    this.loadPcsclite =
      options.loadPcsclite ??
      (async () => {
        const mod = (await import('pcsclite')) as unknown as PcscFactory | { default: PcscFactory };
        return typeof mod === 'function' ? mod : mod.default;
      });
    this.hub = new EventHub((e) => this.log.error(`event listener failed: ${(e as Error).name}`));
  }

  onEvent(listener: CardReaderListener): () => void {
    return this.hub.on(listener);
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.factory ??= await this.loadPcsclite();
    this.state = 'running';
    this.generation++;
    if (!this.openContext()) this.scheduleRecovery(new ReaderUnavailableError('pcscd not reachable'));
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.generation++;
    this.stopRecovery();
    this.closeContext(new ReaderUnavailableError('driver stopped'), false);
    await this.recovery;
  }

  cardIn(slot: ReaderSlot): { reader: string; atr: Buffer } | undefined {
    for (const e of this.readers.values()) {
      if (e.slot === slot && e.atr) return { reader: e.reader.name, atr: Buffer.from(e.atr) };
    }
    return undefined;
  }

  /** Names of the readers pcscd reports now (mapped or not to a slot). */
  readerNames(): string[] {
    return [...this.readers.keys()];
  }

  private openContext(): boolean {
    const factory = this.factory;
    if (!factory) return false;
    let ctx: PcscContext;
    try {
      ctx = factory();
    } catch (e) {
      this.log.warn(`PC/SC context failed: ${(e as Error).message}`);
      return false;
    }
    const generation = this.generation;
    this.context = ctx;
    ctx.on('error', (error) => {
      if (generation !== this.generation) return;
      this.onContextError(error);
    });
    ctx.on('reader', (reader) => {
      if (generation !== this.generation) return;
      this.attachReader(reader, generation);
    });
    return true;
  }

  private attachReader(reader: PcscReader, generation: number): void {
    const slot = slotFor(this.slotMap, reader.name);
    reader.on('error', (error) => {
      if (generation !== this.generation) return;
      // Status-loop errors when pcscd dies arrive here too; the context error drives recovery.
      this.log.debug(`reader ${reader.name}: ${error.message}`);
    });
    if (!slot) {
      // Not ours, but its status watch is a native thread: keep it to close it, or the process
      // cannot exit after stop().
      this.log.info(`reader ${reader.name} has no slot; ignored`);
      this.unmapped.add(reader);
      reader.on('end', () => this.unmapped.delete(reader));
      return;
    }
    const entry: ReaderEntry = { reader, slot, atr: undefined, events: undefined, active: undefined };
    this.readers.set(reader.name, entry);
    this.log.info(`reader added: ${reader.name} (${slot})`, { event: 'reader-added', reader: reader.name, slot });
    this.hub.emit({ type: 'reader-added', reader: reader.name, slot });
    reader.on('status', (status) => {
      if (generation !== this.generation || this.readers.get(reader.name) !== entry) return;
      this.onStatus(entry, status);
    });
    reader.on('end', () => {
      if (generation !== this.generation || this.readers.get(reader.name) !== entry) return;
      this.detachReader(entry, new CardRemovedError({ step: 'reader-removed' }));
    });
  }

  private onStatus(entry: ReaderEntry, status: { state: number; atr?: Buffer }): void {
    const r = entry.reader;
    const inField = (status.state & r.SCARD_STATE_PRESENT) !== 0;
    const mute = inField && (status.state & r.SCARD_STATE_MUTE) !== 0;
    const present = inField && !mute;
    const atr = present && status.atr && status.atr.length > 0 ? Buffer.from(status.atr) : undefined;
    // pcsc-lite keeps the reader's event counter in the high word of the state: a change with a
    // card present and the same ATR is a swap between two polls (removed, then another inserted).
    const events = status.state >>> 16;
    const swapped = entry.events !== undefined && events !== entry.events && atr !== undefined && entry.atr !== undefined;
    entry.events = events;
    if (entry.atr && (!atr || !atr.equals(entry.atr) || swapped)) this.cardGone(entry);
    // A mute card (no answer to reset: placed off the antenna, a damaged chip) can never be read;
    // the patient must be told, not left at the idle screen (SPEC §8). Its leaving is a removal.
    if (mute && !entry.mute && !entry.atr) {
      entry.mute = true;
      this.log.info(`card in ${entry.slot} slot does not answer reset`, { event: 'card-unresponsive', slot: entry.slot });
      this.hub.emit({ type: 'card-unresponsive', slot: entry.slot, reader: r.name });
    } else if (!mute && entry.mute) {
      entry.mute = false;
      if (!atr) {
        this.log.info(`unresponsive card left the ${entry.slot} slot`, { event: 'card-removed', slot: entry.slot });
        this.hub.emit({ type: 'card-removed', slot: entry.slot, reader: r.name });
      }
    }
    if (atr && !entry.atr) {
      entry.atr = atr;
      this.log.info(`card inserted in ${entry.slot} slot`, { event: 'card-inserted', slot: entry.slot });
      this.hub.emit({ type: 'card-inserted', slot: entry.slot, reader: r.name, atr: Buffer.from(atr) });
    }
  }

  private cardGone(entry: ReaderEntry, error: CardError = new CardRemovedError({ step: 'transaction' })): void {
    if (!entry.atr) return;
    entry.atr = undefined;
    entry.active?.abort(error);
    this.log.info(`card removed from ${entry.slot} slot`, { event: 'card-removed', slot: entry.slot });
    this.hub.emit({ type: 'card-removed', slot: entry.slot, reader: entry.reader.name });
  }

  private detachReader(entry: ReaderEntry, error: CardError): void {
    this.cardGone(entry, error);
    this.readers.delete(entry.reader.name);
    this.log.info(`reader removed: ${entry.reader.name}`);
    this.hub.emit({ type: 'reader-removed', reader: entry.reader.name, slot: entry.slot });
  }

  /** Everything goes: cards, readers, the context. `emit` false on stop (nothing after stop). */
  private closeContext(error: CardError, emit: boolean): void {
    for (const entry of [...this.readers.values()]) {
      if (emit) this.detachReader(entry, error);
      else {
        entry.active?.abort(error);
        this.readers.delete(entry.reader.name);
      }
      try {
        entry.reader.close();
      } catch {
        // already closed by pcsclite
      }
    }
    for (const reader of this.unmapped) {
      try {
        reader.close();
      } catch {
        // already closed
      }
    }
    this.unmapped.clear();
    const ctx = this.context;
    this.context = undefined;
    try {
      ctx?.close();
    } catch {
      // closing a context whose daemon is gone
    }
  }

  private onContextError(error: Error): void {
    if (this.state !== 'running') return;
    const code = pcscErrorCode(error);
    if (code === SCARD.E_NO_READERS_AVAILABLE) return; // no readers yet: pcsclite keeps waiting
    this.log.warn(`PC/SC service lost (${isServiceGone(code) ? 'pcscd gone' : error.message}); reconnecting`);
    const lost = new ReaderUnavailableError('PC/SC service lost', { cause: error });
    this.generation++;
    this.closeContext(new CardRemovedError({ step: 'pcscd-lost', cause: error }), true);
    this.scheduleRecovery(lost);
  }

  private scheduleRecovery(reason: CardError): void {
    this.state = 'recovering';
    this.hub.emit({ type: 'driver-error', error: reason });
    const abort = new AbortController();
    this.stopRecovery = () => abort.abort();
    let generation = this.generation;
    this.recovery = (async () => {
      let delay = this.backoff.initialMs;
      for (;;) {
        try {
          await sleep(delay, undefined, { signal: abort.signal });
        } catch {
          return; // stopped
        }
        if (this.state !== 'recovering' || generation !== this.generation) return;
        generation = ++this.generation;
        this.state = 'running';
        if (this.openContext()) {
          this.log.info('PC/SC context re-established');
          return;
        }
        this.state = 'recovering';
        delay = Math.min(delay * 2, this.backoff.maxMs);
      }
    })();
  }

  private findEntry(slot: ReaderSlot): ReaderEntry | undefined {
    for (const e of this.readers.values()) if (e.slot === slot && e.atr) return e;
    return undefined;
  }

  transact<T>(slot: ReaderSlot, fn: (channel: CardChannel) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      void this.queue.run(async () => {
        if (this.state === 'stopped') return reject(new ReaderUnavailableError('driver not started'));
        const entry = this.findEntry(slot);
        if (!entry) return reject(new NoCardError({ step: 'transaction' }));
        const reader = entry.reader;
        const tx = new ActiveTransaction();
        entry.active = tx;
        let protocol: number;
        try {
          protocol = await this.connect(reader, options.exclusive === true);
        } catch (e) {
          entry.active = undefined;
          return reject(e instanceof CardError ? e : transactionError(e, 'connect'));
        }
        if (tx.abortedWith) {
          entry.active = undefined;
          await this.disconnect(reader, reader.SCARD_LEAVE_CARD);
          return reject(tx.abortedWith);
        }
        const timeoutMs = options.apduTimeoutMs ?? this.apduTimeoutMs;
        const raw = async (apdu: Buffer): Promise<Buffer> => {
          const response = await this.transmit(reader, apdu, protocol, timeoutMs);
          if (response.length >= 2) return response;
          // vpcd answers an APDU whose card left mid-exchange with no bytes at all; pcscd notices
          // the removal on its next poll (~0.3 s). Wait for that to tell removal from a mute card.
          const until = Date.now() + REMOVAL_SETTLE_MS;
          while (entry.atr !== undefined && this.readers.get(reader.name) === entry && Date.now() < until) await sleep(25);
          if (entry.atr === undefined || this.readers.get(reader.name) !== entry) throw new CardRemovedError({ step: 'transmit', ins: apdu[1] });
          throw new CardNotRespondingError({ step: 'transmit', ins: apdu[1] });
        };
        const { result, settled } = tx.run(() => fn(tx.channel(raw)));
        result.then(resolve, reject);
        await settled;
        if (entry.active === tx) entry.active = undefined;
        // An exclusive (PIN) transaction resets the card so the verified state ends with it.
        await this.disconnect(reader, options.exclusive ? reader.SCARD_RESET_CARD : reader.SCARD_LEAVE_CARD);
      }).catch(reject);
    });
  }

  private connect(reader: PcscReader, exclusive: boolean): Promise<number> {
    const share = exclusive ? reader.SCARD_SHARE_EXCLUSIVE : reader.SCARD_SHARE_SHARED;
    const attempt = (protocol: number): Promise<number> =>
      new Promise((resolve, reject) => {
        reader.connect({ share_mode: share, protocol }, (err, p) => (err ? reject(err) : resolve(p)));
      });
    return attempt(reader.SCARD_PROTOCOL_T1).catch((e: unknown) => {
      // A card that only speaks T=0 (some contactless front-ends): let PC/SC choose.
      if (pcscErrorCode(e) === SCARD.E_PROTO_MISMATCH) return attempt(reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1);
      throw transactionError(e, 'connect');
    });
  }

  private disconnect(reader: PcscReader, disposition: number): Promise<void> {
    return new Promise((resolve) => {
      try {
        reader.disconnect(disposition, (err) => {
          if (err) this.log.debug(`disconnect: ${err.message}`);
          resolve();
        });
      } catch (e) {
        this.log.debug(`disconnect: ${(e as Error).message}`);
        resolve();
      }
    });
  }

  private transmit(reader: PcscReader, apdu: Buffer, protocol: number, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new CardNotRespondingError({ step: 'transmit', ins: apdu[1], timeoutMs }));
      }, timeoutMs);
      this.log.trace(() => `${reader.name} ${describeCommand(apdu)}`);
      // Extended length: up to 64 KiB of data + SW.
      reader.transmit(apdu, 65538, protocol, (err, response) => {
        clearTimeout(timer);
        if (err) reject(transactionError(err, 'transmit', apdu[1]));
        else resolve(response);
      });
    });
  }
}
