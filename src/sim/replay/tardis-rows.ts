// The rows of Tardis.dev's CSV datasets, read from the bytes of one line: the dataset is known
// from the file's header (incremental_book_L2, book_snapshot_N, trades, quotes), columns are
// found by name, prices become ticks and amounts data lots. Timestamps are microseconds since the
// epoch: `local_timestamp` (when Tardis's recorder received the message) orders the replay,
// `timestamp` (the exchange's, or the local one where the exchange gives none) is kept as the
// event time. Every row must be for the run's symbol. What the rows become in the replay:
// tardis-assembler.ts.
import { CsvFields, CsvRowError } from './csv-fields.ts';
import type { StepGrid } from './decimal-scan.ts';

export type TardisDataset = 'incremental_book_L2' | 'book_snapshot' | 'trades' | 'quotes';

interface RowBase {
  /** local_timestamp, microseconds since the epoch. */
  readonly recvUs: number;
  /** timestamp, microseconds since the epoch. */
  readonly eventUs: number;
}

/** One level update (or, with `snapshot`, one level of a snapshot) of incremental_book_L2. */
export interface TardisBookRow extends RowBase {
  readonly kind: 'book';
  readonly snapshot: boolean;
  readonly side: 'bid' | 'ask';
  readonly price: number;
  /** 0 removes the level. */
  readonly qty: number;
}

/** One row of book_snapshot_N: the top N levels, best first, flattened [price, qty, ...]. */
export interface TardisSnapshotRow extends RowBase {
  readonly kind: 'book_snapshot';
  readonly bids: number[];
  readonly asks: number[];
}

export interface TardisTradeRow extends RowBase {
  readonly kind: 'trade';
  /** The trade id when it is an integer, else -1. */
  readonly tradeId: number;
  /** The aggressor's (liquidity taker's) side; unknown when the exchange does not say. */
  readonly side: 'buy' | 'sell' | 'unknown';
  readonly price: number;
  readonly qty: number;
}

/** Best bid and offer; a side the book did not have is -1 (price and amount), else both above 0. */
export interface TardisQuoteRow extends RowBase {
  readonly kind: 'quote';
  readonly bid: number;
  readonly bidQty: number;
  readonly ask: number;
  readonly askQty: number;
}

export type TardisRow = TardisBookRow | TardisSnapshotRow | TardisTradeRow | TardisQuoteRow;

const COMMON = ['exchange', 'symbol', 'timestamp', 'local_timestamp'] as const;
const BOOK = [...COMMON, 'is_snapshot', 'side', 'price', 'amount'] as const;
const TRADES = [...COMMON, 'id', 'side', 'price', 'amount'] as const;
const QUOTES = [...COMMON, 'ask_amount', 'ask_price', 'bid_price', 'bid_amount'] as const;

/** What a header says: the dataset, where each column is, and how many levels a snapshot has. */
export interface TardisLayout {
  readonly dataset: TardisDataset;
  readonly header: string;
  readonly columns: ReadonlyMap<string, number>;
  readonly fieldCount: number;
  /** book_snapshot_N: N. */
  readonly levels: number;
}

/** The layout of a Tardis CSV header line, or a message saying why it is none we read. */
export function tardisLayout(header: string): TardisLayout | string {
  const names = header.trim().split(',');
  const columns = new Map(names.map((n, i) => [n, i]));
  const has = (list: readonly string[]) => list.every((n) => columns.has(n));
  const layout = (dataset: TardisDataset, levels = 0): TardisLayout => ({
    dataset,
    header: header.trim(),
    columns,
    fieldCount: names.length,
    levels,
  });
  if (has(BOOK)) return layout('incremental_book_L2');
  if (has(QUOTES)) return layout('quotes');
  if (has(TRADES)) return layout('trades');
  if (has(COMMON) && columns.has('asks[0].price')) {
    let n = 0;
    while (has([`asks[${n}].price`, `asks[${n}].amount`, `bids[${n}].price`, `bids[${n}].amount`])) n++;
    return layout('book_snapshot', n);
  }
  return (
    `not a Tardis CSV header of a dataset the replay reads (incremental_book_L2, book_snapshot_N, trades, ` +
    `quotes): "${header.length > 120 ? `${header.slice(0, 120)}...` : header}"`
  );
}

export interface TardisGrid {
  readonly tick: StepGrid;
  readonly lot: StepGrid;
  /** Every row's symbol must be this (compared upper-cased). */
  readonly symbol: string;
  /** What names that symbol where it was given, for a refusal to point at (`--symbol`, the
   *  scenario's otherInstruments[1].symbol); the scenario's instrument.symbol when absent. */
  readonly symbolField?: string;
}

/** Reads the rows of one dataset; `parse` throws CsvRowError for a row it cannot read. */
export class TardisRowParser {
  private readonly f = new CsvFields();
  private readonly symbol: Uint8Array;
  private readonly levelCols: number[] = [];

  constructor(
    readonly layout: TardisLayout,
    private readonly grid: TardisGrid,
  ) {
    this.cols = Object.fromEntries(layout.columns);
    this.symbol = new TextEncoder().encode(grid.symbol.toUpperCase());
    for (let i = 0; i < layout.levels; i++) {
      for (const side of ['bids', 'asks']) {
        this.levelCols.push(this.col(`${side}[${i}].price`), this.col(`${side}[${i}].amount`));
      }
    }
  }

  /** Each column's index, looked up once (a row reads several). */
  private readonly cols: Readonly<Record<string, number>>;

