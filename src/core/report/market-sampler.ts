// Samples the market into the event log (MarketSampled), so that a stored run's charts (book,
// trades, our fills against them) are rebuilt from its log alone. A sample is our market-data
// view's top of book and the venue's trade tape since the previous sample. Samples fall on a
// fixed grid, origin + k x intervalMs (k >= 1), scheduled on the Clock; one that would repeat the
// previous sample (same top of book, no trade since) is not recorded, so a quiet market, or one
// that moves once a day, costs no events. Each of our fills is sampled as it is learned
// (sampleFill), whatever changed. The sampler belongs to a process: a crashed process's samples
// stop with it, and a restarted one starts a new sampler that counts trades from its own start.
import type { MarketSampled } from '../model/events.ts';
import type { Symbol } from '../model/ids.ts';
import type { MarketDataPort } from '../ports/broker.ts';
import type { Clock, ClockSlot } from '../ports/clock.ts';

export interface MarketSamplerDeps {
  readonly clock: Clock;
  readonly marketData: MarketDataPort;
  readonly symbol: Symbol;
  /** Time between samples, ms (a positive whole number). */
  readonly intervalMs: number;
  /** Where the grid of sample times starts (the run's start), epoch ms. */
  readonly origin: number;
  readonly record: (event: MarketSampled) => void;
}

export class MarketSampler {
  private cursor = 0;
  /** The previous sample's top of book, as fields (no object per sample); `sampled` is false
   *  until the first sample. */
  private sampled = false;
  private bid: number | null = null;
  private ask: number | null = null;
  private bidQty: number | null = null;
  private askQty: number | null = null;
  private k = 0;
  /** Where the next sample is posted: a clock slot where the clock has them (one pending sample
   *  at a time, ordered as a post), else the clock. */
  private readonly ticks: ClockSlot;

  constructor(private readonly deps: MarketSamplerDeps) {
    if (!Number.isSafeInteger(deps.intervalMs) || deps.intervalMs < 1)
      throw new Error(`MarketSampler: intervalMs must be a positive whole number, got ${deps.intervalMs}`);
    // Trades before the sampler started are not "since the previous sample".
    this.cursor = deps.marketData.tradesSince?.(deps.symbol, 0).cursor ?? 0;
    this.ticks = deps.clock.slot?.() ?? deps.clock;
  }

  /** Schedules the samples: the first at the next grid point after now. */
  start(): void {
    const { clock, origin, intervalMs } = this.deps;
    this.k = Math.max(0, Math.floor((clock.now() - origin) / intervalMs)) + 1;
    this.ticks.post(this.tick, origin + this.k * intervalMs - clock.now());
  }

  /** One of our fills was learned: sampled now. */
  sampleFill(): void {
    this.sample('fill');
  }

  private readonly tick = (): void => {
    this.sample('interval');
    const { clock, origin, intervalMs } = this.deps;
    this.k++;
    this.ticks.post(this.tick, origin + this.k * intervalMs - clock.now());
  };

  private sample(trigger: MarketSampled['trigger']): void {
    const { marketData, symbol } = this.deps;
    const book = marketData.topOfBook(symbol);
    const bid = book.bid;
    const ask = book.ask;
    const bidQty = bid === null ? null : book.bidQty;
    const askQty = ask === null ? null : book.askQty;
    const tape = marketData.tradesSince?.(symbol, this.cursor) ?? null;
    const trades = tape?.trades ?? 0;
    const same =
      this.sampled && this.bid === bid && this.ask === ask && this.bidQty === bidQty && this.askQty === askQty;
    if (trigger === 'interval' && same && trades === 0) return;
    if (tape) this.cursor = tape.cursor;
    this.sampled = true;
    this.bid = bid;
    this.ask = ask;
    this.bidQty = bidQty;
    this.askQty = askQty;
    const volume = tape?.volume ?? 0;
    this.deps.record({
      kind: 'MarketSampled',
      trigger,
      bid,
      ask,
      bidQty,
      askQty,
      trades,
      volume,
      vwap: tape && volume > 0 ? tape.notional / volume : null,
      last: tape?.last ?? null,
    });
  }
}
