// The cross-field checks of a scenario file: what no single field's schema can see (schema.ts
// holds the fields themselves). Ids that must name an order, a signal or an external order;
// times within the run (faults, orders, cancels, restarts, actions); order types with the prices
// they need and no others; quantities and prices on the instrument's lot and tick grid. The
// world's own checks (the instrument's steps, the account's balances, the market model's levels)
// are scenario-world-checks.ts. They run once every field has parsed; the run's limits
// (run-limits.ts) run after them, on a sound scenario.
import { isIntentAlgo } from './execution-schema.ts';
import { checkComponentConfigs } from './component-schema.ts';
import { gridProblem } from './magnitude-limits.ts';
import { checkLiquidity } from './liquidity-schema.ts';
import type { ScenarioFile } from './scenario-fields.ts';
import { placementProblem, type PlacementEntry } from './placement-schema.ts';
import { checkRestarts } from './restart-checks.ts';
import { parseDurationMs, parseUtcInstant } from '../core/model/time-fields.ts';
import {
  checkAccount,
  checkInstrument,
  checkMarket,
  checkOtherInstruments,
  type OnGrid,
} from './scenario-world-checks.ts';
import type { Issue } from './limit-parts.ts';

/** A placement block against its order or signal: a policy fits a market or limit order that is
 *  sliced; its quantity threshold sits on the lot grid. */
function checkPlacement(
  p: PlacementEntry | undefined,
  type: string,
  route: string,
  at: (string | number)[],
  lotSize: string,
  issue: Issue,
  onGrid: OnGrid,
): void {
  if (p === undefined) return;
  const problem = placementProblem(p, type);
  if (problem !== null) issue([...at, 'placement', 'kind'], problem);
  if (route === 'single') issue([...at, 'placement'], 'a single-routed order places no slices: leave out route');
  if (p.kind === 'passive-then-cross')
    onGrid([...at, 'placement', 'crossWhenBehindQty'], p.crossWhenBehindQty, lotSize, 'lots');
}

