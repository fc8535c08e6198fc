// The request weight of each Binance REST route, as Binance's documentation gives it: fixed, by
// whether a symbol is named, by how many `symbols` are named, or by the depth asked for.
import type { RequestFields } from './request-fields.ts';

export const fixed = (w: number) => () => w;
export const bySymbol = (one: number, all: number) => (f: RequestFields) => (f.params.has('symbol') ? one : all);

/** ticker/24hr's weight as Binance's: one symbol 2; `symbols` by how many it names (1-20: 2,
 *  21-100: 40, more: 80); neither 80. */
export function ticker24hWeight(f: RequestFields): number {
  if (f.params.has('symbol')) return 2;
  const many = f.params.get('symbols');
  if (many === undefined) return 80;
  let n: number;
  try {
    const list: unknown = JSON.parse(many);
    n = Array.isArray(list) ? list.length : 0;
  } catch {
    n = 0; // refused as malformed: the weight of a few
  }
  return n <= 20 ? 2 : n <= 100 ? 40 : 80;
}

/** ticker's (rolling windows') weight as Binance's: 4 a symbol, at most 200. */
export function tickerWindowWeight(f: RequestFields): number {
  if (f.params.has('symbol')) return 4;
  let n = 1;
  try {
    const list: unknown = JSON.parse(f.params.get('symbols') ?? '[]');
    n = Array.isArray(list) ? Math.max(1, list.length) : 1;
  } catch {
    // refused as malformed: the weight of one
  }
  return Math.min(200, 4 * n);
}

/** Depth's weight by its limit, as Binance's. */
export function depthWeight(f: RequestFields): number {
  const n = Number(f.params.get('limit') ?? 100);
  return n <= 100 ? 5 : n <= 500 ? 25 : n <= 1000 ? 50 : 250;
}
