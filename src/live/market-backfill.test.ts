// The backfiller every venue's feed reads its history through, on a virtual clock with a scripted
// bar source: it reads once the trade stream is subscribed (or at half the time allowed), from the
// minute of `since` but never before what the recorder keeps or one read spans, nets out what the
// feed recorded meanwhile, and fails with a reason (the deadline, a stop, the venue's words
// scrubbed) instead of throwing, even for a source that never answers. And a strategy's warm-up
// read (readVenueBars): the bars as they are, the latest span one read covers, a failure said.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { backfillOfSymbols, MarketBackfiller, readVenueBars, type BarSource } from './market-backfill.ts';
import { BAR_MS, type MinuteBar } from './market-history.ts';
import { MarketRecorder } from './market-recorder.ts';

const T0 = 1_723_161_600_000; // a whole minute

interface Read {
  readonly from: number;
  readonly until: number;
  readonly at: number;
  readonly signal: AbortSignal;
  answer(bars: MinuteBar[]): void;
  fail(err: unknown): void;
}

/** A source whose reads wait for the test to answer them. */
function scripted(maxSpanMs?: number): { source: BarSource; reads: Read[] } {
  const reads: Read[] = [];
  let clock: VirtualClock | null = null;
  const source: BarSource & { bind(c: VirtualClock): void } = {
    bind: (c) => (clock = c),
    readBars: (from, until, signal) =>
      new Promise<MinuteBar[]>((answer, fail) => reads.push({ from, until, at: clock!.now(), signal, answer, fail })),
    failureText: (err) => `venue said: ${err instanceof Error ? err.message : String(err)}`,
    ...(maxSpanMs === undefined ? {} : { maxSpanMs }),
  };
  return { source, reads };
}

function setup(options: { maxSpanMs?: number; retainMs?: number; timeoutMs?: number } = {}) {
  const clock = new VirtualClock(T0 + 30 * BAR_MS + 12_345);
  const { source, reads } = scripted(options.maxSpanMs);
  (source as unknown as { bind(c: VirtualClock): void }).bind(clock);
  const recorder = new MarketRecorder({ retainMs: options.retainMs ?? 3_600_000 });
  recorder.liveFrom(clock.now());
  const backfill = new MarketBackfiller(source, {
    recorder,
    clock,
    timeoutMs: options.timeoutMs ?? 10_000,
    scrub: (t) => t.replaceAll('s3cret', '[redacted]'),
  });
  return { clock, reads, recorder, backfill };
}

/** Lets the backfiller's pending promise callbacks run (no time passes: the clock is virtual). */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('MarketBackfiller', () => {
  it('reads once the stream is subscribed, from the minute of since, net of the prints it recorded meanwhile', async () => {
    const { clock, reads, recorder, backfill } = setup();
    const since = T0 + 5 * BAR_MS + 7_000;
    backfill.start(since, true);
    await settle();
    expect(reads).toHaveLength(0); // waits for the stream
    // A live print in the current minute, recorded before the read is sent.
    const minute = Math.floor(clock.now() / BAR_MS) * BAR_MS;
    recorder.trade(clock.now(), 100, 4);
    backfill.live(clock.now() - 1, 100, 4);
    clock.advanceBy(1_000);
    backfill.streamSubscribed();
    await settle();
    expect(reads.map((r) => [r.from, r.until])).toEqual([[T0 + 5 * BAR_MS, clock.now()]]);
    reads[0]!.answer([
      { start: T0 + 5 * BAR_MS, volume: 10, vwap: 99, open: 98, low: 98, high: 100, close: 100 },
      { start: minute, volume: 6, vwap: 100, open: 100, low: 100, high: 100, close: 100 },
    ]);
    expect(await backfill.backfilled()).toEqual({
      kind: 'added',
      from: T0 + 5 * BAR_MS,
      until: clock.now(),
      bars: 2,
      volume: 10 + 2,
    });
    expect(recorder.window(T0 + 5 * BAR_MS, clock.now())).toMatchObject({ volume: 16 });
    expect(recorder.window(T0 + 5 * BAR_MS, clock.now()).coveredFrom).toBeUndefined();
  });

  it('reads at half the time allowed when the stream never says it is subscribed', async () => {
    const { clock, reads, backfill } = setup({ timeoutMs: 4_000 });
    backfill.start(T0, true);
    clock.advanceBy(1_999);
    await settle();
    expect(reads).toHaveLength(0);
    clock.advanceBy(1);
    await settle();
    expect(reads).toHaveLength(1);
  });

  it('asks for no more than the recorder keeps or one read spans: coverage starts there', async () => {
    for (const [limits, from] of [
      [{ retainMs: 10 * BAR_MS }, T0 + 20 * BAR_MS],
      [{ maxSpanMs: 7 * BAR_MS }, T0 + 24 * BAR_MS],
    ] as const) {
      const { reads, backfill } = setup(limits);
      backfill.start(T0, false);
      await settle();
      expect(reads[0]?.from).toBe(from);
      reads[0]!.answer([]);
      expect(await backfill.backfilled()).toMatchObject({ kind: 'added', from });
    }
  });

  it('fails at the deadline even when the source ignores its signal, and says why', async () => {
    const { clock, reads, recorder, backfill } = setup({ timeoutMs: 3_000 });
    const since = T0 + 3 * BAR_MS;
    backfill.start(since, false);
    await settle();
    expect(reads).toHaveLength(1);
    clock.advanceBy(3_000);
    expect(reads[0]!.signal.aborted).toBe(true);
    expect(await backfill.backfilled()).toEqual({ kind: 'failed', from: since, reason: 'no history within 3000 ms' });
    reads[0]!.answer([{ start: since, volume: 5, vwap: 1, open: 1, low: 1, high: 1, close: 1 }]); // too late: not added
    await settle();
    expect(recorder.window(since, clock.now())).toMatchObject({ volume: 0, coveredFrom: clock.now() - 3_000 });
  });

  it("fails with the venue's words, scrubbed, or because the adapter stopped", async () => {
    const refused = setup();
    refused.backfill.start(T0, false);
    await settle();
    refused.reads[0]!.fail(new Error('key s3cret refused'));
    expect(await refused.backfill.backfilled()).toEqual({
      kind: 'failed',
      from: T0,
      reason: 'venue said: key [redacted] refused',
    });

    const stopped = setup();
    stopped.backfill.start(T0, true);
    stopped.backfill.stop();
    expect(await stopped.backfill.backfilled()).toEqual({ kind: 'failed', from: T0, reason: 'the adapter stopped' });
    expect(stopped.reads).toHaveLength(0);

    const inFlight = setup();
    inFlight.backfill.start(T0, false);
    await settle();
    inFlight.backfill.stop();
    expect(await inFlight.backfill.backfilled()).toMatchObject({ kind: 'failed', reason: 'the adapter stopped' });
    expect(inFlight.reads[0]!.signal.aborted).toBe(true);
  });

  it('answers none when no history was asked, and reads once however often started', async () => {
    const { reads, backfill } = setup();
    expect(await backfill.backfilled()).toEqual({ kind: 'none' });
    backfill.start(T0, false);
    backfill.start(T0 + BAR_MS, false);
    await settle();
    expect(reads).toHaveLength(1);
  });
});

