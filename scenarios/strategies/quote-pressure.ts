// Order-book pressure in time windows, written with rxjs on the run's clock: quotes are gathered
// in windows of `windowSec` seconds (bufferTime on the scheduler the host hands over, so a
// backtest stays on virtual time), each window's mean imbalance (bid size - ask size) / (bid size
// + ask size) is smoothed over the last `smooth` windows (scan), and a buy goes out when the
// pressure is above `threshold` while flat; what it holds is sold (reduce-only) when the pressure
// turns below -threshold. Outputs are at most one per window.
import { z } from 'zod';
import { filter, map, mergeMap, scan, bufferTime, EMPTY, of } from 'rxjs';
import { defineStrategy, type Quote, type StrategyOutput } from 'execsim/strategy';

const params = z.strictObject({
  windowSec: z.number().int().min(1).max(3600).default(15),
  smooth: z.number().int().min(1).max(100).default(4),
  threshold: z.number().min(0).max(1).default(0.2),
  qty: z.number().positive().default(0.05),
});

const imbalance = (q: Quote): number | null =>
  q.bidSize + q.askSize > 0 ? (q.bidSize - q.askSize) / (q.bidSize + q.askSize) : null;

export default defineStrategy({
  name: 'quote-pressure',
  params,
  warmup: (p) => ({ seconds: p.windowSec * p.smooth }),
  reactive(p, inputs) {
    return inputs.quotes.pipe(
      bufferTime(p.windowSec * 1_000, inputs.scheduler),
      map((quotes) => quotes.map(imbalance).filter((x): x is number => x !== null)),
      filter((xs) => xs.length > 0),
      map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length),
      scan((recent: number[], x) => [...recent.slice(-(p.smooth - 1)), x], []),
      filter((recent) => recent.length === p.smooth),
      map((recent) => recent.reduce((a, b) => a + b, 0) / recent.length),
      mergeMap((pressure) => {
        const held = inputs.position();
        let out: StrategyOutput | null = null;
        if (held <= 0 && pressure > p.threshold) out = { side: 'buy', qty: p.qty, route: 'single' };
        else if (held > 0 && pressure < -p.threshold) out = { side: 'sell', qty: held, reduceOnly: true };
        return out === null ? EMPTY : of(out);
      }),
    );
  },
});
