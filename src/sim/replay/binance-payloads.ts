// Reads the "data" payloads of Binance's combined streams (depth diff, bookTicker, trade) and
// their price levels from the line's bytes, on top of the JSON byte scanner. Every payload is an
// object with one-letter keys, so one table-driven reader serves all three: a layout names each
// key's kind (integer, price, quantity, boolean, levels) in the order missing keys are reported,
// and the reader checks the "e" (event type) literal, skips unknown keys and fails on a missing
// one. Separate from binance-messages.ts, which frames the line (receive time, combined stream
// vs snapshot, stream name) and hands the payload here. Given the instrument's symbol, every
// payload's "s" must name it (a recording of another market is refused, not replayed).
import { stepGrid, type StepGrid } from './decimal-scan.ts';
import { ascii, COMMA, JsonByteScanner, LBRACE, LBRACKET, Q, RBRACE, RBRACKET } from './json-byte-scanner.ts';
import type { BinanceBbo, BinanceDepth, BinanceLevels, BinanceTrade } from './binance-message-types.ts';

const V_DEPTH_UPDATE = ascii('"depthUpdate"');
const V_TRADE = ascii('"trade"');

/** How a payload field's value is read: an integer, a price (ticks), a quantity (lots), ... */
type FieldKind = 'int' | 'price' | 'qty' | 'bool' | 'levels';
type Values<R extends readonly FieldKind[]> = {
  -readonly [I in keyof R]: R[I] extends 'levels' ? BinanceLevels : R[I] extends 'bool' ? boolean : number;
};

/** A payload's one-letter keys and how each is read, in the order a missing key is reported. */
interface Layout<R extends readonly FieldKind[]> {
  readonly kind: string;
  readonly keys: string;
  readonly reads: R;
  /** Key byte -> index in `keys`, -1 for keys the payload does not use. */
  readonly slot: Int8Array;
}

function layout<const R extends readonly FieldKind[]>(kind: string, keys: string, reads: R): Layout<R> {
  const slot = new Int8Array(256).fill(-1);
  for (let k = 0; k < keys.length; k++) slot[keys.charCodeAt(k)] = k;
  return { kind, keys, reads, slot };
}

const DEPTH = layout('depth', 'UuEba', ['int', 'int', 'int', 'levels', 'levels']);
const BOOK_TICKER = layout('bookTicker', 'ubBaA', ['int', 'price', 'qty', 'price', 'qty']);
const TRADE = layout('trade', 'ETtpqm', ['int', 'int', 'int', 'price', 'qty', 'bool']);

const E = 101; // the "e" key: event type
const S = 115; // the "s" key: symbol

/** How payloads are read: prices on the tick, quantities on the lot and, given a symbol, every
 *  payload's "s" its; `symbolField` says where that symbol was given, as a refusal names it (the
 *  scenario's instrument.symbol unless said: --symbol, the scenario's otherInstruments[1].symbol). */
export interface BinancePayloadGrid {
  readonly tickSize: string;
  readonly lotSize: string;
  readonly symbol?: string;
  readonly symbolField?: string;
}

export abstract class BinancePayloadScanner extends JsonByteScanner {
  protected readonly tick: StepGrid;
  protected readonly lot: StepGrid;
  /** The instrument's symbol, when every message must be for it (checked case-insensitively). */
  protected readonly symbol: string | null;
  /** What names that symbol where the reader was given it, for a refusal to point at. */
  private readonly symbolName: string;
  private readonly symbolValue: Uint8Array | null;

  constructor(grid: BinancePayloadGrid) {
    super();
    this.tick = stepGrid(grid.tickSize);
    this.lot = stepGrid(grid.lotSize);
    this.symbol = grid.symbol ?? null;
    this.symbolName = grid.symbolField ?? "the scenario's instrument.symbol";
    this.symbolValue = grid.symbol === undefined ? null : ascii(`"${grid.symbol.toUpperCase()}"`);
  }

  /** Fails unless the bytes [start, end) of the line name the instrument's symbol, in any case. */
  protected checkSymbolBytes(start: number, end: number): void {
    const want = this.symbolValue as Uint8Array; // the symbol upper-cased, in quotes
    const b = this.b;
    let same = end - start === want.length - 2;
    for (let k = 0; same && k < end - start; k++) {
      const c = b[start + k] as number;
      same = (c >= 97 && c <= 122 ? c - 32 : c) === want[k + 1];
    }
    if (!same) this.checkSymbol(this.text(start, end));
  }

