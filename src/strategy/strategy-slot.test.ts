// A strategy slot's swaps on a virtual clock with a still market: scripted strategies report
// given score series and signal a quantity of their own every round, so who is live shows in
// the commands that leave. The property: a swap never makes a rejected model live (the live
// strategy after the decision is the candidate exactly when the comparison of the two series
// passed or an operator overrode it, and a rejected candidate never sent anything). Then: one
// swap at a time, a candidate that fails or warms up too slowly is rejected, a live strategy
// that fails abandons the swap, a different feed is refused, signals are compared when there are
// no scores, and a restart abandons a swap in shadow and keeps one accepted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import type { StrategyEvent } from '../core/model/strategy-events.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import type { MarketDataPort } from '../core/ports/broker.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import type { Quote, StrategyDefinition, StrategyHandlers, Warmup } from './strategy-api.ts';
import type { HistorySource } from './strategy-port.ts';
import { compareOutputs, DEFAULT_THRESHOLDS } from './shadow-compare.ts';
import { StrategySlot, type Instantiable, type SwapRequest } from './strategy-slot.ts';

const START = 1_700_000_000_000;
const QUOTE_MS = 100;
const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001', minNotional: '1' });
const market: MarketDataPort = {
  topOfBook: () => ({ bid: 6_000_000, bidQty: 1000, ask: 6_000_002, askQty: 1000 }),
  window: () => ({ vwap: null, volume: 0, high: null, low: null, trades: 0 }) as never,
  lastUpdateAt: () => START,
};

interface Script {
  readonly name?: string;
  /** Score reported at the i-th quote (none: no scores). */
  readonly scores?: readonly number[];
  /** Signals this quantity every round (default 1 lot of... 0.001 * this). */
  readonly qty?: number;
  /** Told every quote it sees (history and live). */
  readonly seen?: number[];
  /** Signals only at these rounds (1-based); default: every round. */
  readonly signalAt?: readonly number[];
  readonly throwAt?: number;
  readonly warmup?: Warmup;
  readonly quoteMs?: number;
  readonly module?: string;
}

/** A module as the loader would make it, from a script. */
function scripted(s: Script): Instantiable {
  const name = s.name ?? 'scripted';
  const make = (): StrategyDefinition<unknown> => ({
    name,
    create: (): StrategyHandlers => {
      let i = 0;
      return {
        onQuote: (q: Quote) => {
          s.seen?.push(q.time);
          i++;
          if (s.throwAt === i) throw new Error('model file corrupt');
          const out: object[] = [];
          if (s.scores) out.push({ kind: 'score', value: s.scores[(i - 1) % s.scores.length] as number });
          if (s.qty !== undefined && (!s.signalAt || s.signalAt.includes(i)))
            out.push({ side: 'buy', qty: s.qty, id: `${name}-${s.qty}-${i}` });
          return out as never;
        },
      };
    },
  });
  return {
    definition: make(),
    instantiate: () => make(),
    params: {},
    paramsJson: JSON.stringify({ qty: s.qty ?? null }),
    module: s.module ?? `./${name}.ts`,
    codeHash: `hash-${name}`,
    form: 'handler',
    warmup: s.warmup ?? {},
    quoteMs: s.quoteMs ?? QUOTE_MS,
    barMs: 60_000,
    warmupTimeoutMs: 0,
    callbackBudgetMs: 250,
    onFailure: { killSwitch: 'halted', cancelParents: true },
  };
}

