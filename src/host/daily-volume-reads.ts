// A live process's input to the liquidity cap: the venue's daily bars of each symbol the node
// trades, read through its adapter before the node starts (and again once a reading is a day
// old), turned into the events the engine plans with (DailyVolumeRead, or LiquidityCapOff with
// why). A resumed process reads only what its stored log lacks or has had for more than a day:
// the TWAPs it plans use the stored ADV, as the first process would have. A symbol already
// logged as capped off is not warned of again. Wall time and Promises: here, not in the node.
// DailyVolumeReads runs them over a live process's life (live-process.ts).
import { averageDailyVolume } from '../core/algo/liquidity-cap.ts';
import { LiquidityBook } from '../core/engine/liquidity-book.ts';
import type { LogEntry } from '../core/model/events.ts';
import type { LiquidityEvent } from '../core/model/liquidity-events.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { LiveVenue } from '../live/live-venue.ts';
import type { LiquidityConfig } from '../node/node-config.ts';
import type { SerialInbox } from '../node/serial-inbox.ts';
import type { TradingNode } from '../node/trading-node.ts';
import type { UnitClock } from '../node/unit-runner.ts';

/**
 * The liquidity cap's volumes in one live process, when the venue's daily bars are their source
 * (`config` null: they are not, and this does nothing): read before anything can be planned,
 * recorded in the node's startup unit, then read again each day (a long paper run, a service
 * session), each reading recorded as a unit of the inbox.
 */
export class DailyVolumeReads {
  constructor(
    private readonly config: LiquidityConfig | null,
    private readonly venue: LiveVenue,
    /** The process's own clock (not a unit clock): when a reading is due. */
    private readonly clock: Clock,
    private readonly warn?: (message: string) => void,
  ) {}

  /** The readings due at the start: what the stored log (`prior`, null for a first process)
   *  lacks, or has had for a day (bounded by the adapter's request deadline). */
  startup(prior: readonly LogEntry[] | null): Promise<LiquidityEvent[]> {
    const stored = this.config && new LiquidityBook(this.config.policy);
    stored?.restore(prior ?? []);
    return this.due(stored);
  }

  /** Logs readings through the node (a command), warning of a symbol newly capped off. */
  record(node: TradingNode, events: readonly LiquidityEvent[]): void {
    for (const e of events) {
      if (e.kind === 'LiquidityCapOff' && !node.liquidityReadings()?.isOff(e.symbol))
        this.warn?.(`liquidity cap off for ${e.symbol}: ${e.reason}; its TWAP slices are not capped`);
      node.handle({ kind: 'RecordDailyVolumes', readings: [e] });
    }
  }

  /** Reads again each day what has become a day old: the timer is a unit on `clock` (stopped
   *  with the process), the reading recorded as a unit of `inbox`. */
  refresh(clock: UnitClock, inbox: SerialInbox, node: TradingNode): void {
    const c = this.config;
    if (c === null) return;
    clock.schedule(() => {
      void this.due(node.liquidityReadings()).then((events) => inbox.post(() => this.record(node, events)));
      this.refresh(clock, inbox, node);
    }, c.refreshMs);
  }

  /** The venue's daily volumes of the symbols whose reading `book` lacks or has had for a day. */
  private async due(book: Pick<LiquidityBook, 'readAt'> | null): Promise<LiquidityEvent[]> {
    const c = this.config;
    if (c === null || book === null) return [];
    const due = volumesDue(c, book, this.clock.now());
    return due.length === 0 ? [] : readDailyVolumes(this.venue, c, due);
  }
}

/** The symbols whose reading is missing or at least `refreshMs` old at `now`. */
export function volumesDue(config: LiquidityConfig, book: Pick<LiquidityBook, 'readAt'>, now: number): string[] {
  return config.symbols.filter((symbol) => {
    const at = book.readAt(symbol);
    return at === null || now - at >= config.refreshMs;
  });
}

/** Reads the venue's daily volumes of `symbols` (one request each, in turn) as the events to log. */
export async function readDailyVolumes(
  venue: LiveVenue,
  config: LiquidityConfig,
  symbols: readonly string[],
): Promise<LiquidityEvent[]> {
  const out: LiquidityEvent[] = [];
  for (const symbol of symbols) {
    const off = (reason: string): void => void out.push({ kind: 'LiquidityCapOff', symbol, reason });
    if (venue.dailyVolumes === undefined) {
      off("the venue's adapter reads no daily bars");
      continue;
    }
    const answer = await venue.dailyVolumes(symbol, config.advDays);
    if (answer.kind === 'failed') {
      off(`the venue's daily bars could not be read: ${answer.reason}`);
      continue;
    }
    const adv = averageDailyVolume(answer.dailyLots, config.advDays);
    if ('unavailable' in adv) off(`${answer.source}: ${adv.unavailable}`);
    else out.push({ kind: 'DailyVolumeRead', symbol, advLots: adv.advLots, days: adv.days, source: answer.source });
  }
  return out;
}