  private col(name: string): number {
    return this.cols[name] as number;
  }

  parse(bytes: Uint8Array, start: number, end: number): TardisRow {
    const f = this.f;
    const n = f.split(bytes, start, end);
    if (n !== this.layout.fieldCount)
      throw new CsvRowError(`${n} fields where the header has ${this.layout.fieldCount}`);
    this.checkSymbol();
    const recvUs = f.int(this.col('local_timestamp'), 'local_timestamp');
    const eventUs = f.empty(this.col('timestamp')) ? recvUs : f.int(this.col('timestamp'), 'timestamp');
    switch (this.layout.dataset) {
      case 'incremental_book_L2':
        return this.book(recvUs, eventUs);
      case 'book_snapshot':
        return this.snapshot(recvUs, eventUs);
      case 'trades':
        return this.trade(recvUs, eventUs);
      case 'quotes':
        return this.quote(recvUs, eventUs);
    }
  }

  private checkSymbol(): void {
    const f = this.f;
    const k = this.col('symbol');
    const text = f.text(k);
    if (text.length === this.symbol.length) {
      let same = true;
      for (let j = 0; j < text.length && same; j++) {
        const c = text.charCodeAt(j);
        same = (c >= 97 && c <= 122 ? c - 32 : c) === this.symbol[j];
      }
      if (same) return;
    }
    throw new CsvRowError(
      `the data is for symbol ${text.toUpperCase()}, but ${this.grid.symbolField ?? "the scenario's instrument.symbol"} is ${this.grid.symbol}`,
    );
  }

  private book(recvUs: number, eventUs: number): TardisBookRow {
    const f = this.f;
    const sideCol = this.col('side');
    let side: 'bid' | 'ask';
    if (f.is(sideCol, 'bid')) side = 'bid';
    else if (f.is(sideCol, 'ask')) side = 'ask';
    else throw new CsvRowError(`side "${f.text(sideCol)}" must be bid or ask`);
    return {
      kind: 'book',
      recvUs,
      eventUs,
      snapshot: f.bool(this.col('is_snapshot'), 'is_snapshot'),
      side,
      price: f.positive(this.col('price'), this.grid.tick, 'price'),
      qty: f.steps(this.col('amount'), this.grid.lot, 'amount'),
    };
  }

  private snapshot(recvUs: number, eventUs: number): TardisSnapshotRow {
    const f = this.f;
    const bids: number[] = [];
    const asks: number[] = [];
    const cols = this.levelCols;
    for (let i = 0; i < cols.length; i += 4) {
      const level = i >> 2;
      for (const [out, side, at] of [
        [bids, 'bids', i],
        [asks, 'asks', i + 2],
      ] as const) {
        const pc = cols[at] as number;
        const qc = cols[at + 1] as number;
        if (f.empty(pc) && f.empty(qc)) continue; // fewer levels than N on this side
        if (out.length !== level * 2)
          throw new CsvRowError(`${side}[${level}] follows an empty level: levels must be contiguous, best first`);
        const price = f.positive(pc, this.grid.tick, `${side}[${level}].price`);
        const qty = f.steps(qc, this.grid.lot, `${side}[${level}].amount`);
        const prev = out.length >= 2 ? (out[out.length - 2] as number) : null;
        if (prev !== null && (side === 'bids' ? price >= prev : price <= prev))
          throw new CsvRowError(
            `${side}[${level}].price "${f.text(pc)}" is not ${side === 'bids' ? 'below' : 'above'} the level before it`,
          );
        out.push(price, qty);
      }
    }
    return { kind: 'book_snapshot', recvUs, eventUs, bids, asks };
  }

  private trade(recvUs: number, eventUs: number): TardisTradeRow {
    const f = this.f;
    const sideCol = this.col('side');
    let side: TardisTradeRow['side'];
    if (f.is(sideCol, 'buy')) side = 'buy';
    else if (f.is(sideCol, 'sell')) side = 'sell';
    else if (f.is(sideCol, 'unknown')) side = 'unknown';
    else throw new CsvRowError(`side "${f.text(sideCol)}" must be buy, sell or unknown`);
    const idCol = this.col('id');
    let tradeId = -1;
    try {
      tradeId = f.int(idCol, 'id');
    } catch {
      // a non-numeric id (some exchanges use UUIDs): kept out of the replay, which needs none
    }
    return {
      kind: 'trade',
      recvUs,
      eventUs,
      tradeId,
      side,
      price: f.positive(this.col('price'), this.grid.tick, 'price'),
      qty: f.positive(this.col('amount'), this.grid.lot, 'amount'),
    };
  }

  private quote(recvUs: number, eventUs: number): TardisQuoteRow {
    const f = this.f;
    // A side's amount must be above zero: a best bid or offer of nothing would be shown as the
    // top of the book, hiding the levels past it (Tardis writes a side the book lacks empty).
    const side = (priceCol: string, qtyCol: string): [number, number] => {
      const pc = this.col(priceCol);
      const qc = this.col(qtyCol);
      if (f.empty(pc) && f.empty(qc)) return [-1, -1];
      return [f.positive(pc, this.grid.tick, priceCol), f.positive(qc, this.grid.lot, qtyCol)];
    };
    const [bid, bidQty] = side('bid_price', 'bid_amount');
    const [ask, askQty] = side('ask_price', 'ask_amount');
    return { kind: 'quote', recvUs, eventUs, bid, bidQty, ask, askQty };
  }
}
