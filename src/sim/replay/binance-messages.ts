// Parses one line of a recorded Binance spot feed, `<receive time, ns since epoch> <raw JSON>`,
// into a typed message with prices in integer ticks and quantities in integer lots. It is a small
// validating scanner over the line's UTF-8 bytes rather than JSON.parse, which would build a string
// for every price and quantity (docs/0038-replaying-recorded-binance-data.md); anything it cannot
// read is a BinanceLineError naming the line, the column and the problem. The combined-stream
// payloads (depth, bookTicker, trade) are read by binance-payloads.ts; this module frames the line
// and reads the REST snapshot. Given the instrument's symbol, the stream name's symbol
// (`btcusdt@...`) and each payload's "s" must be it.
import { ascii, AT, COLON, LBRACE, Q, RBRACE } from './json-byte-scanner.ts';
import type { BinanceLevels, BinanceMessage, BinanceSnapshot } from './binance-message-types.ts';
import { BinancePayloadScanner } from './binance-payloads.ts';

export { decimalToSteps, stepGrid, type StepGrid } from './decimal-scan.ts';
export type {
  BinanceBbo,
  BinanceDepth,
  BinanceLevels,
  BinanceMessage,
  BinanceSnapshot,
  BinanceTrade,
} from './binance-message-types.ts';

const encoder = new TextEncoder();

/** Bad input in a recorded line: which line, and what is wrong with it. */
export { BinanceLineError } from './json-byte-scanner.ts';

const K_STREAM = ascii('"stream"');
const K_DATA = ascii('"data"');
const K_LAST_UPDATE_ID = ascii('"lastUpdateId"');
const K_BIDS = ascii('"bids"');
const K_ASKS = ascii('"asks"');
const S_BOOK_TICKER = ascii('bookTicker"');
const S_DEPTH_100MS = ascii('depth@100ms"');
const S_DEPTH = ascii('depth"');
const S_TRADE = ascii('trade"');

/** Which data layout a combined-stream message carries. */
const DEPTH = 0;
const BOOK_TICKER = 1;
const TRADE = 2;
type Stream = typeof DEPTH | typeof BOOK_TICKER | typeof TRADE;

export class BinanceLineParser extends BinancePayloadScanner {
  private scratch = new Uint8Array(1024);

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
      if (this.symbol !== null) this.checkSymbolBytes(start, at);
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
}