/** Reports every cross-field problem of a scenario whose fields each parsed, at its path. */
export function checkScenario(s: ScenarioFile, issue: Issue): void {
  const onGrid = (path: (string | number)[], value: string | undefined, step: string, what: string) => {
    if (value === undefined) return;
    const problem = gridProblem(value, step, what);
    if (problem !== null) issue(path, problem);
  };
  const horizon = parseDurationMs(s.duration);
  const ids = new Set<string>();
  const inHorizon = (path: (string | number)[], at: string) => {
    if (parseDurationMs(at) > horizon) issue(path, `${at} is after the end of the run (duration ${s.duration})`);
  };
  checkInstrument(s, issue);
  const specOf = checkOtherInstruments(s, issue, onGrid);
  if (s.start !== undefined && parseUtcInstant(s.start) < 0)
    issue(['start'], `${s.start} is before 1970-01-01T00:00:00Z: times are milliseconds since then`);
  if (s.start !== undefined && parseUtcInstant(s.start) + horizon > LATEST_END_MS)
    issue(['duration'], `the run would end after 9999-12-31T23:59:59.999Z (start ${s.start} + ${s.duration})`);
  if (s.market !== undefined) checkMarket(s.market, s.instrument, issue, onGrid);
  checkComponentConfigs(s, issue);
  checkLiquidity(s.liquidity, [s.instrument, ...s.otherInstruments], issue);
  checkAccount(s, issue, onGrid);
  s.faults.forEach((f, i) => {
    if ('from' in f) {
      inHorizon(['faults', i, 'from'], f.from);
      if (parseDurationMs(f.until) <= parseDurationMs(f.from)) issue(['faults', i, 'until'], 'must be after from');
    } else inHorizon(['faults', i, 'at'], f.at);
    const modelFault = f.kind === 'spread_shift' || f.kind === 'liquidity_drop' || f.kind === 'price_jump';
    const model = s.market?.model;
    if (modelFault && model !== undefined && model !== 'synthetic' && model !== 'almgren_chriss') {
      issue(
        ['faults', i, 'kind'],
        `${f.kind} needs a market model with a price and spread to shift (synthetic or almgren_chriss), not ${model}`,
      );
    }
  });
  s.orders.forEach((o, i) => {
    const path = (k: string) => ['orders', i, k];
    if (ids.has(o.id)) issue(path('id'), `duplicate id "${o.id}"`);
    ids.add(o.id);
    inHorizon(path('at'), o.at);
    if (o.cancelAt !== undefined) {
      inHorizon(path('cancelAt'), o.cancelAt);
      if (parseDurationMs(o.cancelAt) < parseDurationMs(o.at)) issue(path('cancelAt'), 'must not be before at');
    }
    const inst = specOf(path('symbol'), o.symbol);
    onGrid(path('qty'), o.qty, inst.lotSize, 'lots');
    onGrid(path('limitPrice'), o.limitPrice, inst.tickSize, 'ticks');
    onGrid(path('stopPrice'), o.stopPrice, inst.tickSize, 'ticks');
    const needsLimit = o.type === 'limit' || o.type === 'stop_limit';
    const needsStop = o.type === 'stop' || o.type === 'stop_limit';
    // An order with an algo is sliced on its twap grid (routing.defaultTwap without a block); a
    // single-routed one is refused below, and checked as the single order it says it is.
    const placed = o.placement !== undefined && o.placement.kind !== 'market';
    const grid = o.twap ?? ((o.algo || placed) && o.route !== 'single' ? s.routing.defaultTwap : undefined);
    // An iceberg or a user's module prices its own children within the parent's limit.
    const intent = isIntentAlgo(o.algo) && o.route !== 'single';
    if (intent) {
      if (placed)
        issue(path('placement'), 'an algorithm deciding its children places them itself: leave out placement');
      if (o.type !== 'market' && o.type !== 'limit')
        issue(path('type'), 'an algorithm deciding its children takes a market or a limit parent');
      if (o.type === 'limit' && o.limitPrice === undefined) issue(path('limitPrice'), 'is required for a limit order');
      if (o.algo?.kind === 'iceberg') {
        const a = o.algo;
        for (const k of ['display', 'displayMin', 'displayMax'] as const)
          onGrid(['orders', i, 'algo', k], a[k], inst.lotSize, 'lots');
        if (a.peg === undefined && o.type !== 'limit')
          issue(['orders', i, 'algo', 'peg'], 'an iceberg of a market order needs a peg (touch, mid or far)');
        if (a.displayMin !== undefined && a.displayMax !== undefined && Number(a.displayMax) < Number(a.displayMin))
          issue(['orders', i, 'algo', 'displayMax'], 'must be at least displayMin');
      }
    } else if (grid) {
      // TWAP children are priced from the touch at each slice, not by a fixed parent price; the
      // price no child passes is twap.worstPrice. With the offset (or a placement) given, only
      // the limitPrice has to go.
      if (o.limitPrice !== undefined) {
        const by = placed ? 'its placement' : grid.limitOffsetTicks !== undefined ? 'twap.limitOffsetTicks' : null;
        issue(
          path('limitPrice'),
          by !== null
            ? `a TWAP prices its limit children from the touch (by ${by}): ` +
                'remove limitPrice, and give twap.worstPrice to cap the price'
            : 'a TWAP prices its limit children from the touch: use twap.limitOffsetTicks instead, ' +
                'and twap.worstPrice to cap the price',
        );
      }
      if (o.stopPrice !== undefined)
        issue(path('stopPrice'), 'a TWAP prices its stop children from the touch: use twap.stopOffsetTicks');
      if (needsLimit && grid.limitOffsetTicks === undefined && !placed)
        issue(['orders', i, 'twap', 'limitOffsetTicks'], `is required for ${o.type} children`);
    } else {
      if (needsLimit && o.limitPrice === undefined) issue(path('limitPrice'), `is required for a ${o.type} order`);
      if (needsStop && o.stopPrice === undefined) issue(path('stopPrice'), `is required for a ${o.type} order`);
    }
    if (!needsLimit && o.limitPrice !== undefined) issue(path('limitPrice'), `is not allowed on a ${o.type} order`);
    if (!needsStop && o.stopPrice !== undefined) issue(path('stopPrice'), `is not allowed on a ${o.type} order`);
    if (o.type === 'market' && o.tif !== undefined && o.tif !== 'IOC' && o.tif !== 'FOK') {
      issue(path('tif'), 'a market order can only be IOC or FOK');
    }
    if (o.postOnly && o.type !== 'limit') issue(path('postOnly'), 'only a limit order can be post-only');
    if (o.twap && o.route === 'single') issue(path('twap'), 'a single-routed order takes no twap parameters');
    if (o.algo && o.route === 'single') issue(path('algo'), 'a single-routed order runs no algorithm: leave out route');
    checkPlacement(o.placement, o.type, o.route, ['orders', i], inst.lotSize, issue, onGrid);
    if (grid && o.algo && !o.twap && parseDurationMs(o.at) + parseDurationMs(grid.duration) > horizon) {
      issue(
        path('algo'),
        `runs past the end of the run on routing.defaultTwap: at ${o.at} + ${grid.duration} > duration ${s.duration}`,
      );
    }
    if (o.twap?.maxSliceQty !== undefined)
      onGrid(['orders', i, 'twap', 'maxSliceQty'], o.twap.maxSliceQty, inst.lotSize, 'lots');
    onGrid(['orders', i, 'twap', 'worstPrice'], o.twap?.worstPrice, inst.tickSize, 'ticks');
    if (o.algo?.kind === 'pov' && o.algo.minChildQty !== undefined)
      onGrid(['orders', i, 'algo', 'minChildQty'], o.algo.minChildQty, inst.lotSize, 'lots');
    if (o.twap && parseDurationMs(o.at) + parseDurationMs(o.twap.duration) > horizon) {
      issue(path('twap'), `runs past the end of the run: at ${o.at} + ${o.twap.duration} > duration ${s.duration}`);
    }
    if (o.twap?.interval !== undefined && parseDurationMs(o.twap.interval) > parseDurationMs(o.twap.duration)) {
      issue(['orders', i, 'twap', 'interval'], 'is longer than the duration');
    }
  });
  s.signals.forEach((sig, i) => {
    if (ids.has(sig.id)) issue(['signals', i, 'id'], `duplicate id "${sig.id}"`);
    ids.add(sig.id);
    inHorizon(['signals', i, 'at'], sig.at);
    const inst = specOf(['signals', i, 'symbol'], sig.symbol);
    onGrid(['signals', i, 'qty'], sig.qty, inst.lotSize, 'lots');
    onGrid(['signals', i, 'price'], sig.price, inst.tickSize, 'ticks');
    if (sig.algo && sig.route === 'single')
      issue(['signals', i, 'algo'], 'a single-routed signal runs no algorithm: leave out route');
    if (sig.algo?.kind === 'iceberg') {
      const a = sig.algo;
      for (const k of ['display', 'displayMin', 'displayMax'] as const)
        onGrid(['signals', i, 'algo', k], a[k], inst.lotSize, 'lots');
      if (a.peg === undefined && sig.price === undefined)
        issue(['signals', i, 'algo', 'peg'], 'an iceberg of a market signal needs a peg (touch, mid or far)');
    }
    if (sig.algo?.kind === 'pov' && sig.algo.minChildQty !== undefined)
      onGrid(['signals', i, 'algo', 'minChildQty'], sig.algo.minChildQty, inst.lotSize, 'lots');
    const type = sig.price === undefined ? 'market' : 'limit';
    checkPlacement(sig.placement, type, sig.route, ['signals', i], inst.lotSize, issue, onGrid);
  });
  const external = new Map<string, number>();
  s.externalOrders.forEach((x, i) => {
    const path = (k: string) => ['externalOrders', i, k];
    if (external.has(x.clientOrderId)) issue(path('clientOrderId'), `duplicate clientOrderId "${x.clientOrderId}"`);
    else external.set(x.clientOrderId, i);
    inHorizon(path('at'), x.at);
    const inst = specOf(path('symbol'), x.symbol);
    onGrid(path('qty'), x.qty, inst.lotSize, 'lots');
    onGrid(path('limitPrice'), x.limitPrice, inst.tickSize, 'ticks');
  });
  checkRestarts(s, horizon, issue);
  // A parent's id is the order's id; a signal's parent id derives from its fingerprint, so
  // cancels and parent expectations name orders, and a signal is checked with `signal: { id }`.
  const orderIds = new Set(s.orders.map((o) => o.id));
  const signalIds = new Set(s.signals.map((g) => g.id));
  const notAnOrder = (id: string): string =>
    signalIds.has(id)
      ? `"${id}" is a signal, not an order: a signal's parent gets an id derived from the signal, so name one of the orders (${listIds(orderIds)}), or check the signal with expect "signal: { id: ${id} }"`
      : `no order has id "${id}" (orders: ${listIds(orderIds)})`;
  s.actions.forEach((a, i) => {
    inHorizon(['actions', i, 'at'], a.at);
    if (a.kind === 'swap_strategy') {
      if (!s.strategy)
        issue(['actions', i, 'kind'], 'swap_strategy swaps the strategy: the scenario names none (strategy:)');
      if (a.override && (a.actor === undefined || a.reason === undefined))
        issue(
          ['actions', i, a.actor === undefined ? 'actor' : 'reason'],
          'an override skips the shadow validation: say who (actor) and why (reason)',
        );
    }
    if (a.kind === 'cancel') {
      // Every parent a cancel may name is an order of the file, placed at its `at`: a cancel due
      // before then finds no parent, and the node's refusal of it is logged nowhere.
      const k = s.orders.findIndex((o) => o.id === a.parent);
      const placed = s.orders[k]?.at;
      if (placed === undefined) issue(['actions', i, 'parent'], notAnOrder(a.parent));
      else if (parseDurationMs(a.at) < parseDurationMs(placed))
        issue(
          ['actions', i, 'at'],
          `${a.at} is before orders[${k}] ("${a.parent}") is placed (at ${placed}): the cancel would find no parent`,
        );
    }
    if (a.kind === 'resolve_orphan') {
      // The only orphans a scenario makes are its external orders.
      const x = external.get(a.clientOrderId);
      if (x === undefined) {
        issue(
          ['actions', i, 'clientOrderId'],
          `"${a.clientOrderId}" is not one of the externalOrders (${listIds(new Set(external.keys()))}): only an external order can become an orphan`,
        );
      } else if (parseDurationMs(a.at) < parseDurationMs((s.externalOrders[x] as { at: string }).at)) {
        issue(
          ['actions', i, 'at'],
          `${a.at} is before externalOrders[${x}] is placed (at ${(s.externalOrders[x] as { at: string }).at})`,
        );
      }
    }
  });
  s.expect.forEach((e, i) => {
    const ref = Object.values(e)[0] as { parent?: string; id?: string } | true;
    const kind = Object.keys(e)[0] as string;
    if (typeof ref === 'object' && ref.parent !== undefined && !orderIds.has(ref.parent))
      issue(['expect', i, kind, 'parent'], notAnOrder(ref.parent));
    if (e.signal && !signalIds.has(e.signal.id))
      issue(['expect', i, 'signal', 'id'], `no signal has id "${e.signal.id}" (signals: ${listIds(signalIds)})`);
    if (e.filledQty) onGrid(['expect', i, 'filledQty', 'equals'], e.filledQty.equals, s.instrument.lotSize, 'lots');
    if (e.strategyFailed && !s.strategy)
      issue(['expect', i, 'strategyFailed'], 'expects the strategy to fail: the scenario names none (strategy:)');
    if (e.algorithmFailed) {
      const parent = e.algorithmFailed === true ? undefined : e.algorithmFailed.parent;
      const order = s.orders.find((o) => o.id === parent);
      if (order !== undefined && !(isIntentAlgo(order.algo) && order.route !== 'single'))
        issue(
          ['expect', i, 'algorithmFailed', 'parent'],
          `expects the algorithm of order "${parent}" to fail: it runs none deciding its children (algo: { kind: module } or iceberg)`,
        );
      // A strategy's signals may name an algorithm too.
      const any =
        s.strategy !== undefined ||
        s.orders.some((o) => isIntentAlgo(o.algo) && o.route !== 'single') ||
        s.signals.some((g) => isIntentAlgo(g.algo) && g.route !== 'single');
      if (parent === undefined && !any)
        issue(
          ['expect', i, 'algorithmFailed'],
          'expects an algorithm to fail: no order or signal runs one deciding its children (algo: { kind: module } or iceberg)',
        );
    }
  });
}

/** Ids for a message: the first few, or "none". */
function listIds(ids: ReadonlySet<string>): string {
  if (ids.size === 0) return 'none';
  const all = [...ids];
  return all.length <= 5 ? all.join(', ') : `${all.slice(0, 5).join(', ')}, ...`;
}

/** Latest run end: the last instant a four-digit ISO-8601 year can write. */
const LATEST_END_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
