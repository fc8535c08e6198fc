// Parses one line of a recorded Binance spot feed, `<receive time, ns since epoch> <raw JSON>`,
// into a typed message with prices in integer ticks and quantities in integer lots.
//
// Why not JSON.parse: replay reads ~27 MB of text for 11 minutes of BTCUSDT. JSON.parse would
// build a string for every price and quantity, which we would then convert digit by digit again.
// This is a small validating scanner for exactly the JSON these messages use. It works on the
// line's UTF-8 bytes (the replay reader hands out byte ranges of the decompressed chunk, so no
// string is ever built for a line), walks them once, turns decimal strings into steps in place
// (scanSteps: integer arithmetic on digits, never a float) and allocates only the result. Keys
// inside "data" may come in any order, unknown keys are skipped and whitespace between tokens is
// allowed; anything else is a BinanceLineError naming the line, the column and the problem.
// Decimals the fast path cannot decide (a sign, more than 15 digits, an off-grid price) go to the
// exact bigint `toSteps`, so the fast path can be faster but never different (property-tested).
//
// Steps: the tick is the instrument's, but recorded books can hold quantities finer than today's
// order lot (the bundled BTCUSDT data has a few far levels with 6 decimals, resting since the
// lot was 0.000001), so replay passes the feed's own precision as lotSize ("0.00000001").
import { parseDecimal, toSteps } from '../../core/model/decimal.ts';

/** A decimal step ("0.01") as mantissa / 10^scale, precomputed for scanSteps. */
export interface StepGrid {
  readonly step: string;
  readonly scale: number;
  readonly mantissa: number;
}

export function stepGrid(step: string): StepGrid {
  const d = parseDecimal(step);
  if (d.mantissa <= 0n) throw new Error(`step "${step}" must be positive`);
  if (d.mantissa > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`step "${step}" has too many digits`);
  return Object.freeze({ step, scale: d.scale, mantissa: Number(d.mantissa) });
}

/** Where the last scanSteps call stopped (one cursor: this module is synchronous). */
const cursor = { end: 0 };
/** 10^k for padding a value to the grid's scale. */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * Fast path: reads digits[.digits] at b[i..end) as a count of grid steps and leaves the stop
 * position in cursor.end. Returns NaN when it cannot decide exactly (no digit, a sign, a bare
 * ".", more than 15 significant digits, digits finer than the grid): the caller then asks the
 * exact `toSteps`. With at most 15 digits (integer part + scale) every intermediate value is an
 * exact integer below 10^15 < 2^53, so no per-digit overflow check is needed.
 */
