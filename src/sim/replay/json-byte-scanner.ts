// A validating scanner over the UTF-8 bytes of one line of JSON: whitespace, punctuation,
// literals, integers, quoted decimals read as exact grid steps (decimal-scan.ts), skipping unknown
// values, and errors that name the line, the column and the problem. The Binance message parser
// (binance-messages.ts) builds on it; no string is built for a line, no JSON.parse.
import { toSteps } from '../../core/model/decimal.ts';
import { cursor, scanSteps, type StepGrid } from './decimal-scan.ts';

export const Q = 34; // "
export const COMMA = 44;
export const COLON = 58;
export const LBRACKET = 91;
export const RBRACKET = 93;
export const LBRACE = 123;
export const RBRACE = 125;
export const AT = 64;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const ascii = (text: string): Uint8Array => encoder.encode(text);
const V_TRUE = ascii('true');
const V_FALSE = ascii('false');
const V_NULL = ascii('null');
const EMPTY = new Uint8Array(0);

export class BinanceLineError extends Error {
  constructor(
    readonly lineNo: number,
    readonly problem: string,
  ) {
    super(`line ${lineNo}: ${problem}`);
    this.name = 'BinanceLineError';
  }
}

export abstract class JsonByteScanner {
  protected b: Uint8Array = EMPTY;
  protected i = 0;
  protected end = 0;
  protected lineStart = 0;
  protected lineNo = 0;

  /** How a bare level value on `grid` is named in errors ('level price', 'level quantity'). */
  protected abstract levelField(grid: StepGrid): string;

  /** A quoted decimal as steps of `grid`. */
  protected steps(grid: StepGrid, field: string): number {
    this.expect(Q);
    return this.stepsInString(grid, field);
  }

  /**
   * The opening quote is consumed; reads the decimal and its closing quote. `field` names it in
   * errors ('' for a level: price or quantity by grid).
   */
  protected stepsInString(grid: StepGrid, field: string): number {
    const b = this.b;
    const start = this.i;
    const v = scanSteps(b, start, this.end, grid.scale, grid.mantissa);
    if (v === v && cursor.end < this.end && b[cursor.end] === Q) {
      this.i = cursor.end + 1;
      return v;
    }
    const what = field !== '' ? `"${field}"` : this.levelField(grid);
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

  protected int(field: string): number {
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

  protected bool(field: string): boolean {
    this.ws();
    if (this.at(V_TRUE)) return true;
    if (this.at(V_FALSE)) return false;
    return this.fail(`"${field}" must be true or false (column ${this.column()})`);
  }

  protected literal(expected: Uint8Array, field: string): void {
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
  protected shortKey(): number {
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
  protected skipKey(): void {
    this.expect(Q);
    this.i = this.closingQuote(this.i, 'key') + 1;
    this.expect(COLON);
  }

  /** The closing quote of a string starting at `start` (plain: Binance strings have no escapes). */
  protected closingQuote(start: number, what: string): number {
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
  protected at(lit: Uint8Array): boolean {
    const b = this.b;
    const i = this.i;
    const n = lit.length;
    if (i + n > this.end) return false;
    for (let k = 0; k < n; k++) if (b[i + k] !== lit[k]) return false;
    this.i = i + n;
    return true;
  }

  /** Just inside an object or array: true when a member follows, false when `close` ends it. */
  protected first(close: number): boolean {
    this.ws();
    if (this.i >= this.end || this.b[this.i] !== close) return true;
    this.i++;
    return false;
  }

  /** After a member: true when ',' and another member follow, false when `close` ends it. */
  protected next(close: number): boolean {
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
  protected skipValue(): void {
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
      if (this.first(close))
        do {
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

  protected ws(): void {
    const b = this.b;
    let i = this.i;
    while (i < this.end && (b[i] as number) <= 32) i++;
    this.i = i;
  }

  protected expect(code: number): void {
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

  protected column(): number {
    return this.i - this.lineStart + 1;
  }

  protected text(start: number, end: number): string {
    return decoder.decode(this.b.subarray(start, end));
  }

  protected textOf(bytes: Uint8Array): string {
    return decoder.decode(bytes);
  }

  /** Up to 24 characters from the cursor, for messages. */
  protected excerpt(): string {
    if (this.i >= this.end) return 'the end of the line';
    const more = this.end - this.i > 24;
    return `'${this.text(this.i, Math.min(this.end, this.i + 24))}${more ? '…' : ''}'`;
  }

  protected unexpected(what: string): string {
    return this.i >= this.end
      ? `unexpected end of line, expected ${what}`
      : `expected ${what} at column ${this.column()}, found ${this.excerpt()}`;
  }

  protected missing(kind: string, field: string): never {
    return this.fail(`${kind} message is missing "${field}"`);
  }

  protected fail(problem: string): never {
    throw new BinanceLineError(this.lineNo, problem);
  }
}
