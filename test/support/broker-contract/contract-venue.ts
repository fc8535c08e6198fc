// What a venue hands the broker contract suite: its rules, a static-book fixture, the symbol, the
// quantity unit and the prices the cases place orders at. The cases are written once against a
// book of one shape (below) and branch only on what the rules declare (venueDifferences), never
// on a venue's name; the suite checks the declared prices against the fixture's book.
import { readFileSync } from 'node:fs';
import { makeInstrument, priceToTicks, qtyToLots, type Instrument } from '../../../src/core/model/instrument.ts';
import type { OrderType, TimeInForce } from '../../../src/core/model/order.ts';
import type { CancelRejectReport } from '../../../src/core/model/reports.ts';
import { refusal, type VenueRules } from '../../../src/core/venues/venue-rules.ts';
import { parseScenario } from '../../../src/scenario/load-scenario.ts';

/**
 * Prices in ticks. The fixture's book, in units (ContractVenue.unit lots): bids `bid` 20 and one
 * lower level; asks `ask` 10, `ask2` 100 and one higher level.
 */
export interface ContractPrices {
  readonly bid: number;
  readonly ask: number;
  readonly ask2: number;
  /** Above `ask`, below `ask2`: a buy there takes the best ask and rests. */
  readonly betweenAsks: number;
  /** Inside the spread: a buy there is alone at its price, first for a sell trade. */
  readonly inside: number;
  /** Above the bid, below `inside`: a sell trade here goes through a buy at `inside`. */
  readonly belowInside: number;
  /** Below the bid, highest first: buys that rest. */
  readonly rest: readonly [number, number, number];
  /** Far below `rest`: buys that rest untouched, a tick or more apart upwards from here. */
  readonly far: number;
}

export interface ContractVenue {
  /** What the cases branch on. */
  readonly rules: VenueRules;
  /** The scenario every case runs against; a case appends its `faults:`. */
  readonly fixture: string;
  readonly symbol: string;
  /** Lots in one unit: every quantity in the cases is a whole number of units, and one unit at
   *  any price the cases use clears the venue's minimum notional. */
  readonly unit: number;
  readonly prices: ContractPrices;
}

/** The differences between venues the cases must expect, each read from the rules. */
export interface VenueDifferences {
  /** A client id may be used again once its order is finished ('open-orders' uniqueness). */
  readonly reusesFinishedClientIds: boolean;
  /**
   * The classes a refusal of a cancel of a filled or cancelled order may have: not_cancelable
   * where the venue says the order is finished; where it answers as for an unknown order
   * (Binance's -2011 "Unknown order sent."), not_found (the venue's word, as a simulator of it
   * answers) or not_cancelable (an adapter that looks the order up after that answer and finds it
   * finished). Never transient: asking again changes nothing.
   */
  readonly finishedCancelFailures: ReadonlyArray<CancelRejectReport['failure']>;
  /** Whether the venue answers a cancel of a finished order as for an unknown one. */
  readonly finishedLooksUnknown: boolean;
  /** Order types (with a time in force) the venue takes. */
  takes(type: OrderType, tif?: TimeInForce): boolean;
}

export function venueDifferences(rules: VenueRules): VenueDifferences {
  const finished =
    rules.errors['cancel-finished-order'] !== undefined ? 'cancel-finished-order' : 'cancel-unknown-order';
  const failure = refusal(rules, finished, { status: 'filled' }).failure;
  if (failure !== 'not_cancelable' && failure !== 'not_found')
    throw new Error(`${rules.id}: a cancel of a finished order refused as ${failure}`);
  return {
    reusesFinishedClientIds: rules.clientIdUniqueness === 'open-orders',
    finishedCancelFailures: failure === 'not_found' ? ['not_found', 'not_cancelable'] : [failure],
    finishedLooksUnknown: failure === 'not_found',
    takes: (type, tif) => {
      const rule = rules.orderTypes[type];
      if (rule === undefined) return false;
      return tif === undefined || rule.timesInForce === 'not-sent' || rule.timesInForce.includes(tif);
    },
  };
}

/** The instrument of the venue's fixture (tick, lot and minimum notional). */
export function fixtureInstrument(venue: ContractVenue): Instrument {
  return makeInstrument(parseScenario(readFileSync(venue.fixture, 'utf8'), venue.fixture).scenario.instrument);
}

/** Where the declared parameters disagree with the fixture's book and instrument (empty: none). */
export function fixtureMismatches(venue: ContractVenue, text: string): string[] {
  const s = parseScenario(text, venue.fixture).scenario;
  const inst = makeInstrument(s.instrument);
  const out: string[] = [];
  const want = (what: string, ok: boolean): void => void (ok || out.push(what));
  want(`the fixture's venue is ${venue.rules.id}`, s.venue.name === venue.rules.id);
  want(`the fixture's symbol is ${venue.symbol}`, s.instrument.symbol === venue.symbol);
  if (s.market.model !== 'static_book') return [...out, 'the fixture is a static book'];
  const level = (l: readonly [string, string] | undefined) =>
    l === undefined ? null : [priceToTicks(inst, l[0]), qtyToLots(inst, l[1]) / venue.unit];
  const { bids, asks } = s.market as { bids: Array<[string, string]>; asks: Array<[string, string]> };
  const p = venue.prices;
  want('bids: `bid` 20 units, then one lower level', JSON.stringify(level(bids[0])) === JSON.stringify([p.bid, 20]));
  want('asks: `ask` 10 units', JSON.stringify(level(asks[0])) === JSON.stringify([p.ask, 10]));
  want('asks: then `ask2` 100 units', JSON.stringify(level(asks[1])) === JSON.stringify([p.ask2, 100]));
  want('two bid and three ask levels', bids.length === 2 && asks.length === 3);
  want('bid < belowInside < inside < ask', p.bid < p.belowInside && p.belowInside < p.inside && p.inside < p.ask);
  want('ask < betweenAsks < ask2', p.ask < p.betweenAsks && p.betweenAsks < p.ask2);
  want('far < rest[2] < rest[1] < rest[0] < bid', p.far < p.rest[2] && p.rest[2] < p.rest[1] && p.rest[1] < p.rest[0]);
  want('rest[0] < bid', p.rest[0] < p.bid);
  want('one unit at `far` clears the minimum notional', venue.unit * p.far >= inst.minNotionalUnits);
  return out;
}
