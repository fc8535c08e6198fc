// Signal deduplicator. A signal is remembered by its key (symbol, side, entry price rounded to
// `priceDecimals`, or "MKT" for a market signal) and its own time; a new signal with the same key
// less than `bucketMs` from a remembered one is a DUPLICATE (a sliding window, see match()), and
// the memory lasts `ttlMs` on the Clock. Every state change is a plain record (SignalRegistered,
// SignalExecuted) handed to the caller's sink for the event log; restore(records) rebuilds the
// memory after a restart. The fingerprint (hash of key and bucket start) feeds signalClientOrderId,
// so a copy in the same bucket gets the same client order id even when the memory missed it and
// the venue refuses it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';
import { deriveClientOrderId, utcDate } from '../model/client-order-id.ts';
import { roundDecimal } from '../model/decimal.ts';
import type { ClientOrderId } from '../model/ids.ts';
import { SIDES, type Side } from '../model/order.ts';
import type { Clock } from '../ports/clock.ts';

// ---- config: every default here ----
const DAY_MS = 86_400_000;
const ms = (min: number) =>
  z
    .number('must be a number of milliseconds')
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(DAY_MS, 'must be at most one day (86400000 ms)');

export const dedupConfigSchema = z
  .strictObject({
    /** Time bucket of the fingerprint, and the duplicate window: 5 minutes. */
    bucketMs: ms(1).default(300_000),
    /** How long a registered signal is remembered on the clock: 600 s, two windows. */
    ttlMs: ms(1).default(600_000),
    /** Entry price decimals kept in the key (half away from zero): 0, whole price units. */
    priceDecimals: z
      .number('must be a number of decimals')
      .int('must be a whole number of decimals')
      .min(0, 'must not be negative')
      .max(18, 'must be at most 18')
      .default(0),
  })
  .refine((c) => c.ttlMs >= c.bucketMs, {
    message: 'must be at least bucketMs (a copy inside the window must still be remembered)',
    path: ['ttlMs'],
  });

export type DedupConfig = Readonly<z.output<typeof dedupConfigSchema>>;
export type DedupConfigInput = z.input<typeof dedupConfigSchema>;

export class DedupConfigError extends Error {
  override readonly name = 'DedupConfigError';
}

/** Validates a dedup config (undefined = all defaults); throws one DedupConfigError naming the field. */
export function parseDedupConfig(input: unknown): DedupConfig {
  return parseConfig(dedupConfigSchema, input, {
    label: 'dedup config',
    fields: '(bucketMs, ttlMs, priceDecimals)',
    error: DedupConfigError,
  });
}

export const DEFAULT_DEDUP_CONFIG: DedupConfig = parseDedupConfig({});

// ---- signals, fingerprints, client order ids ----
export interface DedupSignal {
  readonly symbol: string;
  readonly side: Side;
  /** Entry price as a decimal string; null for a market signal (its key uses "MKT"). */
  readonly entryPrice: string | null;
  /** When the strategy produced the signal: integer epoch ms. */
  readonly time: number;
  /** The caller's id, kept for audit; not part of the fingerprint. */
  readonly signalId?: string | null;
}

interface Normalized {
  readonly symbol: string;
  readonly side: Side;
  readonly price: string | null;
  readonly time: number;
  readonly signalId: string | null;
}

function normalize(s: DedupSignal, c: DedupConfig): Normalized {
  if (typeof s.symbol !== 'string' || s.symbol.length === 0)
    throw new Error('signal: symbol must be a non-empty string');
  if (!SIDES.includes(s.side))
    throw new Error(`signal: side must be one of ${SIDES.join(', ')}, got ${String(s.side)}`);
  if (!Number.isSafeInteger(s.time)) throw new Error(`signal: time must be an integer epoch ms, got ${s.time}`);
  if (s.entryPrice !== null && typeof s.entryPrice !== 'string')
    throw new Error('signal: entryPrice must be a decimal string or null');
  const price = s.entryPrice === null ? null : roundDecimal(s.entryPrice, c.priceDecimals);
  return { symbol: s.symbol, side: s.side, price, time: s.time, signalId: s.signalId ?? null };
}

const bucketStart = (time: number, c: DedupConfig) => Math.floor(time / c.bucketMs) * c.bucketMs;
const keyOf = (symbol: string, side: Side, price: string | null) => JSON.stringify([symbol, side, price]);
const hashOf = (symbol: string, side: Side, price: string | null, bucket: number) =>
  createHash('sha256')
    .update(JSON.stringify(['sig1', symbol, side, price ?? 'MKT', bucket]))
    .digest('hex')
    .slice(0, 16);

