// An event's payload as a person reads it (`execsim events`, the pages): the log's integer units
// (lots, ticks, notional units, epoch ms) turned into the instrument's decimals and ISO-8601 UTC
// times, by field name. JSON answers keep the stored units: this is for reading only.
// Which field is which, and how an event's instrument is found:
// docs/0070-store-service-and-cli-notes.md#srcstorereadable-eventsts.
import { formatScaled, parseStep } from '../core/model/decimal.ts';
import { fractionalTicksToPrice, makeInstrument, type Instrument } from '../core/model/instrument.ts';
import { InstrumentSet } from '../core/model/instrument-set.ts';

/** `account`: the account's quote, in account units (the finest notional unit of the run's
 *  instruments: the one instrument's own in a run of one). */
export type Unit = 'lots' | 'price' | 'units' | 'time' | 'priceDelta' | 'account';

/** Units by field name, whatever the event. */
const BY_NAME: Readonly<Record<string, Unit>> = {
  qty: 'lots',
  filledQty: 'lots',
  remainingQty: 'lots',
  openQty: 'lots',
  cumulativeQty: 'lots',
  venueFilledQty: 'lots',
  bidQty: 'lots',
  askQty: 'lots',
  position: 'lots',
  expectedPosition: 'lots',
  venuePosition: 'lots',
  maxSliceQty: 'lots',
  baseLots: 'lots',
  minLiquidity: 'lots',
  ours: 'lots',
  adjustment: 'lots',
  volume: 'lots',
  price: 'price',
  limitPrice: 'price',
  stopPrice: 'price',
  arrivalBid: 'price',
  arrivalAsk: 'price',
  bid: 'price',
  ask: 'price',
  last: 'price',
  expectedPrice: 'price',
  referencePrice: 'price',
  vwap: 'price',
  twapMid: 'price',
  avgPrice: 'price',
  venueAvgPrice: 'price',
  fee: 'units',
  startTime: 'time',
  venueTime: 'time',
  updatedAt: 'time',
  submittedAt: 'time',
  asOf: 'time',
  since: 'time',
  at: 'time',
  resetDueAt: 'time',
  readAt: 'time',
  quoteAt: 'time',
  scheduledTime: 'time',
  crashedAt: 'time',
  signalTime: 'time',
  coveredFrom: 'time',
  highWaterMark: 'time',
};

/** Fields whose name says their integer unit: shown under the name without it. */
const RENAMED: Readonly<Record<string, { readonly name: string; readonly unit: Unit }>> = {
  advLots: { name: 'adv', unit: 'lots' },
  minNotionalUnits: { name: 'minNotional', unit: 'units' },
  limitOffsetTicks: { name: 'limitOffset', unit: 'priceDelta' },
  stopOffsetTicks: { name: 'stopOffset', unit: 'priceDelta' },
  maxDeviationTicks: { name: 'maxDeviation', unit: 'priceDelta' },
};

const ACCOUNT: Readonly<Record<string, Unit>> = {
  quote: 'account',
  'balances.quote.free': 'account',
  'balances.quote.locked': 'account',
  'balances.base.free': 'lots',
  'balances.base.locked': 'lots',
  'others[].base.free': 'lots',
  'others[].base.locked': 'lots',
};
const POSITION_CHECK: Readonly<Record<string, Unit>> = { expected: 'lots', venue: 'lots' };
const POSITION_CORRECTED: Readonly<Record<string, Unit>> = { venue: 'lots' };

/** Units of fields that mean something else elsewhere (paths from the payload's root). */
const BY_KIND: Readonly<Record<string, Readonly<Record<string, Unit>>>> = {
  AccountReport: ACCOUNT,
  AccountBaseline: ACCOUNT,
  PositionChecked: POSITION_CHECK,
  PositionCheckDeferred: POSITION_CHECK,
  PositionCorrected: POSITION_CORRECTED,
  MarketBenchmark: { from: 'time', to: 'time' },
};

/** The tables above as one value: the session page's script reads it to show the entries it
 *  receives as the server shows them (static/readable-payload.js, the same walk). */
export const READABLE_UNITS = { byName: BY_NAME, renamed: RENAMED, byKind: BY_KIND } as const;

/** Numbers that stay numbers: counts, milliseconds of a duration, fractions and percentages,
 *  sequence numbers and update ids. Every number an event holds is either in a unit above or
 *  named here (test/service/readable-events.test.ts checks the bundled runs' logs). */
