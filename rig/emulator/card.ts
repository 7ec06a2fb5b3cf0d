/**
 * The emulated card's core: ATR, power state, SELECT by application identifier, the faults tests
 * inject, and an APDU counter. Applications (JPKI, 券面 APs) plug in through `CardApplication`.
 *
 * `transmit()` is synchronous and transport-free, so the same card runs in-process (unit tests,
 * a simulated reader) and behind the vpcd socket (`vpcd.ts`). Faults that are about *time* or the
 * *link* (a slow card, a mute card, a card pulled out mid-exchange) are raised here as typed
 * errors or exposed as `faults.delayMs`, and each transport turns them into what a reader sees.
 */
import type { CardApplication, CommandApdu, ResponseApdu } from './card-application';
import { decodeCommand, encodeResponse, MalformedCommandError, SW } from '../../src/iso7816';
import { status } from './card-application';
import { silentLogger, type Logger } from '../../src/log/logger';

/**
 * Faults for tests (issue 2 §2). APDU numbers count from the last `setFaults()` (or creation),
 * across power cycles, starting at 1.
 */
export interface CardFaults {
  /** The card never answers an APDU (still answers the reader's ATR/presence polls). */
  noAnswer?: boolean;
  /**
   * The chip is in the field but never activates: once powered, its answer to reset is not a
   * usable ATR, so pcscd marks the card present and mute (SCARD_STATE_MUTE) — as a card placed
   * off the antenna or with a damaged chip does. Applied by the transport.
   */
  noActivation?: boolean;
  /** Each APDU's answer is held back this long (a slow card). Applied by the transport. */
  delayMs?: number;
  /**
   * The card answers this many APDUs, then is pulled out while the next one is in flight: that
   * APDU is never answered and the card is gone (`0` = gone at the first APDU).
   */
  removeAfterApdus?: number;
  /** Every APDU after the first `afterApdus` is answered with `sw` alone (no data). */
  statusWordOverride?: { afterApdus: number; sw: number };
  /** Response data is cut to at most this many bytes (the status word is kept). */
  truncateResponsesTo?: number;
}

/** The card left the field while the APDU was in flight (fault `removeAfterApdus`). */
export class CardWithdrawnFault extends Error {
  constructor(readonly apduNumber: number) {
    super(`emulated card withdrawn during APDU #${apduNumber}`);
    this.name = 'CardWithdrawnFault';
  }
}

/** The card does not answer (fault `noAnswer`). */
export class CardMuteFault extends Error {
  constructor(readonly apduNumber: number) {
    super(`emulated card does not answer APDU #${apduNumber}`);
    this.name = 'CardMuteFault';
  }
}

/** An APDU reached a card that is not powered (the reader must power it on first). */
export class CardNotPoweredError extends Error {
  constructor() {
    super('APDU sent to an unpowered emulated card');
    this.name = 'CardNotPoweredError';
  }
}

/** The My Number card's contact ATR, which OpenSC's `card-jpki.c` matches. */
export const MY_NUMBER_CARD_ATR = Buffer.from('3BE000FF8131FE4514', 'hex');

/**
 * ATR a PC/SC contactless reader builds for an ISO 14443-4 type B token (PC/SC part 3 §3.1.3.2.3.2):
 * `3B 88 80 01`, 8 historical bytes (application data + protocol info of ATQB, MBLI/CID), TCK.
 * Used for the smartphone certificates on slot 1, which are read over NFC.
 */
export function contactlessTypeBAtr(historical: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0x88, 0x80, 0x01]), historical.subarray(0, 8)]);
  let tck = 0;
  for (const b of body) tck ^= b;
  return Buffer.concat([Buffer.from([0x3b]), body, Buffer.from([tck])]);
}

export interface EmulatedCardOptions {
  atr?: Buffer;
  applications: CardApplication[];
  faults?: CardFaults;
  logger?: Logger;
  /** Short label for logs (a persona name — never card data). */
  label?: string;
}

export class EmulatedCard {
  readonly atr: Buffer;
  readonly label: string;
  private readonly applications: CardApplication[];
  private selected: CardApplication | undefined;
  private powered = false;
  private count = 0;
  private faultBase = 0;
  private withdrawn = false;
  private currentFaults: CardFaults;
  private readonly log: Logger;

  constructor(options: EmulatedCardOptions) {
    this.atr = Buffer.from(options.atr ?? MY_NUMBER_CARD_ATR);
    this.applications = [...options.applications];
    this.currentFaults = { ...(options.faults ?? {}) };
    this.log = (options.logger ?? silentLogger).child('card');
    this.label = options.label ?? 'card';
  }

