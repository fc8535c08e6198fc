// Momentum breakout (a Donchian channel) on one-minute bars: buys `qty` as a TWAP when a bar closes
// above the highest high of the `window` bars before it, and sells what it holds (reduce-only,
// one order) when a bar closes below the lowest low of the last `exitWindow` bars. A handler
// strategy: its state is the bars it keeps.
import { z } from 'zod';
import { defineStrategy, type Bar } from 'execsim/strategy';

const params = z.strictObject({
  window: z.number().int().min(2).max(500).default(20),
  exitWindow: z.number().int().min(2).max(500).default(10),
  qty: z.number().positive().default(0.2),
  twapMinutes: z.number().int().min(1).max(60).default(5),
});

export default defineStrategy({
  name: 'breakout',
  params,
  warmup: (p) => ({ bars: Math.max(p.window, p.exitWindow) }),
  create(p, ctx) {
    const bars: Bar[] = [];
    let working = false;
    return {
      onParent(update) {
        if (update.signalId !== null && update.state !== 'created') working = false;
      },
      onBar(bar) {
        const before = bars.slice(-p.window);
        const exitBefore = bars.slice(-p.exitWindow);
        bars.push(bar);
        if (bars.length > Math.max(p.window, p.exitWindow)) bars.shift();
        if (before.length < p.window || working) return;
        const held = ctx.position();
        if (held <= 0 && bar.close > Math.max(...before.map((b) => b.high))) {
          working = true;
          return { side: 'buy', qty: p.qty, route: 'twap' };
        }
        if (held > 0 && bar.close < Math.min(...exitBefore.map((b) => b.low))) {
          working = true;
          return { side: 'sell', qty: held, route: 'single', reduceOnly: true };
        }
        return undefined;
      },
    };
  },
});