function scanSteps(b: Uint8Array, i: number, end: number, scale: number, mantissa: number): number {
  const start = i;
  let acc = 0;
  let c = -1;
  while (i < end) {
    c = (b[i] as number) - 48;
    if (c >>> 0 > 9) break;
    acc = acc * 10 + c;
    i++;
  }
  const intDigits = i - start;
  if (intDigits === 0 || intDigits + scale > 15) return NaN;
  let k = 0;
  if (i < end && c === -2) {
    // '.': at least one digit must follow
    const fracStart = ++i;
    while (k < scale && i < end) {
      c = (b[i] as number) - 48;
      if (c >>> 0 > 9) break;
      acc = acc * 10 + c;
      i++;
      k++;
    }
    while (i < end && b[i] === 48) i++; // trailing zeros past the grid
    if (i === fracStart) return NaN;
    if (i < end && ((b[i] as number) - 48) >>> 0 <= 9) return NaN; // finer than the grid: toSteps says which
  }
  cursor.end = i;
  if (k < scale) acc *= POW10[scale - k] as number;
  if (mantissa !== 1) {
    if (acc % mantissa !== 0) return NaN;
    acc /= mantissa;
  }
  return acc;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Exactly `toSteps(text, grid.step)` (same value, throws on the same inputs), only faster. */
export function decimalToSteps(text: string, grid: StepGrid): number {
  const bytes = encoder.encode(text);
  const v = scanSteps(bytes, 0, bytes.length, grid.scale, grid.mantissa);
  if (v === v && cursor.end === bytes.length) return v;
  return toSteps(text, grid.step);
}

/** Price levels flattened: [price0, qty0, price1, qty1, ...] in ticks and lots, as sent. */
export type BinanceLevels = number[];

export interface BinanceSnapshot {
  readonly kind: 'snapshot';
  /** Receive time, ms since epoch (fractional: the recording has ns). */
  readonly recvMs: number;
  readonly lastUpdateId: number;
  readonly bids: BinanceLevels;
  readonly asks: BinanceLevels;
}

export interface BinanceDepth {
  readonly kind: 'depth';
  readonly recvMs: number;
  /** Exchange event time `E`, ms. */
  readonly eventMs: number;
  /** `U`: first update id in this diff. */
  readonly firstId: number;
  /** `u`: last update id in this diff. */
  readonly lastId: number;
  /** Levels to set; qty 0 removes the level. */
  readonly bids: BinanceLevels;
  readonly asks: BinanceLevels;
}

export interface BinanceBbo {
  readonly kind: 'bbo';
  readonly recvMs: number;
  /** Order book update id `u` (same sequence as depth U/u). */
  readonly updateId: number;
  readonly bid: number;
  readonly bidQty: number;
  readonly ask: number;
  readonly askQty: number;
}

export interface BinanceTrade {
  readonly kind: 'trade';
  readonly recvMs: number;
  readonly eventMs: number;
  /** Trade time `T`, ms. */
  readonly tradeMs: number;
  readonly tradeId: number;
  readonly price: number;
  readonly qty: number;
  readonly buyerIsMaker: boolean;
}

export type BinanceMessage = BinanceSnapshot | BinanceDepth | BinanceBbo | BinanceTrade;

/** Bad input in a recorded line: which line, and what is wrong with it. */
export class BinanceLineError extends Error {
  constructor(
    readonly lineNo: number,
    readonly problem: string,
  ) {
    super(`line ${lineNo}: ${problem}`);
    this.name = 'BinanceLineError';
  }
}

const Q = 34; // "
const COMMA = 44;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const AT = 64;

const ascii = (text: string): Uint8Array => encoder.encode(text);
const K_STREAM = ascii('"stream"');
const K_DATA = ascii('"data"');
const K_LAST_UPDATE_ID = ascii('"lastUpdateId"');
const K_BIDS = ascii('"bids"');
const K_ASKS = ascii('"asks"');
const S_BOOK_TICKER = ascii('bookTicker"');
const S_DEPTH_100MS = ascii('depth@100ms"');
const S_DEPTH = ascii('depth"');
const S_TRADE = ascii('trade"');
const V_DEPTH_UPDATE = ascii('"depthUpdate"');
const V_TRADE = ascii('"trade"');
const V_TRUE = ascii('true');
const V_FALSE = ascii('false');
const V_NULL = ascii('null');
const EMPTY = new Uint8Array(0);

/** Which data layout a combined-stream message carries. */
const DEPTH = 0;
const BOOK_TICKER = 1;
const TRADE = 2;
type Stream = typeof DEPTH | typeof BOOK_TICKER | typeof TRADE;

export class BinanceLineParser {
  private readonly tick: StepGrid;
  private readonly lot: StepGrid;
  private b: Uint8Array = EMPTY;
  private i = 0;
  private end = 0;
  private lineStart = 0;
  private lineNo = 0;
  private scratch = new Uint8Array(1024);

  constructor(grid: { readonly tickSize: string; readonly lotSize: string }) {
    this.tick = stepGrid(grid.tickSize);
    this.lot = stepGrid(grid.lotSize);
  }

  /** Parses `line` (without its newline); `lineNo` only labels errors. */
  parse(line: string, lineNo: number): BinanceMessage {
    if (this.scratch.length < line.length * 3) this.scratch = new Uint8Array(line.length * 3);
    const { written } = encoder.encodeInto(line, this.scratch);
    return this.parseBytes(this.scratch, 0, written, lineNo);
  }

  /** Parses the UTF-8 line in bytes[start, end) (without its newline). */
  parseBytes(bytes: Uint8Array, start: number, end: number, lineNo: number): BinanceMessage {
    this.b = bytes;
    this.i = start;
    this.end = end;
    this.lineStart = start;
    this.lineNo = lineNo;
    if (start >= end) this.fail('empty line');
    const recvMs = this.recvTime();
    this.expect(LBRACE);
    this.ws();
    let msg: BinanceMessage;
    if (this.at(K_STREAM)) msg = this.combined(recvMs);
    else if (this.at(K_LAST_UPDATE_ID)) msg = this.snapshot(recvMs);
    else this.fail(`unknown message: expected "stream" or "lastUpdateId" as the first key, found ${this.excerpt()}`);
    this.ws();
    if (this.i < end) this.fail(`unexpected text after the message at column ${this.column()}`);
    return msg;
  }

  private recvTime(): number {
    const b = this.b;
    const start = this.i;
    const end = this.end;
    // One pass for the usual 19 digits: the first 13 are whole ms, the last 6 the fraction
    // (ns since epoch is ~1.7e18 > 2^53, so it is never formed as one number).
    let ms = 0;
    let frac = 0;
    let i = start;
    const split = start + 13;
    while (i < end) {
      const c = (b[i] as number) - 48;
      if (c >>> 0 > 9) break;
      if (i < split) ms = ms * 10 + c;
      else frac = frac * 10 + c;
      i++;
    }
    if (i === start || i >= end || b[i] !== 32) {
      this.fail('expected "<receive time ns> <json>": the line must start with digits and a space');
    }
    this.i = i + 1;
    const digits = i - start;
    if (digits === 19) return ms + frac / 1e6;
    if (digits > 22) this.fail(`receive time has ${digits} digits, too many for ns since epoch`);
    const msEnd = Math.max(start, i - 6);
    ms = 0;
    for (let j = start; j < msEnd; j++) ms = ms * 10 + ((b[j] as number) - 48);
    frac = 0;
    for (let j = msEnd; j < i; j++) frac = frac * 10 + ((b[j] as number) - 48);
    return ms + frac / 1e6;
  }

  private combined(recvMs: number): BinanceMessage {
    this.expect(COLON);
    const stream = this.streamKind();
    let msg: BinanceMessage | undefined;
    while (this.next(RBRACE)) {
      if (this.at(K_DATA)) {
        this.expect(COLON);
        if (msg !== undefined) this.fail('duplicate "data"');
        if (stream === BOOK_TICKER) msg = this.bookTicker(recvMs);
        else if (stream === DEPTH) msg = this.depth(recvMs);
        else msg = this.trade(recvMs);
      } else {
        this.skipKey();
        this.skipValue();
      }
    }
    if (msg === undefined) this.fail('message has no "data"');
    return msg;
  }

  private streamKind(): Stream {
    this.expect(Q);
    const b = this.b;
    const start = this.i;
    let at = start;
    while (at < this.end && b[at] !== AT && b[at] !== Q && b[at] !== 92) at++;
    if (at < this.end && b[at] === AT) {
      this.i = at + 1;
      // each suffix ends with the closing quote, so a match is the whole name
      if (this.at(S_BOOK_TICKER)) return BOOK_TICKER;
      if (this.at(S_TRADE)) return TRADE;
      if (this.at(S_DEPTH_100MS) || this.at(S_DEPTH)) return DEPTH;
    }
    const close = this.closingQuote(start, 'stream name');
    return this.fail(
      `unknown stream "${this.text(start, close)}" (expected <symbol>@depth@100ms, @depth, @bookTicker or @trade)`,
    );
  }

  private snapshot(recvMs: number): BinanceSnapshot {
    this.expect(COLON);
    const lastUpdateId = this.int('lastUpdateId');
    let bids: BinanceLevels | undefined;
    let asks: BinanceLevels | undefined;
    while (this.next(RBRACE)) {
      if (this.at(K_BIDS)) {
        this.expect(COLON);
        bids = this.levels();
      } else if (this.at(K_ASKS)) {
        this.expect(COLON);
        asks = this.levels();
      } else {
        this.skipKey();
        this.skipValue();
      }
    }
    if (bids === undefined) this.fail('snapshot is missing "bids"');
    if (asks === undefined) this.fail('snapshot is missing "asks"');
    return { kind: 'snapshot', recvMs, lastUpdateId, bids, asks };
  }

  private depth(recvMs: number): BinanceDepth {
    let eventMs = -1;
    let firstId = -1;
    let lastId = -1;
    let bids: BinanceLevels | undefined;
    let asks: BinanceLevels | undefined;
    this.expect(LBRACE);
    if (this.first(RBRACE)) do {
      switch (this.shortKey()) {
        case 69: // E
          eventMs = this.int('E');
          break;
        case 85: // U
          firstId = this.int('U');
          break;
        case 117: // u
          lastId = this.int('u');
          break;
        case 98: // b
          bids = this.levels();
          break;
        case 97: // a
          asks = this.levels();
          break;
        case 101: // e
          this.literal(V_DEPTH_UPDATE, 'e');
          break;
        default:
          this.skipValue();
      }
    } while (this.next(RBRACE));
    if (firstId < 0) this.missing('depth', 'U');
    if (lastId < 0) this.missing('depth', 'u');
    if (eventMs < 0) this.missing('depth', 'E');
    if (bids === undefined) this.missing('depth', 'b');
    if (asks === undefined) this.missing('depth', 'a');
    if (firstId > lastId) this.fail(`depth update has U ${firstId} > u ${lastId}`);
    return { kind: 'depth', recvMs, eventMs, firstId, lastId, bids, asks };
  }

  private bookTicker(recvMs: number): BinanceBbo {
    let updateId = -1;
    let bid = -1;
    let bidQty = -1;
    let ask = -1;
    let askQty = -1;
    this.expect(LBRACE);
    if (this.first(RBRACE)) do {
      switch (this.shortKey()) {
        case 117: // u
          updateId = this.int('u');
          break;
        case 98: // b
          bid = this.steps(this.tick, 'b');
          break;
        case 66: // B
          bidQty = this.steps(this.lot, 'B');
          break;
        case 97: // a
          ask = this.steps(this.tick, 'a');
          break;
        case 65: // A
          askQty = this.steps(this.lot, 'A');
          break;
        default:
          this.skipValue();
      }
    } while (this.next(RBRACE));
    if (updateId < 0) this.missing('bookTicker', 'u');
    if (bid < 0) this.missing('bookTicker', 'b');
    if (bidQty < 0) this.missing('bookTicker', 'B');
    if (ask < 0) this.missing('bookTicker', 'a');
    if (askQty < 0) this.missing('bookTicker', 'A');
    return { kind: 'bbo', recvMs, updateId, bid, bidQty, ask, askQty };
  }

  private trade(recvMs: number): BinanceTrade {
    let eventMs = -1;
    let tradeMs = -1;
    let tradeId = -1;
    let price = -1;
    let qty = -1;
    let maker = -1;
    this.expect(LBRACE);
    if (this.first(RBRACE)) do {
      switch (this.shortKey()) {
        case 69: // E
          eventMs = this.int('E');
          break;
        case 84: // T
          tradeMs = this.int('T');
          break;
        case 116: // t
          tradeId = this.int('t');
          break;
        case 112: // p
          price = this.steps(this.tick, 'p');
          break;
        case 113: // q
          qty = this.steps(this.lot, 'q');
          break;
        case 109: // m
          maker = this.bool('m') ? 1 : 0;
          break;
        case 101: // e
          this.literal(V_TRADE, 'e');
          break;
        default:
          this.skipValue();
      }
    } while (this.next(RBRACE));
    if (eventMs < 0) this.missing('trade', 'E');
    if (tradeMs < 0) this.missing('trade', 'T');
    if (tradeId < 0) this.missing('trade', 't');
    if (price < 0) this.missing('trade', 'p');
    if (qty < 0) this.missing('trade', 'q');
    if (maker < 0) this.missing('trade', 'm');
    return { kind: 'trade', recvMs, eventMs, tradeMs, tradeId, price, qty, buyerIsMaker: maker === 1 };
  }

  /** `[["price","qty"], ...]` into a flat array of ticks and lots. */
  private levels(): BinanceLevels {
    const out: number[] = [];
    this.expect(LBRACKET);
    if (this.first(RBRACKET)) do {
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

  /** A quoted decimal as steps of `grid`. */
  private steps(grid: StepGrid, field: string): number {
    this.expect(Q);
    return this.stepsInString(grid, field);
  }

  /**
   * The opening quote is consumed; reads the decimal and its closing quote. `field` names it in
   * errors ('' for a level: price or quantity by grid).
   */
  private stepsInString(grid: StepGrid, field: string): number {
    const b = this.b;
    const start = this.i;
    const v = scanSteps(b, start, this.end, grid.scale, grid.mantissa);
    if (v === v && cursor.end < this.end && b[cursor.end] === Q) {
      this.i = cursor.end + 1;
      return v;
    }
    const what = field !== '' ? `"${field}"` : grid === this.tick ? 'level price' : 'level quantity';
    const close = this.closingQuote(start, what);
    const text = this.text(start, close);
    let steps: number;
    try {
      steps = toSteps(text, grid.step);
    } catch (e) {
      return this.fail(`${what} "${text}": ${(e as Error).message}`);
    }
    if (steps < 0) this.fail(`${what} "${text}" is negative`);
    this.i = close + 1;
    return steps;
  }

  private int(field: string): number {
    this.ws();
    const b = this.b;
    const end = this.end;
    let i = this.i;
    let c = i < end ? (b[i] as number) - 48 : -1;
    if (!(c >= 0 && c <= 9)) this.fail(`"${field}" must be a non-negative integer (column ${this.column()})`);
    let acc = 0;
    while (true) {
      acc = acc * 10 + c;
      if (++i >= end) break;
      c = (b[i] as number) - 48;
      if (!(c >= 0 && c <= 9)) {
        if (c === -2 || c === 53 || c === 21) {
          this.i = i;
          this.fail(`"${field}" must be an integer (column ${this.column()})`); // . e E
        }
        break;
      }
    }
    if (acc > Number.MAX_SAFE_INTEGER) this.fail(`"${field}" is too large for an exact integer`);
    this.i = i;
    return acc;
  }

  private bool(field: string): boolean {
    this.ws();
    if (this.at(V_TRUE)) return true;
    if (this.at(V_FALSE)) return false;
    return this.fail(`"${field}" must be true or false (column ${this.column()})`);
  }

  private literal(expected: Uint8Array, field: string): void {
    this.ws();
    if (this.at(expected)) return;
    const want = this.textOf(expected);
    if (this.i < this.end && this.b[this.i] === Q) {
      const close = this.closingQuote(this.i + 1, 'string');
      this.fail(`"${field}" is ${this.text(this.i, close + 1)}, expected ${want}`);
    }
    this.fail(`"${field}" is ${this.excerpt()}, expected ${want}`);
  }

  /** Reads `"key":` where the key is expected to be one character; returns its code (-1 otherwise). */
  private shortKey(): number {
    const b = this.b;
    const i = this.i;
    if (i + 3 < this.end && b[i] === Q && b[i + 2] === Q && b[i + 3] === COLON) {
      this.i = i + 4;
      return b[i + 1] as number;
    }
    this.ws();
    this.expect(Q);
    const start = this.i;
    const close = this.closingQuote(start, 'key');
    this.i = close + 1;
    this.expect(COLON);
    return close - start === 1 ? (b[start] as number) : -1;
  }

  /** Skips `"key":` (a key we do not use). */
  private skipKey(): void {
    this.expect(Q);
    this.i = this.closingQuote(this.i, 'key') + 1;
    this.expect(COLON);
  }

  /** The closing quote of a string starting at `start` (plain: Binance strings have no escapes). */
  private closingQuote(start: number, what: string): number {
    const b = this.b;
    let i = start;
    while (i < this.end && b[i] !== Q) {
      if (b[i] === 92) this.fail(`escaped characters are not expected in a ${what} (column ${i - this.lineStart + 1})`);
      i++;
    }
    if (i >= this.end) this.fail(`unterminated ${what} starting at column ${start - this.lineStart}`);
    return i;
  }

  /** True (and consumed) when the bytes at the cursor are `lit`. */
  private at(lit: Uint8Array): boolean {
    const b = this.b;
    const i = this.i;
    const n = lit.length;
    if (i + n > this.end) return false;
    for (let k = 0; k < n; k++) if (b[i + k] !== lit[k]) return false;
    this.i = i + n;
    return true;
  }

  /** Just inside an object or array: true when a member follows, false when `close` ends it. */
  private first(close: number): boolean {
    this.ws();
    if (this.i >= this.end || this.b[this.i] !== close) return true;
    this.i++;
    return false;
  }

  /** After a member: true when ',' and another member follow, false when `close` ends it. */
  private next(close: number): boolean {
    const b = this.b;
    let c = this.i < this.end ? (b[this.i] as number) : -1;
    if (c !== COMMA && c !== close) {
      this.ws();
      c = this.i < this.end ? (b[this.i] as number) : -1;
    }
    if (c === COMMA) {
      this.i++;
      this.ws();
      return true;
    }
    if (c === close) {
      this.i++;
      return false;
    }
    return this.fail(this.unexpected(`',' or '${String.fromCharCode(close)}'`));
  }

  /** Skips any JSON value (for keys we do not use). */
  private skipValue(): void {
    this.ws();
    const b = this.b;
    const c = this.i < this.end ? (b[this.i] as number) : -1;
    if (c === Q) {
      let i = this.i + 1;
      while (i < this.end && b[i] !== Q) i += b[i] === 92 ? 2 : 1;
      if (i >= this.end) this.fail('unterminated string');
      this.i = i + 1;
    } else if (c === LBRACE || c === LBRACKET) {
      const close = c === LBRACE ? RBRACE : RBRACKET;
      this.i++;
      if (this.first(close)) do {
        if (c === LBRACE) this.skipKey();
        this.skipValue();
      } while (this.next(close));
    } else if (this.at(V_TRUE) || this.at(V_FALSE) || this.at(V_NULL)) {
      return;
    } else {
      const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text(this.i, Math.min(this.end, this.i + 64)));
      if (m === null) this.fail(this.unexpected('a JSON value'));
      this.i += m[0].length;
    }
  }

  private ws(): void {
    const b = this.b;
    let i = this.i;
    while (i < this.end && (b[i] as number) <= 32) i++;
    this.i = i;
  }

  private expect(code: number): void {
    if (this.i < this.end && this.b[this.i] === code) {
      this.i++;
      return;
    }
    this.ws();
    if (this.i < this.end && this.b[this.i] === code) {
      this.i++;
      return;
    }
    this.fail(this.unexpected(`'${String.fromCharCode(code)}'`));
  }

  private column(): number {
    return this.i - this.lineStart + 1;
  }

  private text(start: number, end: number): string {
    return decoder.decode(this.b.subarray(start, end));
  }

  private textOf(bytes: Uint8Array): string {
    return decoder.decode(bytes);
  }

  /** Up to 24 characters from the cursor, for messages. */
  private excerpt(): string {
    if (this.i >= this.end) return 'the end of the line';
    const more = this.end - this.i > 24;
    return `'${this.text(this.i, Math.min(this.end, this.i + 24))}${more ? '…' : ''}'`;
  }

  private unexpected(what: string): string {
    return this.i >= this.end
      ? `unexpected end of line, expected ${what}`
      : `expected ${what} at column ${this.column()}, found ${this.excerpt()}`;
  }

  private missing(kind: string, field: string): never {
    return this.fail(`${kind} message is missing "${field}"`);
  }

  private fail(problem: string): never {
    throw new BinanceLineError(this.lineNo, problem);
  }
}
