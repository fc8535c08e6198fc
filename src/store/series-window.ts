// The window and point budget of one request for a stored run's chart series (SeriesQuery):
// which times are in the window (simulated ms from the run's start, both ends included) and
// which points of each series are kept (decimate.ts, at most maxPoints; absent: all), each
// series' number of points before and after recorded by name for the answer's `counts`.
import { evenIndices, minMaxIndices, pick } from './decimate.ts';
import type { SeriesCount, SeriesQuery } from './read-model-port.ts';

export class SeriesWindow {
  /** The window's ends (epoch ms, both included). */
  readonly from: number;
  readonly to: number;
  readonly maxPoints: number | null;
  /** Points before and after decimation, by series name, in the order the series were kept. */
  readonly counts: Record<string, SeriesCount> = {};

  /** `start`: the run's first simulated instant. */
  constructor(start: number, q: SeriesQuery) {
    this.from = start + (q.from ?? 0);
    this.to = q.to === undefined ? Number.MAX_SAFE_INTEGER : start + q.to;
    this.maxPoints = q.maxPoints ?? null;
  }

  has(t: number): boolean {
    return t >= this.from && t <= this.to;
  }

  /** The indices kept of series `name` (times `t`, values `columns`): each bucket's lowest and
   *  highest (minMaxIndices). */
  keep(name: string, t: readonly number[], columns: readonly (readonly (number | null)[])[]): number[] {
    const kept = this.maxPoints === null ? t.map((_, i) => i) : minMaxIndices(t, columns, this.maxPoints);
    this.counts[name] = { before: t.length, after: kept.length };
    return kept;
  }

  /** The indices kept of series `name` of `n` points without values: evenly spaced. */
  keepEvenly(name: string, n: number): number[] {
    const kept = evenIndices(n, this.maxPoints ?? n);
    this.counts[name] = { before: n, after: kept.length };
    return kept;
  }

  /** A cumulative quantity's steps in the window, decimated as `keep` does. */
  keepSteps(name: string, steps: { t: number[]; qty: number[] }): { t: number[]; qty: number[] } {
    const windowed = steps.t.flatMap((t, i) => (this.has(t) ? [i] : []));
    const t = pick(steps.t, windowed);
    const qty = pick(steps.qty, windowed);
    const kept = this.keep(name, t, [qty]);
    return { t: pick(t, kept), qty: pick(qty, kept) };
  }

  /** Whether any series kept fewer points than it had. */
  get decimated(): boolean {
    return Object.values(this.counts).some((c) => c.after < c.before);
  }
}
