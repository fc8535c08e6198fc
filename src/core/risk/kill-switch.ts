// The kill switch: active, reducing (only orders that reduce exposure pass) or halted (no new
// orders or slices; cancels always pass). Every change names an actor and a reason and is a
// KillSwitchChanged event; the state is the last such event, so a restart rebuilds it from the
// log. Checked before every order and every slice, resubmissions included.
import type { KillSwitchChanged } from '../model/events.ts';
import type { Side } from '../model/order.ts';

export type KillSwitchState = KillSwitchChanged['state'];

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

  /**
   * Why an order of `side` and `qty` lots may not go out, or null. `position` is our signed
   * position in lots (what the order would reduce).
   */
  blocks(side: Side, qty: number, position: number): string | null {
    if (this.current === 'halted') return 'kill switch halted';
    if (this.current === 'reducing') {
      const after = position + (side === 'buy' ? qty : -qty);
      const reduces = Math.abs(after) < Math.abs(position) && Math.sign(after) * Math.sign(position) >= 0;
      if (!reduces) return 'kill switch reducing: order would not reduce exposure';
    }
    return null;
  }
}
