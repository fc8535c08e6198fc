// The scripted venue (test/support/scripted-venue) as a broker contract backend: seeded from the
// venue's fixture (its book, account and instrument) on a VirtualClock, with the fixture's faults
// played by the simulator's own fault schedule through the venue's script. That the tests' venue
// passes the contract is what lets a test built on it speak for a real one.
import { readFileSync } from 'node:fs';
import { Rng } from '../../../src/core/clock/rng.ts';
import { VirtualClock } from '../../../src/core/clock/virtual-clock.ts';
import { makeInstrument, priceToTicks, qtyToLots } from '../../../src/core/model/instrument.ts';
import { parseDurationMs, parseUtcInstant } from '../../../src/core/model/time-fields.ts';
import { parseScenario } from '../../../src/scenario/load-scenario.ts';
import { FaultSchedule, type FaultSpec } from '../../../src/sim/faults.ts';
import { ScriptedVenue, type Fate } from '../scripted-venue/scripted-venue.ts';
import { recorder, scenarioText, virtualUntil, type BackendFactory } from './backend.ts';
import type { ContractVenue } from './contract-venue.ts';

const STREAM = new Set(['FillReport', 'ExpiredReport']);

export function scriptedBackend(venue: ContractVenue): BackendFactory {
  return {
    name: `scripted venue on ${venue.rules.id}`,
    venue,
    unsupported: {
      'stream reconnect: reported, and an order filled in the gap is listed':
        'the scripted venue has no connection: its pushes cannot drop as a stream does (a test loses them through its script instead)',
      "a lookup never finds another run's order under the same local id":
        "the scripted venue serves one run: its orders are all the run's, with no client id namespace to keep another run's apart",
    },
    knownViolations: {},
    async create(options = {}) {
      const text = scenarioText(readFileSync(venue.fixture, 'utf8'), options.faults);
      const s = parseScenario(text, venue.fixture).scenario;
      if (s.market.model !== 'static_book') throw new Error(`${venue.fixture}: the scripted venue needs a static book`);
      const start = parseUtcInstant(s.start);
      const clock = new VirtualClock(start);
      const inst = makeInstrument(s.instrument);
      const level = ([price, qty]: readonly [string, string]): [number, number] => [
        priceToTicks(inst, price),
        qtyToLots(inst, qty),
      ];
      const specs = s.faults.map((f): FaultSpec => {
        if (f.kind === 'price_jump') throw new Error('the scripted venue plays no price jumps');
        return { ...f, from: start + parseDurationMs(f.from), until: start + parseDurationMs(f.until) } as FaultSpec;
      });
      const faults = new FaultSchedule(specs, new Rng(s.seed));
      const fate = (submit: boolean): Fate => {
        const f = faults.requestFate(clock.now(), submit);
        switch (f.kind) {
          case 'deliver':
            return 'answer';
          case 'rate_limited':
            return 'rate_limited';
          case 'timeout':
            return { lostAfterMs: f.timeoutMs, received: f.received };
          case 'server_error':
            return { lostAfterMs: 2, received: f.received };
          case 'rejected':
            throw new Error('the scripted venue plays no reject windows');
        }
      };
      const account = s.venue.account;
      const v = new ScriptedVenue({
        clock,
        rules: venue.rules,
        symbol: venue.symbol,
        bids: s.market.bids.map(level),
        asks: s.market.asks.map(level),
        quote: account ? priceToTicks(inst, account.quote) * qtyToLots(inst, '1') : 0,
        minNotionalUnits: inst.minNotionalUnits,
        script: {
          latencyMs: 1,
          fate: (call) => fate(call.call === 'submit'),
          pushLost: (m) => STREAM.has(m.kind) && faults.reportFate(clock.now()).kind === 'lose',
        },
      });
      const { reports, handler, listen } = recorder(options.tap);
      v.setReportHandler(handler);
      const until = virtualUntil(clock, 'scripted');
      return {
        name: 'scripted',
        broker: v,
        venue,
        reports,
        now: () => clock.now(),
        clock,
        listen,
        startedAt: start,
        until,
        settle: async () => void clock.advanceBy(1_000),
        marketTrade: (price, qty, aggressor) => v.marketTrade(price, qty, aggressor),
        close: async () => {},
      };
    },
  };
}