function world(
  live: Instantiable,
  opts: { prior?: LogEntry[]; candidates?: Instantiable[]; history?: (clock: VirtualClock) => HistorySource } = {},
) {
  const clock = new VirtualClock(START);
  const events: ExecEvent[] = [];
  const commands: Array<{ at: number; command: NodeCommand }> = [];
  const slot = new StrategySlot({
    strategy: live,
    seed: 1,
    clock,
    marketData: market,
    instruments: [inst],
    ledger: new OrderLedger(),
    record: (e) => events.push(e),
    command: (_label, command) => commands.push({ at: clock.now(), command }),
    history: opts.history?.(clock) ?? null,
    prior: opts.prior ?? [],
    candidate: (ref) =>
      [live, ...(opts.candidates ?? [])].find((c) => c.module === ref.module && c.codeHash === ref.codeHash) ?? null,
  });
  const of = <K extends StrategyEvent['kind']>(kind: K) =>
    events.filter((e): e is Extract<ExecEvent, { kind: K }> => e.kind === kind);
  /** Signal quantities (lots) sent after `t`. */
  const sentAfter = (t: number) =>
    commands
      .filter((c) => c.at > t && c.command.kind === 'EmitSignal')
      .map((c) => (c.command as { signal: { qty: number } }).signal.qty);
  return { clock, slot, events, commands, of, sentAfter, run: (ms: number) => clock.advanceTo(clock.now() + ms) };
}

const ask = (candidate: Instantiable, over: Partial<SwapRequest> = {}): SwapRequest => ({
  candidate,
  samples: 20,
  timeoutMs: 60_000,
  thresholds: DEFAULT_THRESHOLDS,
  override: false,
  actor: 'ops',
  reason: 'new model',
  ...over,
});

const series = (n: number) =>
  fc.array(
    fc.integer({ min: -5000, max: 5000 }).map((x) => x / 1000),
    { minLength: n, maxLength: n },
  );

