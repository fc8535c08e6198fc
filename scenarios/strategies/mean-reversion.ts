// Mean reversion on bars: buys `qty` when the close falls `entryZ` standard deviations below the
// mean of the last `window` closes, and sells what it holds once the close is back above the mean
// plus `exitZ` deviations (reduce-only: it never goes short). One position at a time; while a
// signal of its own is being worked it waits for the outcome.
import { z } from 'zod';
import { defineStrategy } from 'execsim/strategy';

const params = z.strictObject({
  window: z.number().int().min(2).max(500).default(12),
  entryZ: z.number().positive().default(1.5),
  exitZ: z.number().default(0),
  qty: z.number().positive().default(0.05),
  route: z.enum(['single', 'twap', 'auto']).default('single'),
});

export default defineStrategy({
  name: 'mean-reversion',
  params,
  warmup: (p) => ({ bars: p.window }),
  feed: { quoteMs: 1_000, barMs: 10_000 },
  create(p, ctx) {
    const closes: number[] = [];
    let working = false;
    return {
      onParent(update) {
        if (update.signalId !== null && update.state !== 'created') working = false;
      },
      onBar(bar) {
        closes.push(bar.close);
        if (closes.length > p.window) closes.shift();
        if (closes.length < p.window || working) return;
        const mean = closes.reduce((a, b) => a + b, 0) / closes.length;
        const sd = Math.sqrt(closes.reduce((a, b) => a + (b - mean) ** 2, 0) / closes.length);
        if (sd === 0) return;
        const z = (bar.close - mean) / sd;
        const held = ctx.position();
        if (held < p.qty / 2 && z < -p.entryZ) {
          working = true;
          return { side: 'buy', qty: p.qty, route: p.route };
        }
        if (held >= p.qty / 2 && z > p.exitZ) {
          working = true;
          return { side: 'sell', qty: held, route: 'single', reduceOnly: true };
        }
        return undefined;
      },
    };
  },
});
