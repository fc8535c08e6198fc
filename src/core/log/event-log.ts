// The append-only event log of one run: the truth every projection folds. append() stamps the
// next sequence number and the clock's time, feeds the running digest, and hands the entry to
// the sinks (the store's batch writer, an in-memory list) before anyone reacts to it.
// The digest is sha256 over one canonical line per entry: "seq time kind payload\n".
import { createHash, type Hash } from 'node:crypto';
import type { Clock } from '../ports/clock.ts';
import type { EventSink } from '../ports/event-sink.ts';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import { canonicalJsonWithout } from './canonical-json.ts';

export function canonicalLine(entry: LogEntry): string {
  const { event } = entry;
  return `${entry.seq} ${entry.time} ${event.kind} ${canonicalJsonWithout(event, 'kind')}\n`;
}

const PENDING_CHARS = 16_384;

export class EventLog {
  private seq = 0;
  private readonly hash: Hash = createHash('sha256');
  /** Lines not yet fed to the hash: one update per ~16 KB instead of one per entry (the digest is
   *  over the concatenation, so where the updates fall does not change it). */
  private pending = '';
  private readonly sinks: EventSink[] = [];
  private lastTime = -Infinity;

  constructor(private readonly clock: Clock) {}

  /**
   * Continues a log from its durable entries (a restart): the next entry gets the next sequence
   * number, and the digest is over those entries and what follows. Sinks are not told of them.
   */
  static resume(clock: Clock, durable: readonly LogEntry[]): EventLog {
    const log = new EventLog(clock);
    for (const entry of durable) {
      if (entry.seq !== log.seq + 1) throw new Error(`durable log has a gap: seq ${entry.seq} after ${log.seq}`);
      log.seq = entry.seq;
      log.lastTime = entry.time;
      log.hash.update(canonicalLine(entry));
    }
    return log;
  }

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  append<E extends ExecEvent>(event: E): LogEntry<E> {
    const time = this.clock.now();
    if (time < this.lastTime) throw new Error(`event log time went backwards: ${time} < ${this.lastTime}`);
    this.lastTime = time;
    const entry: LogEntry<E> = { seq: ++this.seq, time, event };
    const line = canonicalLine(entry);
    this.pending += line;
    if (this.pending.length >= PENDING_CHARS) this.flushHash();
    for (const sink of this.sinks) sink.write(entry, line);
    return entry;
  }

  /** Asks every sink to make what was appended durable, atomically (see EventSink.commit). */
  commit(): void {
    for (const sink of this.sinks) sink.commit?.();
  }

  get count(): number {
    return this.seq;
  }

  /** The run digest so far (hex). Does not end the hash: the log can keep growing. */
  digest(): string {
    this.flushHash();
    return this.hash.copy().digest('hex');
  }

  private flushHash(): void {
    if (this.pending.length === 0) return;
    this.hash.update(this.pending);
    this.pending = '';
  }
}

/** Digest of a complete list of canonical lines (to verify a stored log). */
export function digestLines(lines: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  return hash.digest('hex');
}