  /** APDUs received since creation (answered or not). */
  get apduCount(): number {
    return this.count;
  }

  get faults(): Readonly<CardFaults> {
    return this.currentFaults;
  }

  /** True once a `removeAfterApdus` fault has pulled the card out. */
  get isWithdrawn(): boolean {
    return this.withdrawn;
  }

  get isPowered(): boolean {
    return this.powered;
  }

  /** Replaces the faults; their APDU numbers count from now. Clears a fault withdrawal. */
  setFaults(faults: CardFaults): void {
    this.currentFaults = { ...faults };
    this.faultBase = this.count;
    this.withdrawn = false;
  }

  application<T extends CardApplication>(name: string): T | undefined {
    return this.applications.find((a) => a.name === name) as T | undefined;
  }

  powerOn(): void {
    if (this.powered) return;
    this.powered = true;
    this.selected = undefined;
    this.log.debug(`${this.label}: power on`);
  }

  /** Power off (also what removal does): every application drops its security state. */
  powerOff(): void {
    this.powered = false;
    this.selected = undefined;
    for (const app of this.applications) app.reset();
    this.log.debug(`${this.label}: power off`);
  }

  /** Warm reset: security state gone, nothing selected, card stays powered. */
  reset(): void {
    this.powerOff();
    this.powerOn();
  }

  /**
   * One command APDU in, one response APDU out. Throws `CardWithdrawnFault` / `CardMuteFault`
   * when a fault says the reader gets no answer, `CardNotPoweredError` when unpowered.
   */
  transmit(apdu: Buffer): Buffer {
    if (!this.powered) throw new CardNotPoweredError();
    this.count += 1;
    const n = this.count - this.faultBase;
    const f = this.currentFaults;
    if (this.withdrawn || (f.removeAfterApdus !== undefined && n > f.removeAfterApdus)) {
      this.withdrawn = true;
      this.log.debug(`${this.label}: withdrawn during APDU #${n} (fault)`);
      throw new CardWithdrawnFault(n);
    }
    if (f.noAnswer) throw new CardMuteFault(n);
    let response = this.process(apdu);
    if (f.statusWordOverride && n > f.statusWordOverride.afterApdus) response = status(f.statusWordOverride.sw);
    if (f.truncateResponsesTo !== undefined && response.data.length > f.truncateResponsesTo) {
      response = status(response.sw, Buffer.from(response.data.subarray(0, f.truncateResponsesTo)));
    }
    // Header and status only: the data may be a certificate or a PIN (STYLE §10).
    this.log.trace(
      () =>
        `${this.label}: #${this.count} ${apdu.subarray(0, 4).toString('hex')} → ${response.sw.toString(16)} (${response.data.length} B)`,
    );
    return encodeResponse(response);
  }

  private process(raw: Buffer): ResponseApdu {
    let command: CommandApdu;
    try {
      command = decodeCommand(raw);
    } catch (error) {
      if (error instanceof MalformedCommandError) return status(SW.WRONG_LENGTH);
      throw error;
    }
    if ((command.cla & 0x0c) !== 0) return status(SW.CLA_NOT_SUPPORTED); // no secure messaging here
    if (command.cla === 0x00 && command.ins === 0xa4 && command.p1 === 0x04) return this.selectByName(command);
    if (!this.selected) {
      // The card-manager level: nothing the reader needs lives here.
      if (command.cla === 0x00 && command.ins === 0xa4) return status(command.p1 === 0x00 ? SW.WRONG_P1P2 : SW.FILE_NOT_FOUND);
      if (command.cla === 0x00 && (command.ins === 0xb0 || command.ins === 0x20)) return status(SW.NO_CURRENT_EF);
      return status(command.cla === 0x00 || command.cla === 0x80 ? SW.INS_NOT_SUPPORTED : SW.CLA_NOT_SUPPORTED);
    }
    return this.selected.handle(command);
  }

  private selectByName(command: CommandApdu): ResponseApdu {
    if (command.p2 !== 0x0c && command.p2 !== 0x00) return status(SW.WRONG_P1P2);
    if (command.data.length < 1 || command.data.length > 16) return status(SW.WRONG_LENGTH);
    const app = this.applications.find((a) => a.aid.equals(command.data));
    // A failed SELECT leaves the current application as it was (ISO 7816-4 §7.1.1).
    if (!app) return status(SW.FILE_NOT_FOUND);
    this.selected = app;
    return status(SW.OK);
  }
}
