// The TWAP path as the engine wires it (parent starter, slice scheduler, slice sender, the real
// kill switch, circuit breaker and guard), with a guard that counts what it is asked: over random
// TWAPs with the kill switch and the breaker flipped at random times, the guard decides exactly
// once for every slice that goes out and once for every slice it holds back, and never again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../clock/rng.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { parentOrderId, type ClientOrderId, type Symbol } from '../model/ids.ts';
import { makeInstrument } from '../model/instrument.ts';
import { InstrumentSet } from '../model/instrument-set.ts';
import type { Side } from '../model/order.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../ports/broker.ts';
import { BreakerFeed } from '../risk/breaker-feed.ts';
import { CircuitBreaker } from '../risk/circuit-breaker.ts';
import { KillSwitch } from '../risk/kill-switch.ts';
import { record } from './append-and-fold.ts';
import { ChildOrders } from './child-orders.ts';
import type { EngineDeps } from './engine-types.ts';
import { ParentCompletion } from './parent-completion.ts';
import { ParentStarter } from './parent-start.ts';
import { RunningTwaps } from './running-twaps.ts';
import { SendGuard } from './send-guard.ts';
import { SliceSender } from './slice-sender.ts';

const START = Date.UTC(2024, 7, 9);
const inst = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '0' });

type Flip = { readonly at: number; readonly to: 'halted' | 'reducing' | 'active' | 'trip' | 'reset' };
type Twap = {
  readonly at: number;
  readonly side: Side;
  readonly qty: number;
  readonly limit: boolean;
  readonly slices: number;
  readonly durationMs: number;
  readonly carry: boolean;
};

/** Runs the TWAPs and the flips to the end; returns the logged events and the guard's answers
 *  by the order each was asked about. */
function run(twaps: readonly Twap[], flips: readonly Flip[]) {
  const clock = new VirtualClock(START);
  const log = new EventLog(clock);
  const ledger = new OrderLedger();
  const events: ExecEvent[] = [];
  const rec = (e: ExecEvent): void => {
    events.push(e);
    record(log, ledger, e);
  };
  const broker: Broker = {
    clientIdMaxLength: 36,
    ordersSinceBy: 'updated',
    setReportHandler: () => {},
    submit: () => {},
    cancel: () => {},
    queryOrder: () => {},
    queryOpenOrders: () => {},
    queryOrdersSince: () => {},
    queryAccount: () => {},
  };
  const marketData: MarketDataPort = {
    topOfBook: () => ({ bid: 99, bidQty: 10_000, ask: 101, askQty: 10_000 }),
    window: () => ({ vwap: null, twapMid: null, volume: 0 }),
    lastUpdateAt: () => clock.now(),
  };
  const instruments = InstrumentSet.of([inst]);
  const engine: EngineDeps = {
    clock,
    log,
    ledger,
    broker,
    marketData,
    instrument: inst,
    instruments,
    rng: new Rng(7),
    routing: {
      twapThresholdUnits: 0,
      defaultTwap: { durationMs: 60_000, sliceCount: 2, unfilled: 'carry', stops: STOPS },
    },
  };
  const twapsRunning = new RunningTwaps();
  const completion = new ParentCompletion({ clock, ledger, marketData, twaps: twapsRunning, record: rec });
  const children = new ChildOrders({ log, ledger, broker, fills: null, twaps: twapsRunning, completion, record: rec });
  const killSwitch = new KillSwitch((e) => {
    rec(e);
    if (e.state === 'halted') children.cancelWorking('kill switch halted');
  });
  const breaker = new CircuitBreaker(rec);
  const breakerFeed = new BreakerFeed(breaker, marketData, instruments, ledger);
  const guard = new SendGuard({ clock, ledger, instrument: inst, instruments, killSwitch, breaker, breakerFeed });
  const asked = new Map<ClientOrderId | undefined, Array<string | null>>();
  const counting = {
    blocks(side: Side, qty: number, self?: ClientOrderId, symbol?: Symbol): string | null {
      const answer = guard.blocks(side, qty, self, symbol);
      asked.set(self, [...(asked.get(self) ?? []), answer]);
      return answer;
    },
    readMarket: () => guard.readMarket(),
  };
  const sender = new SliceSender({
    clock,
    log,
    ledger,
    broker,
    marketData,
    guard: counting,
    children,
    fills: null,
    twaps: twapsRunning,
    record: rec,
  });
  const starter = new ParentStarter({
    engine,
    instruments,
    sender,
    twaps: twapsRunning,
    completion,
    liquidity: null,
    recordLiquidity: () => {},
    record: rec,
  });
  twaps.forEach((t, i) =>
    clock.post(
      () =>
        starter.start({
          parentId: parentOrderId(`p${i}`),
          side: t.side,
          qty: t.qty,
          type: t.limit ? 'limit' : 'market',
          tif: t.limit ? 'GTC' : 'IOC',
          route: 'twap',
          twap: {
            durationMs: t.durationMs,
            sliceCount: t.slices,
            unfilled: t.carry ? 'carry' : 'drop',
            stops: STOPS,
          },
          source: 'test',
        }),
      t.at,
    ),
  );
  for (const f of flips) {
    clock.post(() => {
      if (f.to === 'trip') breaker.trip('test');
      else if (f.to === 'reset') breaker.reset('test', 'test');
      else killSwitch.set(f.to, 'test', 'test');
    }, f.at);
  }
  clock.advanceBy(10 * 60_000);
  return { events, asked };
}

