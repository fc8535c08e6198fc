// A backtest's progress on a terminal: one line redrawn in place with \r (simulated time done of
// the horizon, events, time left), cleared when the run ends.
import { performance } from 'node:perf_hooks';
import type { RunProgress } from '../runtime/backtest-run.ts';
import type { ProgressSink } from './io.ts';
import { span } from './span.ts';
import { groupedDigits } from '../core/model/count-text.ts';

/** A progress line redrawn in place with \r, and cleared when the run ends. */
export interface Drawer {
  readonly draw: (p: RunProgress) => void;
  readonly clear: () => void;
  /** The sink's redraw interval, when it sets one. */
  readonly everyMs?: number;
}

export function progressDrawer(sink: ProgressSink, label: string): Drawer {
  let shown = 0;
  const started = performance.now();
  return {
    ...(sink.everyMs === undefined ? {} : { everyMs: sink.everyMs }),
    draw: (p) => {
      const line = runProgressLine(label, p, performance.now() - started, sink.columns);
      sink.write(`\r${line}${' '.repeat(Math.max(0, shown - line.length))}`);
      shown = line.length;
    },
    clear: () => {
      if (shown > 0) sink.write(`\r${' '.repeat(shown)}\r`);
      shown = 0;
    },
  };
}

/** One progress line (no \r), at most `columns - 1` characters: simulated time done of the
 *  horizon, events so far, and the time left estimated from the pace so far. */
export function runProgressLine(
  label: string,
  p: Pick<RunProgress, 'simulatedMs' | 'totalMs' | 'events'>,
  elapsedMs: number,
  columns: number,
): string {
  const frac = p.totalMs > 0 ? Math.min(1, p.simulatedMs / p.totalMs) : 1;
  const eta = frac > 0 ? (elapsedMs * (1 - frac)) / frac : null;
  const line =
    `run ${label}: ${span(p.simulatedMs)} / ${span(p.totalMs)} simulated (${Math.floor(frac * 100)}%), ` +
    `${groupedDigits(p.events)} events, ${eta === null ? 'time left unknown' : `about ${span(eta)} left`}`;
  return line.slice(0, Math.max(0, columns - 1));
}
