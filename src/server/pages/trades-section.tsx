/** @jsxImportSource hono/jsx */
// The run page's trades: the round trips the report folded from the run's fills (closed ones by
// exit time, then those open at the end, marked at the last mark) in a table, their statistics in
// one line above it, and the entries and exits the execution chart marks (#trade-marks'
// data-trades, read by static/run-chart.js). A report stored before trades were folded has none:
// the section says so. The table shows at most TRADES_SHOWN rows; the chart marks at most
// TRADES_MARKED trades (the first ones), so a run of many thousand trades keeps its page small.
import { fields, instant, num, pct, str } from './format.ts';

export const TRADES_SHOWN = 200;
export const TRADES_MARKED = 500;

const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? (v as unknown[]).map((x) => ({ ...fields(x) })) : [];

const minutes = (ms: unknown): string => (typeof ms === 'number' ? num(ms / 60_000, 1) : '–');

/** What the chart marks of a trade: entry and exit (null while open) as times and prices. */
export interface TradeMark {
  readonly side: string;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly exitTime: number | null;
  readonly exitPrice: number | null;
  readonly net: number;
}

export function tradeMarks(trades: unknown, symbol: string): TradeMark[] {
  const t = fields(trades);
  return [...list(t['closed']), ...list(t['open'])]
    .filter((x) => x['symbol'] === symbol && x['inventory'] !== true && typeof x['entryTime'] === 'number')
    .slice(0, TRADES_MARKED)
    .map((x) => ({
      side: str(x['side']),
      entryTime: x['entryTime'] as number,
      entryPrice: Number(x['entryPrice']),
      exitTime: typeof x['exitTime'] === 'number' ? x['exitTime'] : null,
      exitPrice: x['exitPrice'] === null || x['exitPrice'] === undefined ? null : Number(x['exitPrice']),
      net: Number(x['net']),
    }));
}

export function TradesSection(props: { report: unknown; symbol: string }) {
  const trades = fields(fields(props.report)['trades']);
  if (Object.keys(trades).length === 0)
    return (
      <>
        <h2>Trades</h2>
        <p>This run's report has no round trips (it was stored by an execsim before they were folded).</p>
      </>
    );
  const s = fields(trades['stats']);
  const eq = fields(s['equity']);
  const dd = fields(s['drawdown']);
  const rows = [...list(trades['closed']), ...list(trades['open'])];
  return (
    <>
      <h2>Trades</h2>
      <p class="trade-stats">
        {str(s['trades'])} closed ({str(s['wins'])} won, {str(s['losses'])} lost: win rate {pct(s['winRate'])}),{' '}
        {str(s['open'])} open; profit factor {s['profitFactor'] === null ? 'n/a' : num(s['profitFactor'])}, expectancy{' '}
        {str(s['expectancy']) || 'n/a'}; Sharpe {num(eq['sharpeAnnualized'])} and Sortino {num(eq['sortinoAnnualized'])}{' '}
        annualized (per {minutes(eq['intervalMs'])} min: {num(eq['sharpe'], 4)}, {num(eq['sortino'], 4)}); exposure{' '}
        {pct(s['exposure'])}; max drawdown {str(dd['amount']) || '0'}
        {/* As the CLI says it: a span and whether it recovered only for a fall that happened. */}
        {typeof dd['durationMs'] === 'number' && dd['durationMs'] > 0
          ? ` over ${minutes(dd['durationMs'])} min${dd['recovered'] === false ? ', not recovered' : ', recovered'}`
          : ''}
      </p>
      <div id="trade-marks" data-trades={JSON.stringify(tradeMarks(trades, props.symbol))}></div>
      {rows.length === 0 ? (
        <p>No trades.</p>
      ) : (
        <table class="trades">
          <thead>
            <tr>
              <th>symbol</th>
              <th>side</th>
              <th>entry (UTC)</th>
              <th class="n">entry price</th>
              <th>exit (UTC)</th>
              <th class="n">exit price</th>
              <th class="n">qty</th>
              <th class="n">gross</th>
              <th class="n">fees</th>
              <th class="n">net</th>
              <th class="n">held min</th>
              <th class="n">fills</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, TRADES_SHOWN).map((t) => (
              <tr class={t['exitTime'] === null ? 'open' : Number(t['net']) >= 0 ? 'won' : 'lost'}>
                <td>{str(t['symbol'])}</td>
                <td>
                  {str(t['side'])}
                  {t['inventory'] === true ? ' (inventory)' : ''}
                </td>
                <td>{instant(t['entryTime'])}</td>
                <td class="n">{str(t['entryPrice'])}</td>
                <td>{t['exitTime'] === null ? 'open' : instant(t['exitTime'])}</td>
                <td class="n">{t['exitTime'] === null ? `marked ${str(t['mark'])}` : str(t['exitPrice'])}</td>
                <td class="n">{str(t['qty'])}</td>
                <td class="n">{str(t['gross'])}</td>
                <td class="n">{str(t['fees'])}</td>
                <td class="n">{str(t['net'])}</td>
                <td class="n">{minutes(t['holdingMs'])}</td>
                <td class="n">{str(t['fills'])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > TRADES_SHOWN ? (
        <p class="note">
          The first {TRADES_SHOWN} of {rows.length} trades; the run's report (GET /api/v1/runs/{'{id}'}) lists every
          one.
        </p>
      ) : null}
    </>
  );
}
