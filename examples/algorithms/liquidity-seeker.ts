// A liquidity seeker: it rests one passive child at our touch, and takes only when the far side
// shows a large displayed size (at least `takeAt` lots), then at most what is displayed there.
// Quantities are lots, prices ticks, times epoch ms on the run's clock. At the horizon it cancels
// what rests and stops. A user's execution algorithm: docs/guide/execution-algorithms.md.
import { defineAlgorithm, type AlgoDecision, type ChildIntent } from 'execsim/strategy';

interface Params {
  /** Take when the far side displays at least this many lots. */
  readonly takeAt: number;
  /** The passive child's size, lots. */
  readonly restQty: number;
  /** How often it looks at the book, ms. */
  readonly checkEveryMs: number;
}

export default defineAlgorithm({
  decide(ctx): AlgoDecision {
    const p = ctx.parent.params as Params;
    const open = ctx.children.filter((c) => c.open && c.status !== 'pending_cancel');
    if (ctx.trigger === 'end') return { intents: open.map((c) => ({ kind: 'cancel', child: c.handle })), done: true };
    const intents: ChildIntent[] = [];
    const far = ctx.parent.side === 'buy' ? ctx.market.askQty : ctx.market.bidQty;
    let room = ctx.parent.room;
    if (far >= p.takeAt && room > 0) {
      const take = Math.min(room, far);
      intents.push({ kind: 'place', qty: take, type: 'market' });
      room -= take;
    }
    const resting = open.filter((c) => c.type === 'limit');
    if (resting.length === 0 && room > 0)
      intents.push({ kind: 'place', qty: Math.min(p.restQty, room), type: 'limit', peg: { to: 'touch' } });
    return { intents, wakeAt: ctx.now + p.checkEveryMs };
  },
});
