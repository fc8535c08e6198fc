// The append-only event log of one run: the truth every projection folds. append() stamps the
// next sequence number and the clock's time, feeds the running digest, and hands the entry to
// the sinks before anyone reacts to it. The digest's bytes, and market samples kept out of it:
// docs/0069-core-and-simulator-notes.md.
import { createHash, type Hash } from 'node:crypto';
import type { Clock } from '../ports/clock.ts';
import type { EventSink, LogLine } from '../ports/event-sink.ts';
import type { ExecEvent, LogEntry, MarketSampled } from '../model/events.ts';
import { CanonicalBytes } from './canonical-bytes.ts';
import { canonicalJsonWithout } from './canonical-json.ts';

export function canonicalLine(entry: LogEntry): string {
  const { event } = entry;
  return `${entry.seq} ${entry.time} ${event.kind} ${canonicalJsonWithout(event, 'kind')}\n`;
}

/** The hash reads the lines once this many bytes wait: one update per ~16 KB instead of one per
 *  entry (the digest is over the concatenation, so where the updates fall does not change it). */
const PENDING_BYTES = 16_384;

const decoder = new TextDecoder();

/** The line being written to the sinks: a view of the log's buffer, decoded once if asked. */
class LentLine implements LogLine {
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  private decoded: string | null = null;

  lend(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.decoded = null;
  }

  get byteLength(): number {
    return this.end - this.start;
  }

  text(): string {
    return (this.decoded ??= decoder.decode(this.buf.subarray(this.start, this.end)));
  }

  copyTo(target: Uint8Array, offset: number): void {
    target.set(this.buf.subarray(this.start, this.end), offset);
  }
}

/** A sample's line, written only when a sink reads it. None of execsim's own does (the store keeps
 *  samples as numbers, the report's fold skips them), so a run formats no sample line; a sink
 *  that writes lines gets them in the entries' format. */
class SampleLine implements LogLine {
  private entry: LogEntry<MarketSampled> | null = null;
  private readonly bytes = new CanonicalBytes();
  private readonly lent = new LentLine();

  lend(entry: LogEntry<MarketSampled>): void {
    this.entry = entry;
  }

  private written(): LentLine {
    const entry = this.entry;
    if (entry) {
      this.entry = null;
      this.bytes.used = 0;
      this.bytes.line(entry);
      this.lent.lend(this.bytes.buf, 0, this.bytes.used);
    }
    return this.lent;
  }

  get byteLength(): number {
    return this.written().byteLength;
  }

  text(): string {
    return this.written().text();
  }

  copyTo(target: Uint8Array, offset: number): void {
    this.written().copyTo(target, offset);
  }
}

export class EventLog {
  private seq = 0;
  private readonly hash: Hash = createHash('sha256');
  /** Lines not yet fed to the hash. */
  private readonly bytes = new CanonicalBytes();
  private readonly line = new LentLine();
  /** True while the sinks are given a line (which lives in `bytes` until the hash reads it). */
  private writing = false;
  private readonly sinks: EventSink[] = [];
  private lastTime = -Infinity;
  /** Samples' lines: written for the sinks that read them, never hashed. */
  private sampleLine: SampleLine | null = null;

  constructor(private readonly clock: Clock) {}

  /**
   * Continues a log from its durable entries (a restart): the next entry gets the next sequence
   * number, and the digest is over those entries and what follows. Sinks are not told of them.
   * (A log stored before samples left the digest holds them as entries with seqs of their own:
   * it is resumed as it was written, samples hashed.)
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
    if (event.kind === 'MarketSampled')
      throw new Error('event log: a market sample is not an entry of the log (EventLog.sample)');
    const time = this.clock.now();
    if (time < this.lastTime) throw new Error(`event log time went backwards: ${time} < ${this.lastTime}`);
    if (this.writing) throw new Error('event log: an entry was appended while a sink was writing one');
    this.lastTime = time;
    const entry: LogEntry<E> = { seq: ++this.seq, time, event };
    const bytes = this.bytes;
    const start = bytes.used;
    bytes.line(entry);
    const sinks = this.sinks;
    if (sinks.length > 0) {
      const line = this.line;
      line.lend(bytes.buf, start, bytes.used);
      this.writing = true;
      try {
        for (const sink of sinks) sink.write(entry, line);
      } finally {
        this.writing = false;
      }
    }
    if (bytes.used >= PENDING_BYTES) this.flushHash();
    return entry;
  }

  /**
   * Hands a market sample to the sinks: stamped with the clock's time and the seq of the last
   * entry (it has none of its own), its line in the entries' format (written if a sink reads it),
   * and nothing hashed.
   */
  sample(event: MarketSampled): LogEntry<MarketSampled> {
    const time = this.clock.now();
    if (time < this.lastTime) throw new Error(`event log time went backwards: ${time} < ${this.lastTime}`);
    if (this.writing) throw new Error('event log: a sample was taken while a sink was writing an entry');
    this.lastTime = time;
    const entry: LogEntry<MarketSampled> = { seq: this.seq, time, event };
    const sinks = this.sinks;
    if (sinks.length === 0) return entry;
    const line = (this.sampleLine ??= new SampleLine());
    line.lend(entry);
    this.writing = true;
    try {
      for (const sink of sinks) sink.write(entry, line);
    } finally {
      this.writing = false;
    }
    return entry;
  }

  /** Asks every sink to make what was appended durable, atomically (see EventSink.commit). */
  commit(): void {
    for (const sink of this.sinks) sink.commit?.();
  }

  /** Entries appended (market samples are not entries). */
  get count(): number {
    return this.seq;
  }

  /** The run digest so far (hex). Does not end the hash: the log can keep growing. */
  digest(): string {
    this.flushHash();
    return this.hash.copy().digest('hex');
  }

  private flushHash(): void {
    const bytes = this.bytes;
    if (bytes.used === 0) return;
    this.hash.update(bytes.buf.subarray(0, bytes.used));
    bytes.used = 0;
  }
}

/** Digest of a complete list of canonical lines (to verify a stored log). */
export function digestLines(lines: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  return hash.digest('hex');
}
