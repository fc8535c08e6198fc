// One line of a comma-separated market data file (Tardis's CSV datasets, Binance's public
// archives) as byte ranges of its fields, read without building a string per field: integers and
// exact decimal steps straight from the bytes (decimal-scan.ts's fast path, the bigint `toSteps`
// for anything it cannot decide). These files quote nothing, so a comma always ends a field. A
// field that cannot be read is a CsvRowError naming the column and the problem; the reader that
// owns the file adds its name and line number.
import { toSteps } from '../../core/model/decimal.ts';
import { cursor, scanSteps, type StepGrid } from './decimal-scan.ts';

const COMMA = 44;
const decoder = new TextDecoder();
/** Buffer's indexOf is a memchr, several times faster than a loop over the bytes. */
const indexOfByte = Buffer.prototype.indexOf as (this: Uint8Array, value: number, from: number) => number;

/** A field of a row that cannot be read: what is wrong, without the file and line. */
export class CsvRowError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'CsvRowError';
  }
}

/** A decimal in exponent form ("1e-7", "2.5E+3", as some exporters print small amounts) written out. */
function plainDecimal(text: string): string {
  const m = /^(\d+)(?:\.(\d+))?[eE]([-+]?\d+)$/.exec(text);
  if (m === null) return text;
  const digits = (m[1] as string) + (m[2] ?? '');
  const point = (m[1] as string).length + Number(m[3]);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

export class CsvFields {
  private b: Uint8Array = new Uint8Array(0);
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Fields in the current line. */
  count = 0;

  /** Splits bytes[start, end) at its commas; returns the number of fields. */
  split(bytes: Uint8Array, start: number, end: number): number {
    this.b = bytes;
    let n = 0;
    let at = start;
    while (true) {
      let comma = indexOfByte.call(bytes, COMMA, at);
      if (comma < 0 || comma >= end) comma = end;
      this.starts[n] = at;
      this.ends[n] = comma;
      n++;
      if (comma === end) break;
      at = comma + 1;
    }
    this.count = n;
    return n;
  }

  /** Field k as text. */
  text(k: number): string {
    return decoder.decode(this.b.subarray(this.starts[k] as number, this.ends[k] as number));
  }

  empty(k: number): boolean {
    return this.starts[k] === this.ends[k];
  }

  /** Field k is exactly `word` (ASCII). */
  is(k: number, word: string): boolean {
    const s = this.starts[k] as number;
    if ((this.ends[k] as number) - s !== word.length) return false;
    for (let j = 0; j < word.length; j++) if (this.b[s + j] !== word.charCodeAt(j)) return false;
    return true;
  }

  /** Field k as a non-negative integer (at most 2^53 - 1). */
  int(k: number, name: string): number {
    const b = this.b;
    const s = this.starts[k] as number;
    const e = this.ends[k] as number;
    if (s === e) throw new CsvRowError(`${name} is empty`);
    let acc = 0;
    for (let i = s; i < e; i++) {
      const c = (b[i] as number) - 48;
      if (c >>> 0 > 9) throw new CsvRowError(`${name} "${this.text(k)}" must be a non-negative integer`);
      acc = acc * 10 + c;
    }
    if (acc > Number.MAX_SAFE_INTEGER) throw new CsvRowError(`${name} "${this.text(k)}" is too large`);
    return acc;
  }

  /** Field k as true or false (either case: Binance's archives write True and False). */
  bool(k: number, name: string): boolean {
    if (this.is(k, 'true') || this.is(k, 'True') || this.is(k, 'TRUE')) return true;
    if (this.is(k, 'false') || this.is(k, 'False') || this.is(k, 'FALSE')) return false;
    throw new CsvRowError(`${name} "${this.text(k)}" must be true or false`);
  }

  /** Field k, a non-negative decimal, as a whole number of `grid` steps. */
  steps(k: number, grid: StepGrid, name: string): number {
    const s = this.starts[k] as number;
    const e = this.ends[k] as number;
    if (s === e) throw new CsvRowError(`${name} is empty`);
    const v = scanSteps(this.b, s, e, grid.scale, grid.mantissa);
    if (v === v && cursor.end === e) return v;
    const text = this.text(k);
    let steps: number;
    try {
      steps = toSteps(plainDecimal(text), grid.step);
    } catch (err) {
      throw new CsvRowError(`${name} "${text}": ${(err as Error).message}`);
    }
    if (steps < 0) throw new CsvRowError(`${name} "${text}" is negative`);
    return steps;
  }

  /** Field k as `steps` reads it, and above zero: a price, or what a trade traded (a zero would
   *  be a trade at no price, or of nothing, that fills and triggers our orders all the same). */
  positive(k: number, grid: StepGrid, name: string): number {
    const v = this.steps(k, grid, name);
    if (v === 0) throw new CsvRowError(`${name} "${this.text(k)}" must be above zero`);
    return v;
  }
}
