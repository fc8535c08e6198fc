// A TWAP parent in an Almgren-Chriss market, as scenario text: X units (lot 1, tick 0.0001, so
// rounding the executed price changes nothing) in N equal slices one trading interval apart, the
// walk stepping once per interval, no fees, no reconciliation passes.
export interface AlmgrenChrissTwap {
  readonly side: 'buy' | 'sell';
  /** Units (lot 1). */
  readonly X: number;
  readonly N: number;
  /** The slice interval, which is also the model's rateInterval unless that is given. */
  readonly interval: string;
  /** The interval in the model's time unit. */
  readonly tauInUnits: number;
  readonly timeUnit: 'hour' | 'day';
  readonly sigma: number;
  readonly gamma: number;
  readonly epsilon: number;
  readonly eta: number;
  readonly rateInterval?: string;
}

/** Almgren and Chriss (2000): 1M shares at $50 sold over 5 days, sigma 0.95 per sqrt(day). */
export const PAPER: AlmgrenChrissTwap = {
  side: 'sell',
  X: 1_000_000,
  N: 5,
  interval: 'P1D',
  tauInUnits: 1,
  timeUnit: 'day',
  sigma: 0.95,
  gamma: 2.5e-7,
  epsilon: 0.0625,
  eta: 2.5e-6,
};

const UNIT_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** The scenario; its parent is `p`, starting at the run's start. */
export function almgrenChrissTwap(c: AlmgrenChrissTwap): string {
  const tauMs = c.tauInUnits * UNIT_MS[c.timeUnit];
  return `
name: ac-twap
seed: 1
venue:
  name: binance-spot
  latency: { orderEntry: 10, ack: 5, fillReport: 5 }
  fees: { makerBps: 0, takerBps: 0 }
instrument: { symbol: XYZUSD, tickSize: "0.0001", lotSize: "1", minNotional: "1" }
start: 2024-08-05T00:00:00Z
duration: P12D
reconciliation: { periodMs: null }
market:
  model: almgren_chriss
  initialPrice: "50"
  sigma: ${c.sigma}
  timeUnit: ${c.timeUnit}
  gamma: ${c.gamma}
  epsilon: ${c.epsilon}
  eta: ${c.eta}
  rateInterval: ${c.rateInterval ?? c.interval}
  stepMs: ${tauMs}
  depth: ["${c.X}"]
safety:
  preTrade: { largeOrderNotional: "1000000000", hardLimitNotional: "2000000000", maxOrderNotional: "5000000000", largeOrderQty: "100000000", maxOrderQty: "100000000" }
orders:
  - { id: p, at: PT0S, side: ${c.side}, qty: "${c.X}", type: market, twap: { duration: PT${(c.N * tauMs) / 1000}S, interval: ${c.interval}, maxPriceDeviation: 10 } }
`;
}
