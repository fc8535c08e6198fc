// Trend with a momentum filter on two bar lengths, from trading-signals' streaming indicators: a
// fast and a slow EMA of the short bars' closes give the trend, the RSI of the long bars' closes
// says whether the move is stretched. Buys `qty` when the fast EMA crosses above the slow one while
// the RSI is below `rsiMax` and nothing is held or working; sells what it holds (reduce-only) when
// the fast EMA crosses back below, or when the context's P&L shows the position losing more than
// `stopLoss` of its cost. Warm-up: `bars` of each length (so the long one sets how long it takes).
import { z } from 'zod';
import { EMA, RSI } from 'trading-signals';
import { defineStrategy } from 'execsim/strategy';

const params = z.strictObject({
  fast: z.number().int().min(2).max(200).default(5),
  slow: z.number().int().min(3).max(500).default(15),
  rsiPeriod: z.number().int().min(2).max(100).default(6),
  rsiMax: z.number().min(0).max(100).default(70),
  barMs: z.number().int().min(1_000).default(60_000),
  trendMs: z.number().int().min(1_000).default(300_000),
  stopLoss: z.number().positive().default(0.002),
  qty: z.number().positive().default(0.01),
});

export default defineStrategy({
  name: 'trend-rsi',
  params,
  warmup: (p) => ({ bars: Math.max(p.slow, p.rsiPeriod + 1) }),
  feed: { bars: (p) => [p.barMs, p.trendMs] },
  create(p, ctx) {
    const fast = new EMA(p.fast);
    const slow = new EMA(p.slow);
    const rsi = new RSI(p.rsiPeriod);
    let fastAbove: boolean | null = null;
    return {
      onBar(bar) {
        if (bar.ms === p.trendMs) {
          rsi.add(bar.close);
          return undefined;
        }
        const f = fast.add(bar.close);
        const s = slow.add(bar.close);
        if (f === null || s === null || !slow.isStable) return undefined;
        const was = fastAbove;
        fastAbove = f > s;
        if (ctx.openParents().length > 0) return undefined;
        const held = ctx.position();
        const pnl = ctx.pnl();
        const losing = held > 0 && pnl.averagePrice !== null && pnl.unrealized < -p.stopLoss * held * pnl.averagePrice;
        if (held > 0 && (losing || (was === true && !fastAbove))) return { side: 'sell', qty: held, reduceOnly: true };
        const momentum = rsi.getResult();
        if (held <= 0 && was === false && fastAbove && momentum !== null && momentum < p.rsiMax)
          return { side: 'buy', qty: p.qty };
        return undefined;
      },
    };
  },
});
