// GET /v2/stocks/bars for several served symbols: each symbol's bars (history.ts's barsPage, its
// parameters and checks) in one map, the symbols in alphabetical order, `limit` counting the bars
// of all of them, as Alpaca pages its multi-symbol bars. The page token says where the next page
// starts: the symbol, and that symbol's own page token (empty: its first bar). A symbol with no
// bars in the range is left out of the map.
import { alpacaError, type AlpacaError } from './wire.ts';
import type { AlpacaBar, BarsPage } from './history.ts';

/** Alpaca's default and largest page. */
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;

export interface MultiBarsPage {
  readonly bars: Record<string, AlpacaBar[]>;
  readonly next_page_token: string | null;
}

const badRequest = (message: string): AlpacaError => alpacaError(400, 40010001, message);

/**
 * One page of bars of `symbols` (served, sorted, unique; two or more). `pageOf` is a symbol's
 * page for a query (its limit and page token replaced here).
 */
export function multiSymbolBars(
  symbols: readonly string[],
  query: (k: string) => string | undefined,
  pageOf: (symbol: string, query: (k: string) => string | undefined) => BarsPage | AlpacaError,
): MultiBarsPage | AlpacaError {
  const limitText = query('limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined && limitText !== '') {
    if (!/^\d{1,6}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT)
      return badRequest(`invalid limit "${limitText.slice(0, 20)}": must be 1 to ${MAX_LIMIT}`);
    limit = Number(limitText);
  }
  let from = 0;
  let inner = '';
  const token = query('page_token');
  if (token !== undefined && token !== '') {
    const decoded = /^[A-Za-z0-9_-]{1,120}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
    const bar = decoded.indexOf('|');
    from = bar > 0 ? symbols.indexOf(decoded.slice(0, bar)) : -1;
    if (from < 0) return badRequest('invalid page_token');
    inner = decoded.slice(bar + 1);
  }
  const out: Record<string, AlpacaBar[]> = {};
  let left = limit;
  for (let n = from; n < symbols.length; n++) {
    const symbol = symbols[n] as string;
    const own = n === from ? inner : '';
    const page = pageOf(symbol, (k) => (k === 'limit' ? String(left) : k === 'page_token' ? own : query(k)));
    if ('status' in page) return page;
    if (page.bars.length > 0) out[symbol] = page.bars;
    left -= page.bars.length;
    if (page.next_page_token !== null) return { bars: out, next_page_token: tokenOf(symbol, page.next_page_token) };
    const next = symbols[n + 1];
    if (left === 0 && next !== undefined) return { bars: out, next_page_token: tokenOf(next, '') };
  }
  return { bars: out, next_page_token: null };
}

function tokenOf(symbol: string, inner: string): string {
  return Buffer.from(`${symbol}|${inner}`, 'utf8').toString('base64url');
}
