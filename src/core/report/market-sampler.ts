// Samples the market into the event log (MarketSampled), so that a stored run's charts (book,
// trades, our fills against them) are rebuilt from its log alone. A sample is our market-data
// view's top of book and the venue's trade tape since the previous sample. Samples fall on a
// fixed grid, origin + k x intervalMs (k >= 1), scheduled on the Clock; one that would repeat the
// previous sample (same top of book, no trade since) is not recorded, so a quiet market, or one
// that moves once a day, costs no events. Each of our fills is sampled as it is learned
// (sampleFill), whatever changed. The sampler belongs to a process: a crashed process's samples
// stop with it, and a restarted one starts a new sampler that counts trades from its own start.
import { payloadHeads, SelfWrittenPayload, type CanonicalBytes } from '../log/canonical-bytes.ts';
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

const HEADS = payloadHeads(['ask', 'askQty', 'bid', 'bidQty', 'last', 'trades', 'trigger', 'volume', 'vwap']);

/** A MarketSampled event as the sampler makes it: the kind logged most (every interval of every
 *  path), so it writes its own canonical payload (SelfWrittenPayload); the same keys, in the
 *  same order, as the event type. */
export class MarketSample extends SelfWrittenPayload implements MarketSampled {
  readonly kind = 'MarketSampled';
  constructor(
    readonly trigger: MarketSampled['trigger'],
    readonly bid: number | null,
    readonly ask: number | null,
    readonly bidQty: number | null,
    readonly askQty: number | null,
    readonly trades: number,
    readonly volume: number,
    readonly vwap: number | null,
    readonly last: number | null,
  ) {
    super();
  }

  writeCanonical(out: CanonicalBytes): void {
    out.open();
    out.head(HEADS.ask, true);
    out.numberOrNull(this.ask);
    out.head(HEADS.askQty, false);
    out.numberOrNull(this.askQty);
    out.head(HEADS.bid, false);
    out.numberOrNull(this.bid);
    out.head(HEADS.bidQty, false);
    out.numberOrNull(this.bidQty);
    out.head(HEADS.last, false);
    out.numberOrNull(this.last);
    out.head(HEADS.trades, false);
    out.finite(this.trades);
    out.head(HEADS.trigger, false);
    out.string(this.trigger);
    out.head(HEADS.volume, false);
    out.finite(this.volume);
    out.head(HEADS.vwap, false);
    out.numberOrNull(this.vwap);
    out.close();
  }
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
    this.deps.record(
      new MarketSample(
        trigger,
        bid,
        ask,
        bidQty,
        askQty,
        trades,
        volume,
        tape && volume > 0 ? tape.notional / volume : null,
        tape?.last ?? null,
      ),
    );
  }
}
