// The market model's warnings in a run report: how often each kind happened and the first one
// in full, folded from the ModelWarning events of the log.
import type { LogEntry, ModelWarning } from '../model/events.ts';

export interface ModelWarningSummary {
  readonly model: string;
  /** A model's own kinds, or `data_ended`: a replay's recording ran out before the run ended. */
  readonly warning: ModelWarning['warning'] | 'data_ended';
  readonly count: number;
  /** Virtual time of the first one, epoch ms, and its detail. */
  readonly firstAt: number;
  readonly first: string;
}

export class ModelWarningsFold {
  private readonly byKind = new Map<string, ModelWarningSummary>();

  add(entry: LogEntry): void {
    const e = entry.event;
    if (e.kind !== 'ModelWarning') return;
    const key = `${e.model} ${e.warning}`;
    const seen = this.byKind.get(key);
    this.byKind.set(
      key,
      seen
        ? { ...seen, count: seen.count + 1 }
        : { model: e.model, warning: e.warning, count: 1, firstAt: entry.time, first: e.detail },
    );
  }

  /** In the order each kind first happened. */
  summary(): ModelWarningSummary[] {
    return [...this.byKind.values()];
  }
}

/** One report line per kind. */
export function modelWarningLine(w: ModelWarningSummary): string {
  return `  warning ${w.model} ${w.warning} x${w.count}, first at ${new Date(w.firstAt).toISOString()}: ${w.first}`;
}
