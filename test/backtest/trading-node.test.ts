// The trading node driven only by commands, on the virtual clock against the simulated venue:
// each command's typed answer agrees with the events it logged, refusals name their check, and
// status() reports the gate, safety state and open parents.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import type { ExecEvent } from '../../src/core/model/events.ts';
import { clientOrderId, parentOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument, qtyToLots } from '../../src/core/model/instrument.ts';
import { parseUtcInstant } from '../../src/core/model/time-fields.ts';
import { OrderLedger } from '../../src/core/order/order-ledger.ts';
import type { TwapParams } from '../../src/core/engine/engine-types.ts';
import type { NodeCommand } from '../../src/node/node-commands.ts';
import { ProcessLife } from '../../src/node/process-life.ts';
import { TradingNode } from '../../src/node/trading-node.ts';
import { UnitBroker, UnitClock } from '../../src/node/unit-runner.ts';
import { buildVenue } from '../../src/scenario/build-venue.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { nodeConfigOf } from '../../src/scenario/node-config-of.ts';

const SCENARIO = `
name: node-commands
seed: 5
venue: { name: binance-spot, latency: { orderEntry: 10, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT10M
market: { model: synthetic, initialPrice: "61000.00", volatility: 0.2, stepMs: 200, spreadTicks: 2, depth: ["0.5", "0.8", "1.0"], trades: { ratePerSec: 2, meanQty: "0.02" } }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
`;

function node() {
  const s = parseScenario(SCENARIO, 'node-commands.yaml').scenario;
  const instrument = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const clock = new VirtualClock(start);
  const rng = new Rng(s.seed);
  const log = new EventLog(clock);
  const events: ExecEvent[] = [];
  log.addSink({ write: (e) => void events.push(e.event) });
  const life = new ProcessLife(() => {});
  const built = buildVenue(s, 'node-commands.yaml', clock, rng, instrument, start, (e) => n.record(e));
  const ledger = new OrderLedger();
  const config = nodeConfigOf(s, instrument);
  const n: TradingNode = new TradingNode({
    config,
    clock: new UnitClock(clock, life),
    broker: new UnitBroker(built.venue, life),
    marketData: built.venue,
    log,
    ledger,
    rng: rng.stream('engine'),
    sampleOrigin: start,
    prior: [],
  });
  n.start(start, false, () => {});
  built.start();
  clock.advanceTo(start + 1_000);
  const handle = (c: NodeCommand) => {
    let result: ReturnType<TradingNode['handle']> | undefined;
    life.run(() => (result = n.handle(c)), undefined);
    return result!;
  };
  return {
    n,
    clock,
    start,
    events,
    ledger,
    handle,
    twap: config.routing.defaultTwap,
    lots: (q: string) => qtyToLots(instrument, q),
  };
}

const parent = (id: string, qty: number, twap?: TwapParams): NodeCommand => ({
  kind: 'SubmitParent',
  request: {
    parentId: parentOrderId(id),
    side: 'buy',
    qty,
    type: 'market',
    tif: 'IOC',
    route: twap ? 'twap' : 'single',
    ...(twap ? { twap } : {}),
    source: 'scenario-order',
  },
  confirmations: [],
  confirmedBy: null,
});

describe('TradingNode commands', () => {
  it('accepts a parent with its ids, refuses the same parent again as a duplicate, and reports it open', () => {
    const { n, handle, lots, events } = node();
    const first = handle(parent('p1', lots('0.01')));
    expect(first.outcome).toBe('accepted');
    expect(first.outcome === 'accepted' && first.ids[0]).toBe('p1');
    expect(events.some((e) => e.kind === 'ParentOrderCreated')).toBe(true);
    expect(n.status().openParents).toEqual(['p1']);
    const again = handle(parent('p1', lots('0.01')));
    expect(again).toMatchObject({ outcome: 'refused', check: 'pre_trade', code: 'duplicate-parent' });
    expect(events.filter((e) => e.kind === 'ParentRejected')).toHaveLength(1);
  });

  it('refuses what it cannot act on, naming the check, and logs nothing for it', () => {
    const { handle, events } = node();
    const before = events.length;
    expect(handle({ kind: 'CancelParent', parentId: parentOrderId('nope'), reason: 'x' })).toMatchObject({
      outcome: 'refused',
      code: 'unknown-parent',
    });
    expect(handle({ kind: 'CancelOrder', clientOrderId: clientOrderId('nope'), reason: 'x' })).toMatchObject({
      outcome: 'refused',
      code: 'unknown-order',
    });
    expect(handle({ kind: 'ForceReady', actor: 'ops', reason: 'x' })).toMatchObject({
      outcome: 'refused',
      code: 'already-ready',
    });
    expect(events.length).toBe(before);
  });

  it('a halted kill switch refuses a signal at the guards; status shows it; a stopped node refuses everything', () => {
    const { n, handle, lots } = node();
    expect(handle({ kind: 'SetKillSwitch', state: 'halted', actor: 'ops', reason: 'drill' }).outcome).toBe('accepted');
    expect(n.status().killSwitch).toBe('halted');
    const signal = handle({
      kind: 'EmitSignal',
      signal: {
        signalId: 's1',
        side: 'buy',
        qty: lots('0.01'),
        price: null,
        route: 'single',
        reduceOnly: false,
        confirmations: [],
        confirmedBy: null,
      },
    });
    expect(signal).toMatchObject({ outcome: 'refused', check: 'guards' });
    expect(handle({ kind: 'TripBreaker', actor: 'ops', reason: 'drill' }).outcome).toBe('accepted');
    expect(n.status().breaker.tripped).toBe(true);
    n.stop();
    expect(handle({ kind: 'ResetBreaker', actor: 'ops', reason: 'x' })).toMatchObject({ code: 'stopped' });
    expect(n.status().breaker.tripped).toBe(true);
  });

  it('cancels a single order through its parent, and refuses to cancel one TWAP slice alone', () => {
    const { handle, lots, ledger, clock, start, twap } = node();
    const resting: NodeCommand = {
      kind: 'SubmitParent',
      request: {
        parentId: parentOrderId('single'),
        side: 'buy',
        qty: lots('0.01'),
        type: 'limit',
        tif: 'GTC',
        limitPrice: 6_090_000,
        route: 'single',
        source: 'scenario-order',
      },
      confirmations: [],
      confirmedBy: null,
    };
    expect(handle(resting).outcome).toBe('accepted');
    const order = [...ledger.orders.keys()][0]!;
    clock.advanceTo(start + 2_000);
    expect(handle({ kind: 'CancelOrder', clientOrderId: order, reason: 'ops' })).toMatchObject({
      outcome: 'accepted',
      ids: ['single', order],
    });
    expect(handle(parent('twap', lots('0.04'), twap)).outcome).toBe('accepted');
    clock.advanceTo(start + 3_000);
    const slice = ledger.childrenOf(parentOrderId('twap'))[0]!.request.clientOrderId;
    expect(handle({ kind: 'CancelOrder', clientOrderId: slice, reason: 'ops' })).toMatchObject({
      outcome: 'refused',
      code: 'slice-of-parent',
    });
  });
});
