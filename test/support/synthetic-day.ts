// A synthetic trading day as a Binance recording (the replay model's format: a depth snapshot,
// depth diffs and trades, each line its receive time in ns and the message), for the VWAP
// slippage test and bench (test/backtest/vwap-slippage.test.ts, bench/vwap-slippage.ts). The
// market models have no intraday volume profile (the synthetic model trades at one rate all
// day), so the day is written here: a mid on a seeded random walk, a deep book redrawn around it
// every `stepS` seconds, and others' trades at the touch whose rate follows a U over the day
// (`1 + 2 (2s - 1)^2` at the share s of the day gone: three times the midday rate at the open
// and at the close, the exchange-calendar shape the VWAP defaults to), so a VWAP given the true
// profile can be told from a TWAP against the interval VWAP.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface SyntheticDay {
  readonly seed: number;
  /** Epoch ms of the day's first instant. */
  readonly start: number;
  /** Seconds the day lasts. */
  readonly seconds: number;
  /** Seconds between book redraws (and mid steps). */
  readonly stepS: number;
  /** Mean trades a second over the day. */
  readonly tradesPerSec: number;
  /** The mid at the start, and its step's standard deviation, in dollars. */
  readonly initialMid: number;
  readonly stepSd: number;
}

/** The U-shaped volume rate at the share s of the day gone (integrates to 5/3 over the day). */
export const uRate = (s: number): number => 1 + 2 * (2 * s - 1) ** 2;

/** The day's volume weights in `buckets` equal buckets (the exact integral of uRate). */
export function uProfile(buckets: number): number[] {
  // The integral of 1 + 2 (2s - 1)^2 is s + (2s - 1)^3 / 3.
  const cum = (s: number) => s + (2 * s - 1) ** 3 / 3;
  return Array.from({ length: buckets }, (_, i) => cum((i + 1) / buckets) - cum(i / buckets));
}

/** mulberry32: a small seeded generator, the same on every machine. */
function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const px = (cents: number): string => (cents / 100).toFixed(8);

/** Writes the day to `file` (gzip) as the replay model reads it. */
export function writeSyntheticDay(file: string, d: SyntheticDay): void {
  const r = rand(d.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const lines: string[] = [];
  const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
  const levels = (best: number, dir: 1 | -1): Array<[string, string]> =>
    [0, 1, 2, 3, 4].map((i) => [px(best + dir * i), '50.00000000']);
  let updateId = 1_000;
  let mid = Math.round(d.initialMid * 100);
  let bid = mid - 1;
  let ask = mid + 1;
  lines.push(
    `${ns(d.start - 1_000)} ${JSON.stringify({ lastUpdateId: updateId, bids: levels(bid, -1), asks: levels(ask, 1) })}`,
  );
  let tradeId = 1;
  const meanRate = d.tradesPerSec / (5 / 3);
  for (let step = 0; step * d.stepS < d.seconds; step++) {
    const t0 = d.start + step * d.stepS * 1000;
    if (step > 0) {
      // The mid moves; the book is redrawn around it: the old levels removed, the new ones added.
      mid += Math.round(normal() * d.stepSd * 100);
      const [oldBid, oldAsk] = [bid, ask];
      bid = mid - 1;
      ask = mid + 1;
      const gone = (best: number, dir: 1 | -1) => levels(best, dir).map(([p]) => [p, '0.00000000']);
      const b = new Map([...gone(oldBid, -1), ...levels(bid, -1)].map(([p, q]) => [p, q]));
      const a = new Map([...gone(oldAsk, 1), ...levels(ask, 1)].map(([p, q]) => [p, q]));
      updateId++;
      const data = { e: 'depthUpdate', E: t0, s: 'BTCUSDT', U: updateId, u: updateId, b: [...b], a: [...a] };
      lines.push(`${ns(t0)} ${JSON.stringify({ stream: 'btcusdt@depth@100ms', data })}`);
    }
    // Others' trades in this step: Poisson arrivals at the U-shaped rate of its middle.
    const rate = meanRate * uRate((step + 0.5) / (d.seconds / d.stepS));
    let t = t0 + 1;
    for (;;) {
      t += (-Math.log(1 - r()) / rate) * 1000;
      if (t >= t0 + d.stepS * 1000) break;
      const buy = r() < 0.5;
      const qty = (0.001 + r() * 0.02).toFixed(5);
      const data = {
        e: 'trade',
        E: Math.floor(t),
        s: 'BTCUSDT',
        t: tradeId++,
        p: px(buy ? ask : bid),
        q: qty,
        T: Math.floor(t),
        m: !buy,
        M: true,
      };
      lines.push(`${ns(t)} ${JSON.stringify({ stream: 'btcusdt@trade', data })}`);
    }
  }
  writeFileSync(file, gzipSync(lines.join('\n') + '\n'));
}