export const PLAIN_NUMBERS: ReadonlySet<string> = new Set([
  'sliceNum',
  'totalSlices',
  'cause',
  'polls',
  'elapsedMs',
  'timeoutMs',
  'pollInitialMs',
  'confidencePct',
  'attempt',
  'retryInMs',
  'apiCalls',
  'errors',
  'detectionLatencyMs',
  'days',
  'mismatches',
  'lostEntries',
  'downtimeMs',
  'durationMs',
  'intervalMs',
  'minIntervalMs',
  'pctOfAdv',
  'askedAfterSeq',
  'lastUpdateId',
  'expectedId',
  'gotId',
  'messages',
  'fallbackAgeMs',
  'maxAgeMs',
  'fallbackReads',
  'blindReads',
  'degradedMs',
  'have',
  'need',
  'swap',
  'samples',
  'signChanges',
  'trades',
  'maxSpread',
  'maxPriceDeviation',
  'maxMultiple',
  'venueFilled',
  'detected',
  'falsePositives',
  'ledgerMismatches',
  'openAtVenue',
  'hiddenOpen',
  'snapshots',
  'depthUpdates',
  'bookTickers',
  'depthApplied',
  'depthSkipped',
  'gaps',
  'rebuilds',
  'tickersChecked',
  'tickersMatched',
  'tickersExact',
  'tickersSuperseded',
  'tickersLate',
  'tickersUnsynced',
  'tickersInvalid',
  'tickersPending',
  'staleDepthUpdates',
  'levelsHeldBack',
  'crossedPrevented',
  'lockedPrevented',
]);

/** The unit a number at `path` (from the payload's root, `[]` for a list's entries) of a `kind`
 *  event is shown in, or undefined for a plain number. */
export function eventUnitOf(kind: string, path: string): Unit | undefined {
  const key = path.slice(path.lastIndexOf('.') + 1).replace(/\[\]$/, '');
  return BY_KIND[kind]?.[path] ?? RENAMED[key]?.unit ?? BY_NAME[key];
}

