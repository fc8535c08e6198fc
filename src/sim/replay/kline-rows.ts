// The rows of Binance's public kline archives (data.binance.vision, daily `<SYMBOL>-<interval>-
// <date>.zip`): open time, open, high, low, close, volume, close time, quote volume, trade count,
// taker buy base volume, taker buy quote volume, ignore. Spot files have no header, futures files
// one (then the columns are found by name). Times are milliseconds until the spot archives
// switched to microseconds on 2025-01-01; each time is read by its magnitude (archiveTimeUs), so
// both read alike. Every bar is checked as it is read: its close time not before its open, its
// high not below its low, its open and close inside [low, high]; a negative volume is refused by
// the field reader. What a bar market models: docs/0083-kline-bars-market.md.
import { archiveTimeUs } from './archive-rows.ts';
import { CsvFields, CsvRowError } from './csv-fields.ts';
import type { StepGrid } from './decimal-scan.ts';

export interface KlineBar {
  /** Open and close time, microseconds since the epoch (close is the bar's last µs or ms). */
  readonly openUs: number;
  readonly closeUs: number;
  /** Prices in ticks. */
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Base volume in data lots. */
  readonly volume: number;
  /** Trades in the bar, as the archive counts them. */
  readonly trades: number;
}

export interface KlineLayout {
  readonly fields: number;
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly closeTime: number;
  readonly count: number;
  readonly header: boolean;
}

const SPOT: KlineLayout = {
  fields: 12,
  openTime: 0,
  open: 1,
  high: 2,
  low: 3,
  close: 4,
  volume: 5,
  closeTime: 6,
  count: 8,
  header: false,
};

/** The layout when the first line is a kline archive's (a 12-column bar or the futures header), else null. */
export function klineLayout(firstLine: string): KlineLayout | null {
  const cells = firstLine.trim().split(',');
  if (/^\d/.test(cells[0] ?? '')) return cells.length === 12 ? SPOT : null;
  const at = (name: string) => cells.indexOf(name);
  if (at('open_time') < 0 || at('close_time') < 0) return null;
  const layout = {
    fields: cells.length,
    openTime: at('open_time'),
    open: at('open'),
    high: at('high'),
    low: at('low'),
    close: at('close'),
    volume: at('volume'),
    closeTime: at('close_time'),
    count: at('count'),
    header: true,
  };
  return Object.values(layout).some((v) => typeof v === 'number' && v < 0) ? null : layout;
}

export class KlineRowParser {
  private readonly f = new CsvFields();

  constructor(
    readonly layout: KlineLayout,
    private readonly tick: StepGrid,
    private readonly lot: StepGrid,
  ) {}

  /** One bar, checked in itself (its order against the bar before is the caller's). */
  parse(bytes: Uint8Array, start: number, end: number): KlineBar {
    const f = this.f;
    const l = this.layout;
    const n = f.split(bytes, start, end);
    if (n !== l.fields) throw new CsvRowError(`${n} fields where a klines archive has ${l.fields}`);
    const bar: KlineBar = {
      openUs: archiveTimeUs(f.int(l.openTime, 'open time')),
      closeUs: archiveTimeUs(f.int(l.closeTime, 'close time')),
      open: f.positive(l.open, this.tick, 'open'),
      high: f.positive(l.high, this.tick, 'high'),
      low: f.positive(l.low, this.tick, 'low'),
      close: f.positive(l.close, this.tick, 'close'),
      volume: f.steps(l.volume, this.lot, 'volume'),
      trades: f.int(l.count, 'trade count'),
    };
    const text = (k: number) => f.text(k);
    if (bar.closeUs < bar.openUs)
      throw new CsvRowError(`close time ${text(l.closeTime)} is before open time ${text(l.openTime)}`);
    if (bar.high < bar.low) throw new CsvRowError(`high ${text(l.high)} is below low ${text(l.low)}`);
    for (const [name, k, v] of [
      ['open', l.open, bar.open],
      ['close', l.close, bar.close],
    ] as const)
      if (v < bar.low || v > bar.high)
        throw new CsvRowError(`${name} ${text(k)} is outside the bar's [low ${text(l.low)}, high ${text(l.high)}]`);
    return bar;
  }
}
