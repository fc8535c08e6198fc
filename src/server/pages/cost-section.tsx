/** @jsxImportSource hono/jsx */
// The run page's costs: each parent's shortfall against its decision mid decomposed (delay,
// timing, spread, opportunity, fees: they add up to the total), beside its slippage against
// arrival, the market's VWAP and TWAP and its participation, with the run's sums; and the markout
// curve (bps after each fill at each horizon, positive = favourable, one line per parent and one
// for the run), drawn by static/markout-chart.js from the data the element carries. A run stored
// before reports had costs shows nothing.
import { fields, num, pct, str } from './format.ts';

/** What the chart script reads from `data-markouts`. */
export interface MarkoutChartData {
  readonly horizonsMs: readonly number[];
  readonly series: ReadonlyArray<{
    readonly label: string;
    readonly colour: string;
    readonly bps: ReadonlyArray<number | null>;
  }>;
}

const PARTS = ['delay', 'timing', 'spread', 'opportunity', 'fees', 'total'] as const;

const horizonLabel = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);

export function CostSection(props: { report: unknown; colours: Readonly<Record<string, string>> }) {
  const report = fields(props.report);
  const parents = (Array.isArray(report['parents']) ? (report['parents'] as unknown[]) : [])
    .map(fields)
    .filter((p) => p['costs'] !== undefined && p['costs'] !== null);
  if (parents.length === 0) return null;
  const run = fields(report['costs']);
  const runQuote = fields(run['quote']);
  const runBps = fields(run['bps']);
  const horizons = (fields(parents[0]?.['costs'])['markouts'] as unknown[] | undefined)?.map(
    (m) => fields(m)['horizonMs'] as number,
  );
  const markoutsOf = (costs: unknown): Array<number | null> =>
    ((fields(costs)['markouts'] as unknown[] | undefined) ?? []).map((m) => {
      const v = fields(m)['bps'];
      return typeof v === 'number' ? v : null;
    });
  const chart: MarkoutChartData = {
    horizonsMs: horizons ?? [],
    series: [
      ...parents.map((p) => ({
        label: str(p['id']),
        colour: props.colours[str(p['id'])] ?? '#4575b4',
        bps: markoutsOf(p['costs']),
      })),
      { label: 'run (all fills)', colour: '#000000', bps: markoutsOf(run) },
    ],
  };
  const plotted = chart.series.some((s) => s.bps.some((v) => v !== null));
  return (
    <>
      <h2 id="costs">Costs</h2>
      <p class="note">
        Shortfall against the decision mid (when the parent was asked for), in quote currency: delay (the mid's move
        before the parent started) + timing (its move from arrival to each fill) + spread (each fill against the mid
        then) + opportunity (what did not fill, marked at the parent's end) + fees = total, exactly; bps of the whole
        quantity at the decision mid. Slippage: bps against the arrival mid and the market's VWAP and TWAP over the
        horizon (positive = cost).
      </p>
      <table class="costs">
        <thead>
          <tr>
            <th>parent</th>
            <th class="n">decision</th>
            {PARTS.map((k) => (
              <th class="n">{k}</th>
            ))}
            <th class="n">total bps</th>
            <th class="n">vs arrival bps</th>
            <th class="n">vs VWAP bps</th>
            <th class="n">vs TWAP bps</th>
            <th class="n">participation</th>
          </tr>
        </thead>
        <tbody>
          {parents.map((p) => {
            const c = fields(p['costs']);
            const q = fields(c['quote']);
            const b = fields(c['bps']);
            const slip = fields(c['slippage']);
            return (
              <tr data-parent={str(p['id'])}>
                <td>{str(p['id'])}</td>
                <td class="n">{str(c['decisionPrice'])}</td>
                {PARTS.map((k) => (
                  <td class="n" data-part={k}>
                    {str(q[k])}
                  </td>
                ))}
                <td class="n">{num(b['total'])}</td>
                <td class="n">{num(slip['arrivalBps'])}</td>
                <td class="n">{num(slip['vwapBps'])}</td>
                <td class="n">{num(slip['twapBps'])}</td>
                <td class="n">{pct(c['participationRate'])}</td>
              </tr>
            );
          })}
          <tr class="total" data-parent="">
            <td>run</td>
            <td class="n"></td>
            {PARTS.map((k) => (
              <td class="n" data-part={k}>
                {str(runQuote[k])}
              </td>
            ))}
            <td class="n">{num(runBps['total'])}</td>
            <td class="n" colspan={4}></td>
          </tr>
        </tbody>
      </table>
      <h3>Markouts</h3>
      <p class="note">
        The mid a time after each fill against the fill's price, bps of the fills' notional, weighted by quantity;
        positive = the market moved our way after we traded. A horizon past the run's end is not drawn.
      </p>
      <table class="markouts">
        <thead>
          <tr>
            <th>parent</th>
            {(horizons ?? []).map((h) => (
              <th class="n">{horizonLabel(h)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {chart.series.map((s) => (
            <tr>
              <td>{s.label}</td>
              {s.bps.map((v) => (
                <td class="n">{num(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {plotted ? (
        <div id="markouts" class="chart small" data-markouts={JSON.stringify(chart)}>
          <p class="chart-status needs-script">loading…</p>
        </div>
      ) : (
        <p class="note">No markouts to draw: no fill's horizon fell within the run.</p>
      )}
    </>
  );
}