describe('a swap never makes a rejected model live', () => {
  it('the live strategy after the decision is the candidate iff the comparison passed or an operator overrode it', () => {
    const N = 12;
    // The candidate's scores: independent, the live ones rescaled with noise, constant, or close.
    const pair = series(N).chain((a) =>
      fc.tuple(
        fc.constant(a),
        fc.oneof(
          series(N),
          fc
            .tuple(fc.double({ min: -2, max: 2, noNaN: true }), series(N))
            .map(([k, noise]) => a.map((x, i) => x * k + (noise[i] as number) * 0.1)),
          fc.integer({ min: -3, max: 3 }).map((c) => a.map(() => c)),
          {
            weight: 3,
            arbitrary: fc
              .tuple(fc.integer({ min: 80, max: 120 }), series(N))
              .map(([k, noise]) => a.map((x, i) => (x * k) / 100 + (noise[i] as number) * 0.05)),
          },
        ),
      ),
    );
    fc.assert(
      fc.property(pair, fc.integer({ min: 0, max: 3 }), ([a, b], dice) => {
        const override = dice === 0;
        const w = world(scripted({ name: 'old', scores: a, qty: 0.001 }));
        w.slot.start();
        const answer = w.slot.request(ask(scripted({ name: 'new', scores: b, qty: 0.002 }), { samples: N, override }));
        w.run(QUOTE_MS * (N + 5));
        const decided = w.of('StrategySwapDecided');
        expect(decided).toHaveLength(1);
        const passed = compareOutputs(a, b, DEFAULT_THRESHOLDS).passed;
        const swapped = override || passed;
        expect(answer.outcome).toBe(override ? 'accepted' : 'shadow');
        expect(decided[0]?.decision).toBe(swapped ? 'accepted' : 'rejected');
        expect(w.slot.status().live.name).toBe(swapped ? 'new' : 'old');
        // What left: the old one's lots (1) until the decision, then only the live one's.
        const sent = w.sentAfter(START);
        expect(sent.includes(2)).toBe(swapped);
        if (swapped) expect(sent.slice(-3)).toEqual([2, 2, 2]);
        else expect(sent.every((q) => q === 1)).toBe(true);
        if (!override) {
          expect(decided[0]).toMatchObject({ basis: 'scores', samples: N });
          expect(w.sentAfter(START).filter((q) => q === 1)).toHaveLength(swapped ? N : N + 5);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('swaps', () => {
  it('logs the request and the decision with the comparison, and the candidate starts in the shadow role', () => {
    const a = [1, -1, 2, -2, 0.5];
    const w = world(scripted({ name: 'old', scores: a, qty: 0.001 }));
    w.slot.start();
    w.slot.request(ask(scripted({ name: 'new', scores: a.map((x) => -x) }), { samples: 5 }));
    expect(w.slot.status().shadow).toEqual({ swap: 1, candidate: 'new', samples: 0, of: 5 });
    w.run(QUOTE_MS * 10);
    expect(w.of('StrategyStarted').map((e) => [e.name, e.role])).toEqual([
      ['old', 'live'],
      ['new', 'shadow'],
    ]);
    expect(w.of('StrategySwapRequested')).toEqual([
      {
        kind: 'StrategySwapRequested',
        swap: 1,
        name: 'old',
        candidate: 'new',
        module: './new.ts',
        codeHash: 'hash-new',
        params: '{"qty":null}',
        samples: 5,
        timeoutMs: 60_000,
        minCorrelation: '0.5000',
        maxMeanDifference: '0.5000',
        actor: 'ops',
        override: false,
        reason: 'new model',
      },
    ]);
    expect(w.of('StrategySwapDecided')).toEqual([
      {
        kind: 'StrategySwapDecided',
        swap: 1,
        name: 'old',
        candidate: 'new',
        decision: 'rejected',
        basis: 'scores',
        samples: 5,
        correlation: '-1.0000',
        meanDifference: '2.0000',
        signChanges: 5,
        range: { live: ['-2.0000', '2.0000'], candidate: ['-2.0000', '2.0000'] },
        reason: 'correlation -1.0000 is below 0.5000',
      },
    ]);
    expect(w.slot.status()).toMatchObject({ live: { name: 'old', running: true }, shadow: null });
    // The shadow never sent anything, and made no event of its own past its start.
    expect(w.commands.every((c) => c.command.kind === 'EmitSignal')).toBe(true);
  });

  it('refuses a swap while another is in shadow, saying which, and lets the first one finish', () => {
    const a = [1, 2, 3, 1];
    const w = world(scripted({ name: 'old', scores: a }));
    w.slot.start();
    w.slot.request(ask(scripted({ name: 'new', scores: a }), { samples: 8 }));
    w.run(QUOTE_MS * 3);
    const second = w.slot.request(ask(scripted({ name: 'other', scores: a }), { override: true }));
    expect(second).toMatchObject({ outcome: 'refused', swap: 2 });
    expect(second.outcome === 'refused' && second.reason).toMatch(
      /^swap 1 \(candidate new\) is in shadow since 2023-11-14T22:13:20.000Z with 3 of 8 samples: one swap at a time/,
    );
    w.run(QUOTE_MS * 10);
    expect(w.of('StrategySwapDecided').map((d) => [d.swap, d.decision, d.basis])).toEqual([
      [2, 'refused', null],
      [1, 'accepted', 'scores'],
    ]);
    expect(w.slot.status().live.name).toBe('new');
  });

  it('rejects a candidate that throws, without touching the kill switch, and the old one trades on', () => {
    const w = world(scripted({ name: 'old', scores: [1, 2], qty: 0.001 }));
    w.slot.start();
    w.slot.request(ask(scripted({ name: 'new', scores: [1, 2], throwAt: 3 })));
    w.run(QUOTE_MS * 10);
    const [d] = w.of('StrategySwapDecided');
    expect(d).toMatchObject({
      decision: 'rejected',
      samples: 2,
      reason: 'the candidate failed (quote): model file corrupt',
    });
    expect(w.of('StrategyFailed')).toEqual([]);
    expect(w.commands.some((c) => c.command.kind === 'SetKillSwitch')).toBe(false);
    expect(w.sentAfter(START)).toHaveLength(10);
  });

  it('rejects a candidate that gives too few samples in time (still warming up)', () => {
    const w = world(scripted({ name: 'old', scores: [1, 2] }));
    w.slot.start();
    w.slot.request(ask(scripted({ name: 'new', scores: [1, 2], warmup: { seconds: 3600 } }), { timeoutMs: 5_000 }));
    w.run(6_000);
    expect(w.of('StrategySwapDecided')).toMatchObject([
      {
        decision: 'rejected',
        samples: 0,
        correlation: null,
        reason: 'only 0 of 20 samples within 5000 ms: the candidate was not validated',
      },
    ]);
    expect(w.slot.status().live.name).toBe('old');
  });

  it('abandons the swap when the live strategy fails in the shadow; then only an override can swap', () => {
    const w = world(scripted({ name: 'old', scores: [1, 2], throwAt: 4 }));
    w.slot.start();
    w.slot.request(ask(scripted({ name: 'new', scores: [1, 2] })));
    w.run(QUOTE_MS * 10);
    expect(w.of('StrategyFailed').map((e) => e.name)).toEqual(['old']);
    expect(w.of('StrategySwapDecided')).toMatchObject([
      {
        decision: 'abandoned',
        samples: 3,
        reason: 'the live strategy failed (quote) while the candidate was in shadow',
      },
    ]);
    const refused = w.slot.request(ask(scripted({ name: 'new', scores: [1, 2] })));
    expect(refused.outcome === 'refused' && refused.reason).toMatch(
      /has stopped \(it failed\): there is nothing to compare with/,
    );
    expect(w.slot.request(ask(scripted({ name: 'new', scores: [1, 2], qty: 0.002 }), { override: true })).outcome).toBe(
      'accepted',
    );
    const t = w.clock.now();
    w.run(QUOTE_MS * 3);
    expect(w.sentAfter(t)).toEqual([2, 2, 2]);
    expect(w.slot.running).toBe(true);
  });

  it('refuses a candidate that samples the market differently', () => {
    const w = world(scripted({ name: 'old' }));
    w.slot.start();
    const a = w.slot.request(ask(scripted({ name: 'new', quoteMs: 250 }), { override: true }));
    expect(a.outcome === 'refused' && a.reason).toBe(
      'the candidate samples quotes every 250 ms and closes 60000 ms bars, the live strategy 100 ms and 60000 ms: a swap keeps the feed (feed.quoteMs, feed.barMs, feed.bars)',
    );
    expect(w.of('StrategyStarted')).toHaveLength(1);
  });

  it('compares would-be signals when the strategies report no scores: the same signals pass, others do not', () => {
    const same = world(scripted({ name: 'old', qty: 0.001, signalAt: [2, 5, 6, 9, 12] }));
    same.slot.start();
    same.slot.request(ask(scripted({ name: 'new', qty: 0.001, signalAt: [2, 5, 6, 9, 12] }), { samples: 4 }));
    same.run(QUOTE_MS * 15);
    expect(same.of('StrategySwapDecided')).toMatchObject([{ decision: 'accepted', basis: 'signals', samples: 4 }]);

    const other = world(scripted({ name: 'old', qty: 0.001, signalAt: [2, 5, 6, 9, 12] }));
    other.slot.start();
    other.slot.request(ask(scripted({ name: 'new', qty: 0.001, signalAt: [3, 4, 7, 8, 10] }), { samples: 4 }));
    other.run(QUOTE_MS * 15);
    expect(other.of('StrategySwapDecided')).toMatchObject([{ decision: 'rejected', basis: 'signals', samples: 4 }]);
  });
});

describe('a shadow whose history answers later (a live venue)', () => {
  it('holds the live samples it is handed until its history is in, so it sees its market in time order', () => {
    // History answers 350 ms after it is asked, with a quote every 100 ms of the second before.
    const history = (clock: VirtualClock): HistorySource => ({
      read(symbol, _span, until, done) {
        clock.schedule(() => {
          const samples = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((k) => ({
            quote: { symbol, time: until - k * 100, bid: 60000, ask: 60000.02, bidSize: 1, askSize: 1, mid: 60000.01 },
            trades: null,
            bars: [],
          }));
          done({ samples, source: 'a venue' });
        }, 350);
      },
    });
    const seen: number[] = [];
    const w = world(scripted({ name: 'old', scores: [1, 2, 3] }), { history });
    w.slot.start();
    w.run(1_000);
    const asked = w.clock.now();
    w.slot.request(ask(scripted({ name: 'new', scores: [1, 2, 3], warmup: { seconds: 1 }, seen }), { samples: 5 }));
    w.run(1_000);
    expect(seen.slice(0, 10)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((k) => asked - k * 100));
    // The three rounds it was handed while its history was read come after it, then the rest.
    expect(seen.slice(10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => asked + k * 100));
  });
});

describe('a restart', () => {
  const entry = (seq: number, event: ExecEvent): LogEntry => ({ seq, time: START, event }) as LogEntry;
  const requested = (swap: number, candidate: Instantiable) =>
    ({
      kind: 'StrategySwapRequested',
      swap,
      name: 'old',
      candidate: candidate.definition.name,
      module: candidate.module,
      codeHash: candidate.codeHash,
      params: candidate.paramsJson,
      samples: 20,
      timeoutMs: 60_000,
      minCorrelation: '0.5000',
      maxMeanDifference: '0.5000',
      actor: 'ops',
      override: false,
      reason: 'x',
    }) as const;

  it('abandons a swap the last process left in shadow: logged, and the old strategy starts', () => {
    const candidate = scripted({ name: 'new' });
    const w = world(scripted({ name: 'old' }), { prior: [entry(1, requested(1, candidate))], candidates: [candidate] });
    w.slot.start();
    expect(w.of('StrategySwapDecided')).toMatchObject([
      { swap: 1, decision: 'abandoned', candidate: 'new', basis: null },
    ]);
    expect(w.of('StrategySwapDecided')[0]?.reason).toMatch(/^the process restarted while the candidate was in shadow/);
    expect(w.slot.status().live.name).toBe('old');
    // Numbering goes on from the log.
    expect(w.slot.request(ask(candidate)).swap).toBe(2);
  });

  it('starts the candidate an accepted swap put live', () => {
    const candidate = scripted({ name: 'new', qty: 0.002 });
    const decided = {
      kind: 'StrategySwapDecided',
      swap: 1,
      name: 'old',
      candidate: 'new',
      decision: 'accepted',
      basis: 'scores',
      samples: 20,
      correlation: '1.0000',
      meanDifference: '0.0000',
      signChanges: 0,
      range: null,
      reason: 'x',
    } as const;
    const w = world(scripted({ name: 'old', qty: 0.001 }), {
      prior: [entry(1, requested(1, candidate)), entry(2, decided)],
      candidates: [candidate],
    });
    w.slot.start();
    w.run(QUOTE_MS * 2);
    expect(w.of('StrategyStarted').map((e) => [e.name, e.module, e.role])).toEqual([['new', './new.ts', 'live']]);
    expect(w.sentAfter(START)).toEqual([2, 2]);
    expect(w.of('StrategySwapDecided')).toEqual([]);
  });

  it('fails at start when the strategy an accepted swap put live cannot be had again', () => {
    const gone = scripted({ name: 'gone' });
    const decided = { kind: 'StrategySwapDecided', swap: 1, decision: 'accepted' } as unknown as ExecEvent;
    const w = world(scripted({ name: 'old' }), { prior: [entry(1, requested(1, gone)), entry(2, decided)] });
    w.slot.start();
    expect(w.of('StrategyFailed')).toMatchObject([{ name: 'gone', phase: 'start' }]);
    expect(w.commands.map((c) => c.command.kind)).toEqual(['SetKillSwitch']);
    expect(w.slot.running).toBe(false);
  });
});
