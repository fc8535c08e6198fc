// The rows of Binance's public trade archives (data.binance.vision): daily `trades`
// (id, price, qty, quoteQty, time, isBuyerMaker, isBestMatch) and `aggTrades` (aggregate id,
// price, qty, first id, last id, time, isBuyerMaker, isBestMatch), spot files without a header,
// futures files with one (then columns are found by name). Times are milliseconds until the spot
// archives switched to microseconds on 2025-01-01: a time above 10^14 is read as microseconds
// (10^14 ms is the year 5138), so both read alike. Kline archives are read by kline-rows.ts.
import { CsvFields, CsvRowError } from './csv-fields.ts';
import type { StepGrid } from './decimal-scan.ts';

export interface ArchiveTrade {
  readonly tradeId: number;
  readonly price: number;
  readonly qty: number;
  /** Trade time, microseconds since the epoch. */
  readonly timeUs: number;
  readonly buyerIsMaker: boolean;
}

export interface ArchiveLayout {
  readonly kind: 'trades' | 'aggTrades';
  readonly fields: number;
  readonly id: number;
  readonly price: number;
  readonly qty: number;
  readonly time: number;
  readonly buyerIsMaker: number;
  /** The first line is a header (futures archives). */
  readonly header: boolean;
}

/** Microseconds from an archive time in ms or (2025 on, spot) µs. */
export function archiveTimeUs(time: number): number {
  return time > 1e14 ? time : time * 1000;
}

/** The layout of an archive from its first line, or why it is none the replay reads. */
export function archiveLayout(firstLine: string): ArchiveLayout | string {
  const cells = firstLine.trim().split(',');
  if (/^\d/.test(cells[0] ?? '')) {
    if (cells.length === 7)
      return { kind: 'trades', fields: 7, id: 0, price: 1, qty: 2, time: 4, buyerIsMaker: 5, header: false };
    if (cells.length === 8)
      return { kind: 'aggTrades', fields: 8, id: 0, price: 1, qty: 2, time: 5, buyerIsMaker: 6, header: false };
    return `${cells.length} columns: not a trades (7), aggTrades (8) or klines (12) archive`;
  }
  const at = (...names: string[]) => cells.findIndex((c) => names.includes(c));
  const layout = {
    kind: at('first_trade_id') >= 0 ? ('aggTrades' as const) : ('trades' as const),
    fields: cells.length,
    id: at('id', 'agg_trade_id'),
    price: at('price'),
    qty: at('qty', 'quantity'),
    time: at('time', 'transact_time'),
    buyerIsMaker: at('is_buyer_maker'),
    header: true,
  };
  if ([layout.id, layout.price, layout.qty, layout.time, layout.buyerIsMaker].some((i) => i < 0))
    return `header "${firstLine.slice(0, 120)}" is not a trades, aggTrades or klines archive's`;
  return layout;
}

export class ArchiveRowParser {
  private readonly f = new CsvFields();

  constructor(
    readonly layout: ArchiveLayout,
    private readonly tick: StepGrid,
    private readonly lot: StepGrid,
  ) {}

  parse(bytes: Uint8Array, start: number, end: number): ArchiveTrade {
    const f = this.f;
    const l = this.layout;
    const n = f.split(bytes, start, end);
    if (n !== l.fields) throw new CsvRowError(`${n} fields where a ${l.kind} archive has ${l.fields}`);
    return {
      tradeId: f.int(l.id, 'id'),
      price: f.positive(l.price, this.tick, 'price'),
      qty: f.positive(l.qty, this.lot, 'qty'),
      timeUs: archiveTimeUs(f.int(l.time, 'time')),
      buyerIsMaker: f.bool(l.buyerIsMaker, 'isBuyerMaker'),
    };
  }
}