describe('readVenueBars', () => {
  const bar: MinuteBar = { start: T0, volume: 1, vwap: 1, open: 1, low: 1, high: 1, close: 1 };

  it('reads the span as asked, or only its latest part one read covers, and never rejects', async () => {
    const { source, reads } = scripted(10 * BAR_MS);
    (source as unknown as { bind(c: VirtualClock): void }).bind(new VirtualClock(T0));
    const scrub = (t: string) => t.replaceAll('s3cret', '[redacted]');
    const signal = new AbortController().signal;
    const read = readVenueBars(source, { from: T0, until: T0 + 5 * BAR_MS - 1 }, signal, scrub, 'bars');
    await settle();
    reads[0]!.answer([bar]);
    expect(await read).toEqual({ kind: 'read', bars: [bar], source: 'bars' });
    expect([reads[0]!.from, reads[0]!.until]).toEqual([T0, T0 + 5 * BAR_MS - 1]);

    // Longer than the source reads at once, or than asked: the latest part, on a minute.
    const until = T0 + 60 * BAR_MS - 1;
    void readVenueBars(source, { from: T0, until }, signal, scrub, 'bars');
    void readVenueBars(source, { from: T0, until, maxSpanMs: 3 * BAR_MS }, signal, scrub, 'bars');
    await settle();
    expect(reads.slice(1).map((r) => r.from)).toEqual([T0 + 50 * BAR_MS, T0 + 57 * BAR_MS]);

    const failed = readVenueBars(source, { from: T0, until }, signal, scrub, 'bars');
    await settle();
    reads[3]!.fail(new Error('key s3cret refused'));
    expect(await failed).toEqual({ kind: 'failed', reason: 'venue said: key [redacted] refused', source: 'bars' });
    const stop = new AbortController();
    const stopped = readVenueBars(source, { from: T0, until }, stop.signal, scrub, 'bars');
    stop.abort(new Error('the adapter stopped'));
    expect(await stopped).toEqual({ kind: 'failed', reason: 'the adapter stopped', source: 'bars' });
  });
});

describe('the history of several symbols as one outcome', () => {
  const added = (from: number, until: number, bars: number, volume: number) =>
    ({ kind: 'added', from, until, bars, volume }) as const;

  it("one symbol's as it is; several: the first failure naming its symbol, else the span they cover", () => {
    const failed = { kind: 'failed', from: 5, reason: 'no history within 10000 ms' } as const;
    expect(backfillOfSymbols([{ symbol: 'AAPL', outcome: failed }])).toEqual(failed);
    expect(
      backfillOfSymbols([
        { symbol: 'AAPL', outcome: added(0, 60, 1, 10) },
        { symbol: 'MSFT', outcome: failed },
      ]),
    ).toEqual({ ...failed, reason: 'MSFT: no history within 10000 ms' });
    expect(
      backfillOfSymbols([
        { symbol: 'AAPL', outcome: added(60, 180, 2, 10) },
        { symbol: 'MSFT', outcome: { kind: 'none' } },
        { symbol: 'SPY', outcome: added(0, 120, 2, 5) },
      ]),
    ).toEqual(added(0, 180, 4, 15));
    expect(
      backfillOfSymbols([
        { symbol: 'AAPL', outcome: { kind: 'none' } },
        { symbol: 'MSFT', outcome: { kind: 'none' } },
      ]),
    ).toEqual({ kind: 'none' });
  });
});
