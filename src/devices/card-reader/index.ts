/**
 * The card reader: interface, events and a lazy factory (STYLE §2) — `pcsclite` (a native module)
 * is loaded only when the PC/SC driver is configured.
 */
import type { Logger } from '../../log/logger';
import type { CardReaderDriver, SlotMap } from './card-reader-driver';

export * from './card-reader-driver';
export type { HostedCard, SimulatedCardReaderDriver } from './simulated-driver';
export type { PcscliteCardReaderDriver } from './pcsclite-driver';

export type CardReaderConfig =
  | { kind: 'pcsc'; slotMap?: SlotMap; apduTimeoutMs?: number; log?: Logger }
  | { kind: 'simulated'; log?: Logger };

export async function createCardReaderDriver(config: CardReaderConfig): Promise<CardReaderDriver> {
  if (config.kind === 'simulated') {
    const { SimulatedCardReaderDriver } = await import('./simulated-driver');
    return new SimulatedCardReaderDriver(config.log ? { log: config.log } : {});
  }
  const { PcscliteCardReaderDriver } = await import('./pcsclite-driver');
  const { kind: _kind, ...options } = config;
  return new PcscliteCardReaderDriver(options);
}
