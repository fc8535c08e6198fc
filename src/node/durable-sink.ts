// The durable part of a simulated run's log: what a crash leaves (and what the store holds).
import type { LogEntry } from '../core/model/events.ts';
import type { EventSink } from '../core/ports/event-sink.ts';

/** The durable part of the log: entries become durable when the log commits. Kept only where a
 *  crash can happen (a run with restarts): a run without restarts never reads it back, and
 *  keeping every entry of a long run would make memory (and each garbage collection) grow with
 *  the run. */
export class DurableSink implements EventSink {
  private readonly committed: LogEntry[] = [];
  private pending: LogEntry[] = [];

  constructor(private readonly keep = true) {}

  write(entry: LogEntry): void {
    // A market sample is no entry of the log: a restart neither replays nor counts it.
    if (this.keep && entry.event.kind !== 'MarketSampled') this.pending.push(entry);
  }

  commit(): void {
    if (this.pending.length === 0) return;
    for (const e of this.pending) this.committed.push(e);
    this.pending = [];
  }

  /** A crash: the uncommitted tail is gone. Returns how many entries were lost. */
  discard(): number {
    if (!this.keep) throw new Error('a run without restarts cannot crash: its durable log is not kept');
    const lost = this.pending.length;
    this.pending = [];
    return lost;
  }

  get entries(): readonly LogEntry[] {
    if (!this.keep) throw new Error('a run without restarts keeps no durable log to read');
    return this.committed;
  }
}
