/** @jsxImportSource hono/jsx */
// A sweep's implementation-shortfall histogram, drawn on the server as SVG with a count axis (so it
// needs no JavaScript), and a grid sweep's histogram per grid point on the same bins.
import { fields, num, str } from './format.ts';
import { settingsText } from './sweep-grid-tables.tsx';

const W = 640;
const H = 220;
/** Room for the count axis (tick labels and its title) on the left, for the shortfall axis below. */
const LEFT = 60;
const RIGHT = 20;
const TOP = 12;
const BOTTOM = 36;

/** Up to about five round counts from 0 to at least `most` (1, 2 or 5 times a power of ten apart). */
export function countTicks(most: number): number[] {
  const top = Math.max(1, most);
  const raw = top / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
  const ticks: number[] = [];
  for (let t = 0; t < top + step; t += step) ticks.push(t);
  return ticks;
}

/** The histogram's bars: one per bin between consecutive edges, height by count, on a count axis
 *  (paths per bin) whose ticks are round numbers, the shortfall axis below. */
export function Histogram(props: { histogram: unknown; id?: string; title?: string }) {
  const h = fields(props.histogram);
  const edges = Array.isArray(h['edges']) ? (h['edges'] as number[]) : [];
  const counts = Array.isArray(h['counts']) ? (h['counts'] as number[]) : [];
  const ticks = countTicks(Math.max(0, ...counts));
  const axisTop = ticks.at(-1) ?? 1;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const base = H - BOTTOM;
  const bw = counts.length > 0 ? plotW / counts.length : 0;
  return (
    <figure class="histogram">
      <svg
        id={props.id ?? 'histogram'}
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label="implementation shortfall histogram: paths per shortfall bin"
        data-bins={String(counts.length)}
      >
        <g class="count-axis" data-ticks={ticks.join(',')}>
          <line x1={LEFT} y1={TOP} x2={LEFT} y2={base} stroke="#333" />
          {ticks.map((t) => {
            const y = base - (plotH * t) / axisTop;
            return (
              <>
                <line x1={LEFT - 4} y1={y} x2={LEFT} y2={y} stroke="#333" />
                {t > 0 ? <line x1={LEFT} y1={y} x2={W - RIGHT} y2={y} stroke="#e4e4e4" /> : null}
                <text x={LEFT - 7} y={y + 4} font-size="11" text-anchor="end">
                  {String(t)}
                </text>
              </>
            );
          })}
          <text
            x={14}
            y={TOP + plotH / 2}
            font-size="11"
            text-anchor="middle"
            transform={`rotate(-90 14 ${TOP + plotH / 2})`}
          >
            paths
          </text>
        </g>
        <line x1={LEFT} y1={base} x2={W - RIGHT} y2={base} stroke="#333" />
        {counts.map((n, i) => {
          const bh = (plotH * n) / axisTop;
          return (
            <rect x={LEFT + i * bw + 1} y={base - bh} width={Math.max(1, bw - 2)} height={bh} fill="#4575b4">
              <title>{`${num(edges[i])} to ${num(edges[i + 1])} bps: ${n} paths`}</title>
            </rect>
          );
        })}
        {edges.length > 0 ? (
          <>
            <text x={LEFT} y={base + 16} font-size="11">
              {num(edges[0])}
            </text>
            <text x={W - RIGHT} y={base + 16} font-size="11" text-anchor="end">
              {num(edges.at(-1))}
            </text>
            <text x={LEFT + plotW / 2} y={H - 6} font-size="11" text-anchor="middle">
              implementation shortfall (bps)
            </text>
          </>
        ) : null}
      </svg>
      <figcaption>
        {props.title === undefined ? '' : `${props.title}: `}
        {str(h['paths'])} paths{h['missing'] ? `, ${str(h['missing'])} without a shortfall` : ''}
        {h['parent'] ? ` (parent ${str(h['parent'])})` : ''}
      </figcaption>
    </figure>
  );
}

/** A grid sweep's histogram per grid point, on the sweep's bins (so they compare bin for bin),
 *  each captioned with its point's settings; nothing for a plain sweep. */
export function PointHistograms(props: { histogram: unknown; points: unknown }) {
  const h = fields(props.histogram);
  if (!Array.isArray(h['points']) || h['points'].length === 0) return null;
  const settings = Array.isArray(props.points) ? (props.points as unknown[]).map(fields) : [];
  return (
    <>
      <h3>Per grid point, on the same bins</h3>
      <div class="point-histograms">
        {(h['points'] as unknown[]).map(fields).map((pt) => {
          const at = settings.find((x) => x['point'] === pt['point']);
          return (
            <Histogram
              id={`histogram-point-${str(pt['point'])}`}
              title={`point ${str(pt['point'])}${at ? ` (${settingsText(at['settings'])})` : ''}`}
              histogram={{ ...pt, edges: h['edges'], parent: h['parent'] }}
            />
          );
        })}
      </div>
    </>
  );
}
