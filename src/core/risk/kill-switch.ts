// The kill switch: active, reducing (only orders that reduce exposure pass) or halted (no new
// orders or slices; cancels always pass). Every change is a KillSwitchChanged event, so a restart
// rebuilds it from the log; checked before every order and slice, resubmissions included.
// Why reducing counts working orders: docs/0069-core-and-simulator-notes.md.
import type { KillSwitchChanged } from '../model/events.ts';
import type { Side } from '../model/order.ts';
import { availableToClose, reducingSide, type OpenOrder } from '../safety/reduce-only.ts';

export type KillSwitchState = KillSwitchChanged['state'];

/** Our exposure as the engine knows it: filled position and the orders still able to fill. */
export interface Exposure {
  /** Signed lots from applied fills. */
  readonly position: number;
  /** Remaining lots of every order that may still fill at the venue. */
  readonly working: readonly OpenOrder[];
}

export class KillSwitch {
  private current: KillSwitchState = 'active';

  constructor(private readonly record: (e: KillSwitchChanged) => void) {}

  get state(): KillSwitchState {
    return this.current;
  }

  set(state: KillSwitchState, actor: string, reason: string): void {
    if (!actor || !reason) throw new Error('the kill switch needs an actor and a reason');
    this.current = state;
    this.record({ kind: 'KillSwitchChanged', state, actor, reason });
  }

  /** Rebuilds the state from a logged event (restart). */
  apply(e: KillSwitchChanged): void {
    this.current = e.state;
  }

  /** Why an order of `side` and `qty` lots may not go out given our exposure (read only in
   *  reducing mode: it walks the working orders), or null; `qtyText` writes lots in the
   *  instrument's units, as every other refusal does (the engine's guard passes it). */
  blocks(
    side: Side,
    qty: number,
    exposureOf: () => Exposure,
    qtyText: (lots: number) => string = (lots) => `${lots} lots`,
  ): string | null {
    if (this.current === 'halted') return 'kill switch halted';
    if (this.current !== 'reducing') return null;
    const exposure = exposureOf();
    const reduces = reducingSide(exposure.position);
    if (reduces === null) return 'kill switch reducing: the position is flat, nothing to reduce';
    if (side !== reduces)
      return `kill switch reducing: a ${side} would increase the position of ${qtyText(exposure.position)}`;
    const available = availableToClose(exposure.position, exposure.working);
    if (qty > available) {
      const position = Math.abs(exposure.position);
      return (
        `kill switch reducing: ${side} ${qtyText(qty)} with ${qtyText(position - available)} already working ` +
        `would close more than the position of ${qtyText(position)}`
      );
    }
    return null;
  }
}