/** An instant as ISO-8601 UTC; a fraction of a millisecond (latency jitter) to the microsecond. */
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString();
  const micros = Math.round((ms - whole) * 1000);
  return micros === 0 ? iso : `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

/** Whole steps of `step` as a decimal, exactly, at any size. */
function stepsText(steps: number, ...step: string[]): string {
  let mantissa = BigInt(steps);
  let scale = 0;
  for (const s of step) {
    const p = parseStep(s);
    mantissa *= p.mantissa;
    scale += p.scale;
  }
  return formatScaled(mantissa, scale);
}

function shown(unit: Unit, v: number, inst: Instrument | null): string | number {
  if (unit === 'time') return Number.isFinite(v) && Math.abs(v) <= 8.64e15 ? isoTime(v) : v;
  if (inst === null) return v;
  if (unit === 'lots') return Number.isInteger(v) ? stepsText(v, inst.lotSize) : v;
  if (unit === 'units' || unit === 'account')
    return Number.isInteger(v) ? stepsText(v, inst.tickSize, inst.lotSize) : v;
  // Prices: whole ticks exactly, an average (fractional ticks) to 4 more places.
  if (!Number.isFinite(v)) return v;
  return Number.isInteger(v) ? stepsText(v, inst.tickSize) : fractionalTicksToPrice(inst, v);
}

/** The instrument whose notional unit (tick x lot) is the finest of `instruments`: the account's
 *  unit, in which an account answer states the quote they share; null when they do not share one
 *  (a unit that is not a whole number of the finest). */
export function accountUnitOf(instruments: readonly Instrument[]): Instrument | null {
  if (instruments.length <= 1) return instruments[0] ?? null;
  try {
    const set = InstrumentSet.of(instruments);
    return instruments.find((i) => set.scaleOf(i.symbol) === 1) ?? null;
  } catch {
    return null;
  }
}

/** The instruments a stored scenario trades (its instrument and otherInstruments), by symbol;
 *  empty when it names none that can be read (a scenario edited by hand). */
export function instrumentsOf(scenario: unknown): Instrument[] {
  const s = (scenario ?? {}) as { instrument?: unknown; otherInstruments?: unknown };
  const specs = [s.instrument, ...(Array.isArray(s.otherInstruments) ? s.otherInstruments : [])];
  const out: Instrument[] = [];
  for (const spec of specs) {
    const i = (spec ?? {}) as Record<string, unknown>;
    if (typeof i['symbol'] !== 'string' || typeof i['tickSize'] !== 'string' || typeof i['lotSize'] !== 'string')
      continue;
    try {
      out.push(
        makeInstrument({
          symbol: i['symbol'],
          tickSize: i['tickSize'],
          lotSize: i['lotSize'],
          minNotional: typeof i['minNotional'] === 'string' ? i['minNotional'] : '0',
        }),
      );
    } catch {
      // Not an instrument (a step that is not a positive decimal): its events stay as stored.
    }
  }
  return out;
}

/** Turns a run's payloads into what a person reads; one per run, fed its events in seq order
 *  (so that an event about an order finds the order's symbol). */
export class ReadableEvents {
  private readonly bySymbol: ReadonlyMap<string, Instrument>;
  private readonly only: Instrument | null;
  private readonly orderSymbol = new Map<string, string>();
  private readonly parentSymbol = new Map<string, string>();
  /** The instrument whose notional unit is the account's (null: none can be told). */
  readonly accountUnit: Instrument | null;

  constructor(instruments: readonly Instrument[]) {
    this.bySymbol = new Map(instruments.map((i) => [i.symbol as string, i]));
    this.only = instruments.length === 1 ? (instruments[0] as Instrument) : null;
    this.accountUnit = accountUnitOf(instruments);
  }

  /** Whether an event needs the OrderCreated and ParentOrderCreated events before it to find its
   *  instrument (a run of several instruments). */
  get needsOrders(): boolean {
    return this.only === null && this.bySymbol.size > 1;
  }

  /** Learns the symbol of an order or parent (from OrderCreated and ParentOrderCreated). */
  learn(kind: string, payload: unknown): void {
    const p = (payload ?? {}) as Record<string, unknown>;
    if (typeof p['symbol'] !== 'string') return;
    if (kind === 'OrderCreated' && typeof p['clientOrderId'] === 'string')
      this.orderSymbol.set(p['clientOrderId'], p['symbol']);
    if ((kind === 'ParentOrderCreated' || kind === 'OrderCreated') && typeof p['parentId'] === 'string')
      this.parentSymbol.set(p['parentId'], p['symbol']);
  }

  /** The payload with its units as a person reads them (a copy; the stored one is untouched). */
  payload(kind: string, payload: unknown): unknown {
    this.learn(kind, payload);
    const inst = this.instrumentOf(payload);
    return this.walk(BY_KIND[kind] ?? {}, payload, '', inst);
  }

  private instrumentOf(payload: unknown): Instrument | null {
    if (this.only !== null) return this.only;
    const p = (payload ?? {}) as Record<string, unknown>;
    const symbol =
      (typeof p['symbol'] === 'string' ? p['symbol'] : undefined) ??
      (typeof p['clientOrderId'] === 'string' ? this.orderSymbol.get(p['clientOrderId']) : undefined) ??
      (typeof p['parentId'] === 'string' ? this.parentSymbol.get(p['parentId']) : undefined);
    return symbol === undefined ? null : (this.bySymbol.get(symbol) ?? null);
  }

  private walk(paths: Readonly<Record<string, Unit>>, v: unknown, path: string, inst: Instrument | null): unknown {
    if (Array.isArray(v)) return v.map((x) => this.walk(paths, x, `${path}[]`, inst));
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    // An entry of a list that names its own symbol (an account's other positions) is in its units.
    const own = typeof o['symbol'] === 'string' && path !== '' ? (this.bySymbol.get(o['symbol']) ?? null) : inst;
    const out: Record<string, unknown> = {};
    for (const [key, x] of Object.entries(o)) {
      const at = path === '' ? key : `${path}.${key}`;
      const renamed = RENAMED[key];
      const unit = paths[at] ?? renamed?.unit ?? BY_NAME[key];
      const name = renamed !== undefined && typeof x === 'number' && own !== null ? renamed.name : key;
      const unitOf = unit === 'account' ? (this.accountUnit ?? own) : own;
      out[name] = typeof x === 'number' && unit !== undefined ? shown(unit, x, unitOf) : this.walk(paths, x, at, own);
    }
    return out;
  }
}

/** What the pages read a run's events through (the read model's port). */
export interface RunEventsSource {
  scenarioOf(runId: string): { readonly scenario: unknown } | null;
  events(
    id: string,
    q: { fromSeq?: number; toSeq?: number; kinds?: readonly string[]; limit?: number },
  ): {
    readonly items: ReadonlyArray<{ readonly seq: number; readonly kind: string; readonly payload: unknown }>;
  } | null;
}

/** Orders and parents read per request when learning their symbols before a page's first event. */
const LEARN_PAGE = 1000;

/** A run's events as a person reads them, from seq `fromSeq` on: for a run of several instruments,
 *  the orders and parents before it are learnt first. */
export function readableRun(source: RunEventsSource, id: string, fromSeq: number): ReadableEvents {
  const readable = new ReadableEvents(instrumentsOf(source.scenarioOf(id)?.scenario));
  if (!readable.needsOrders) return readable;
  for (let from = 1; from < fromSeq;) {
    const page = source.events(id, {
      fromSeq: from,
      toSeq: fromSeq - 1,
      kinds: ['OrderCreated', 'ParentOrderCreated'],
      limit: LEARN_PAGE,
    });
    const items = page?.items ?? [];
    for (const e of items) readable.learn(e.kind, e.payload);
    if (items.length < LEARN_PAGE) break;
    from = (items.at(-1)?.seq ?? fromSeq) + 1;
  }
  return readable;
}
