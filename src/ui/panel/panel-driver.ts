/**
 * The boundary between the reader service and whatever shows screens and takes touches: the
 * blessed terminal panel on the device and the rig, or a headless panel for tests and for
 * `fcr rig screen`. Inputs are already resolved to meaning (a named button or a keypad digit):
 * hit-testing against the drawn layout happens inside the driver.
 */
import type { PanelView } from '../panel-view';

export type PanelInput = { type: 'button'; id: string } | { type: 'digit'; digit: string };

export interface PanelDriver {
  show(view: PanelView): void;
  /**
   * Resolves once the view last given to `show` is on the glass (the colour-flash cue waits for
   * its colour before it takes a camera frame, issue 14).
   */
  shown(): Promise<void>;
  /** The view on screen now (for the rig's `screen` command and the card-left reminder). */
  current(): PanelView | undefined;
  onInput(listener: (input: PanelInput) => void): () => void;
  press(labelOrId: string): boolean;
  typeDigit(digit: string): void;
  /** A touch at a panel cell (from the HID digitizer after calibration). */
  touchCell(x: number, y: number): void;
  /** The panel's size in cells (the touch calibration maps onto it). */
  size(): { cols: number; rows: number };
  close(): void;
}

/** Keeps listeners and the current view; drivers extend it. */
export abstract class PanelDriverBase implements PanelDriver {
  private readonly listeners = new Set<(input: PanelInput) => void>();
  protected view: PanelView | undefined;

  abstract show(view: PanelView): void;
  abstract touchCell(x: number, y: number): void;
  abstract close(): void;

  size(): { cols: number; rows: number } {
    return { cols: 80, rows: 24 };
  }

  /** A panel that draws synchronously has shown the view when `show` returns. */
  shown(): Promise<void> {
    return Promise.resolve();
  }

  current(): PanelView | undefined {
    return this.view;
  }

  onInput(listener: (input: PanelInput) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected emit(input: PanelInput): void {
    for (const l of this.listeners) l(input);
  }

  /**
   * Presses the button on screen whose label (or id) matches, as a finger would (rig `tap`).
   * Returns false when no such button is on the current screen.
   */
  press(labelOrId: string): boolean {
    const b = this.view?.buttons.find((x) => x.label === labelOrId || x.id === labelOrId);
    if (!b) return false;
    this.emit({ type: 'button', id: b.id });
    return true;
  }

  typeDigit(digit: string): void {
    this.emit({ type: 'digit', digit });
  }
}

/** No terminal: remembers the view; touches are by button id or label (rig `tap`). */
export class HeadlessPanel extends PanelDriverBase {
  show(view: PanelView): void {
    this.view = view;
  }
  touchCell(): void {
    // A headless panel has no cells; the rig taps by label through `press`.
  }
  close(): void {}
}