/** Stable 16-hex-digit fingerprint of symbol, side, rounded price (or MKT) and time bucket start. */
export function fingerprintOf(signal: DedupSignal, config: DedupConfig = DEFAULT_DEDUP_CONFIG): string {
  const n = normalize(signal, config);
  return hashOf(n.symbol, n.side, n.price, bucketStart(n.time, config));
}

/** Readable form of the fingerprint's inputs, for logs: "BTCUSDT_BUY_42151_2025-01-28T17:00Z". */
export function signalLabel(signal: DedupSignal, config: DedupConfig = DEFAULT_DEDUP_CONFIG): string {
  const n = normalize(signal, config);
  const b = bucketStart(n.time, config);
  const minutes = Math.floor((b - Math.floor(b / DAY_MS) * DAY_MS) / 60_000);
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${n.symbol}_${n.side.toUpperCase()}_${n.price ?? 'MKT'}_${utcDate(b)}T${hhmm}Z`;
}

/** Deterministic parent id of the order(s) a signal produces; pass it to twapParentKey for a TWAP route. */
export const signalParentId = (fingerprint: string): string => `sig-${fingerprint}`;

/** The single-order client order id of a signal: a function of its fingerprint only (which binds
 *  symbol, side, rounded price and bucket), so a retry, a restart or a missed same-bucket copy
 *  reuses it and the venue refuses a second order. */
export function signalClientOrderId(fingerprint: string, maxLength: number): ClientOrderId {
  return deriveClientOrderId(
    {
      parentId: signalParentId(fingerprint),
      symbol: '',
      side: '',
      qty: 0,
      tradeDate: '',
      sliceNum: 1,
      params: 'signal-single',
    },
    maxLength,
  );
}

import type { SignalDedupRecord, SignalExecuted, SignalRegistered } from '../model/safety-events.ts';

/** A live memory entry: its registration, with `at` and `executed` as of the last SignalExecuted. */
export type RememberedSignal = Omit<SignalRegistered, 'kind'>;

export type Admission =
  | { readonly duplicate: false; readonly fingerprint: string; readonly record: SignalRegistered }
  | { readonly duplicate: true; readonly fingerprint: string; readonly original: RememberedSignal };

interface Entry {
  readonly fingerprint: string;
  readonly key: string;
  readonly rec: SignalRegistered;
  at: number;
  executed: boolean;
}

export class SignalDeduplicator {
  private readonly byFingerprint = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry[]>();
  /** (fingerprint, at) in insertion order; items whose entry moved on are skipped when popped. */
  private queue: { readonly fingerprint: string; readonly at: number }[] = [];
  private head = 0;

  constructor(
    private readonly clock: Clock,
    private readonly sink: (r: SignalDedupRecord) => void,
    readonly config: DedupConfig = DEFAULT_DEDUP_CONFIG,
  ) {}

  /** The signal's fingerprint (what admit() would register it under); changes nothing. */
  fingerprintOf(signal: DedupSignal): string {
    const n = normalize(signal, this.config);
    return hashOf(n.symbol, n.side, n.price, bucketStart(n.time, this.config));
  }

  /** Atomic check-and-register (one call, so no copy slips in between a check and its
   *  register): the first copy is registered (its record goes to the sink, once) and returned
   *  with duplicate false; any copy within the window of a live entry is a duplicate. */
  admit(signal: DedupSignal): Admission {
    const now = this.now();
    const n = normalize(signal, this.config);
    const fingerprint = hashOf(n.symbol, n.side, n.price, bucketStart(n.time, this.config));
    const hit = this.match(n, now);
    if (hit) return { duplicate: true, fingerprint, original: view(hit) };
    return { duplicate: false, fingerprint, record: this.register(n, fingerprint, now, false) };
  }

  /** Query only: the live entry `signal` would duplicate, or null. Changes nothing but pruning. */
  peek(signal: DedupSignal): RememberedSignal | null {
    const hit = this.match(normalize(signal, this.config), this.now());
    return hit ? view(hit) : null;
  }

  /** The seed's register_execution: marks the matching live entry executed and restarts its TTL
   *  (SignalExecuted); with no match it registers the signal as executed (SignalRegistered). */
  markExecuted(signal: DedupSignal): SignalDedupRecord {
    const now = this.now();
    const n = normalize(signal, this.config);
    const hit = this.match(n, now);
    if (!hit) return this.register(n, hashOf(n.symbol, n.side, n.price, bucketStart(n.time, this.config)), now, true);
    const rec: SignalExecuted = { kind: 'SignalExecuted', fingerprint: hit.fingerprint, at: now };
    this.apply(rec);
    this.sink(rec);
    return rec;
  }

  /** Rebuilds the memory from logged records (in log order) after a restart; entries already
   *  expired on the clock are dropped. Emits nothing. */
  restore(records: Iterable<SignalDedupRecord>): void {
    for (const r of records) this.apply(r);
    this.prune(this.clockNow());
  }

  /** Applies one logged record (the fold step of restore). */
  apply(r: SignalDedupRecord): void {
    if (r.kind === 'SignalRegistered') {
      const old = this.byFingerprint.get(r.fingerprint);
      if (old) this.remove(old);
      const e: Entry = {
        fingerprint: r.fingerprint,
        key: keyOf(r.symbol, r.side, r.price),
        rec: r,
        at: r.at,
        executed: r.executed,
      };
      this.byFingerprint.set(e.fingerprint, e);
      const list = this.byKey.get(e.key);
      if (list) list.push(e);
      else this.byKey.set(e.key, [e]);
    } else {
      const e = this.byFingerprint.get(r.fingerprint);
      if (!e) return; // expired before the restart: nothing to refresh
      e.at = r.at;
      e.executed = true;
    }
    this.queue.push({ fingerprint: r.fingerprint, at: r.at });
  }

  /** Live entries (after pruning), in registration order. */
  entries(): RememberedSignal[] {
    this.prune(this.clockNow());
    return [...this.byFingerprint.values()].map(view);
  }

  /** Number of live entries; memory is O(this) plus one queue item per record of the last TTL. */
  get size(): number {
    this.prune(this.clockNow());
    return this.byFingerprint.size;
  }

  private clockNow = (): number => Math.floor(this.clock.now());

  private now(): number {
    const now = this.clockNow();
    this.prune(now);
    return now;
  }

  /** Memory lasts `ttlMs` on the Clock from registration (or from the last markExecuted): an entry
   *  registered at clock time `at` is live while now - at <= ttlMs (it expires once now - at > ttlMs). */
  private live = (e: Entry, now: number): boolean => now - e.at <= this.config.ttlMs;

  /**
   * The live entry with the same key whose signal time is less than `bucketMs` from this one's
   * (|t1 - t2| < bucketMs): a sliding window, symmetric and independent of bucket alignment. It
   * contains the fixed-bucket rule (same key, same 5-minute bucket => |dt| < bucketMs) and fixes
   * that rule's flaw: copies two seconds apart on either side of a bucket boundary are duplicates
   * too. Only admitted (registered) signals are remembered; a duplicate does not refresh or extend
   * anything.
   */
  private match(n: Normalized, now: number): Entry | null {
    const list = this.byKey.get(keyOf(n.symbol, n.side, n.price));
    if (!list) return null;
    for (const e of list) if (this.live(e, now) && Math.abs(e.rec.signalTime - n.time) < this.config.bucketMs) return e;
    return null;
  }

  private register(n: Normalized, fingerprint: string, now: number, executed: boolean): SignalRegistered {
    const rec: SignalRegistered = {
      kind: 'SignalRegistered',
      fingerprint,
      symbol: n.symbol,
      side: n.side,
      price: n.price,
      signalTime: n.time,
      signalId: n.signalId,
      executed,
      at: now,
    };
    this.apply(rec);
    this.sink(rec);
    return rec;
  }

  private remove(e: Entry): void {
    this.byFingerprint.delete(e.fingerprint);
    const list = this.byKey.get(e.key);
    if (!list) return;
    const i = list.indexOf(e);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(e.key);
  }

  /** Drops expired entries from the front of the queue (lazy; every public call prunes first). */
  private prune(now: number): void {
    const q = this.queue;
    while (this.head < q.length) {
      const item = q[this.head] as { fingerprint: string; at: number };
      if (now - item.at <= this.config.ttlMs) break;
      this.head++;
      const e = this.byFingerprint.get(item.fingerprint);
      if (e && e.at === item.at && !this.live(e, now)) this.remove(e);
    }
    if (this.head > 64 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  }
}

function view(e: Entry): RememberedSignal {
  const { kind: _kind, ...rest } = e.rec;
  return { ...rest, at: e.at, executed: e.executed };
}