const STOPS = { maxSpread: 1, maxPriceDeviation: 1, minLiquidity: 0 };

const twapArb: fc.Arbitrary<Twap> = fc.record({
  at: fc.integer({ min: 0, max: 60_000 }),
  side: fc.constantFrom<Side>('buy', 'sell'),
  qty: fc.integer({ min: 1, max: 400 }),
  limit: fc.boolean(),
  slices: fc.integer({ min: 1, max: 12 }),
  durationMs: fc.integer({ min: 10_000, max: 240_000 }),
  carry: fc.boolean(),
});
const flipArb: fc.Arbitrary<Flip> = fc.record({
  at: fc.integer({ min: 0, max: 300_000 }),
  to: fc.constantFrom<Flip['to']>('halted', 'reducing', 'active', 'trip', 'reset'),
});

describe('the slice sender', () => {
  it('asks the guard exactly once per slice it sends or the guard holds back, over random TWAPs and flips', () => {
    fc.assert(
      fc.property(
        fc.array(twapArb, { minLength: 1, maxLength: 3 }),
        fc.array(flipArb, { maxLength: 6 }),
        (twaps, flips) => {
          const { events, asked } = run(twaps, flips);
          const sent = events.flatMap((e) => (e.kind === 'SubmitOrder' ? [e.clientOrderId] : []));
          const held = events.flatMap((e) =>
            e.kind === 'SliceSkipped' && /^(kill switch|circuit breaker)/.test(e.reason) ? [e.reason] : [],
          );
          // Every send was cleared by exactly one answer about that order, and the guard was
          // asked about nothing else but the slices it held back.
          for (const id of sent) expect(asked.get(id)).toEqual([null]);
          const answers = [...asked.values()].flat();
          expect(answers.filter((a) => a === null)).toHaveLength(sent.length);
          expect(answers.filter((a) => a !== null).sort()).toEqual([...held].sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sends on a quiet path and holds every slice back while the kill switch is halted', () => {
    const twap: Twap = { at: 0, side: 'buy', qty: 100, limit: false, slices: 4, durationMs: 40_000, carry: true };
    const quiet = run([twap], []);
    expect(quiet.events.filter((e) => e.kind === 'SubmitOrder')).toHaveLength(4);
    const halted = run([twap], [{ at: 0, to: 'halted' }]);
    expect(halted.events.filter((e) => e.kind === 'SubmitOrder')).toHaveLength(0);
    expect([...halted.asked.values()].flat()).toEqual(Array(4).fill('kill switch halted'));
  });
});