  /** Fails unless `found` (a symbol as the recording states it) is the instrument's. */
  protected checkSymbol(found: string): void {
    if (this.symbol !== null && found.toUpperCase() !== this.symbol.toUpperCase()) {
      this.fail(`the recording is for symbol ${found.toUpperCase()}, but ${this.symbolName} is ${this.symbol}`);
    }
  }

  /** The "s" value: the instrument's symbol (the common case compares bytes, building no string). */
  private symbolField(): void {
    this.ws();
    if (this.at(this.symbolValue as Uint8Array)) return;
    if (this.i < this.end && this.b[this.i] === Q) {
      const close = this.closingQuote(this.i + 1, 'string');
      this.checkSymbol(this.text(this.i + 1, close));
      this.i = close + 1;
      return;
    }
    this.fail(`"s" is ${this.excerpt()}, expected a symbol string`);
  }

  protected levelField(grid: StepGrid): string {
    return grid === this.tick ? 'level price' : 'level quantity';
  }

  protected depth(recvMs: number): BinanceDepth {
    const [firstId, lastId, eventMs, bids, asks] = this.payload(DEPTH, V_DEPTH_UPDATE);
    if (firstId > lastId) this.fail(`depth update has U ${firstId} > u ${lastId}`);
    return { kind: 'depth', recvMs, eventMs, firstId, lastId, bids, asks };
  }

  protected bookTicker(recvMs: number): BinanceBbo {
    const [updateId, bid, bidQty, ask, askQty] = this.payload(BOOK_TICKER, null);
    return { kind: 'bbo', recvMs, updateId, bid, bidQty, ask, askQty };
  }

  protected trade(recvMs: number): BinanceTrade {
    const [eventMs, tradeMs, tradeId, price, qty, buyerIsMaker] = this.payload(TRADE, V_TRADE);
    return { kind: 'trade', recvMs, eventMs, tradeMs, tradeId, price, qty, buyerIsMaker };
  }

  /**
   * Reads a payload object: each key of the layout as its kind (a repeated key: the last wins),
   * "e" checked against `event` when given, any other key skipped. Fails on the first key of the
   * layout that did not appear. The values come back in layout order.
   */
  private payload<R extends readonly FieldKind[]>(layout: Layout<R>, event: Uint8Array | null): Values<R> {
    // Packed from the start (one slot per key; layouts have at most 6): measurably faster than
    // filling a holey array in whatever order the keys arrive.
    const values: Array<number | boolean | BinanceLevels> = [0, 0, 0, 0, 0, 0];
    let seen = 0;
    this.expect(LBRACE);
    if (this.first(RBRACE))
      do {
        const code = this.shortKey();
        const k = code < 0 ? -1 : layout.slot[code]!;
        if (k >= 0) {
          values[k] = this.value(layout.reads[k]!, layout.keys[k]!);
          seen |= 1 << k;
        } else if (code === E && event !== null) this.literal(event, 'e');
        else if (code === S && this.symbolValue !== null) this.symbolField();
        else this.skipValue();
      } while (this.next(RBRACE));
    if (seen !== (1 << layout.keys.length) - 1) {
      for (let k = 0; k < layout.keys.length; k++)
        if ((seen & (1 << k)) === 0) this.missing(layout.kind, layout.keys[k]!);
    }
    return values as Values<R>;
  }

  private value(read: FieldKind, key: string): number | boolean | BinanceLevels {
    switch (read) {
      case 'int':
        return this.int(key);
      case 'price':
        return this.steps(this.tick, key);
      case 'qty':
        return this.steps(this.lot, key);
      case 'bool':
        return this.bool(key);
      case 'levels':
        return this.levels();
    }
  }

  /** `[["price","qty"], ...]` into a flat array of ticks and lots. */
  protected levels(): BinanceLevels {
    const out: number[] = [];
    this.expect(LBRACKET);
    if (this.first(RBRACKET))
      do {
        this.expect(LBRACKET);
        this.expect(Q);
        out.push(this.stepsInString(this.tick, ''));
        this.expect(COMMA);
        this.expect(Q);
        out.push(this.stepsInString(this.lot, ''));
        if (this.i < this.end && this.b[this.i] === RBRACKET) this.i++;
        else while (this.next(RBRACKET)) this.skipValue(); // extra elements (old API: [p, q, []])
      } while (this.next(RBRACKET));
    return out;
  }
}
