// The intent runner (core/algo/intent-runner.ts) under algorithms that return arbitrary intents,
// and the iceberg on it, in whole backtests: crashes and restarts, venue faults and a kill switch
// halt mixed in. From the venue's own records: no client order id ever became two orders; at every
// order the venue took, the parent's orders there (filled plus still working) never exceed its
// qty; nothing went out while the kill switch was halted; every child ended and agrees with the
// venue; the parent completed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlgoContext, AlgoDecision, ChildIntent, ExecAlgorithm } from '../../src/core/algo/intent-algorithm.ts';
import { Rng } from '../../src/core/clock/rng.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { qtyToLots } from '../../src/core/model/instrument.ts';
import { isTerminal } from '../../src/core/model/order-status.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { crashScenarioHead, faultArb, restartsArb, runCrashable } from '../support/crash-run.ts';

export interface Case {
  seed: number;
  algo: string;
  type: 'market' | 'limit';
  restarts: string[];
  faults: string[];
  halt: boolean;
}

function yaml(c: Case): string {
  const { seed, restarts, faults } = c;
  const actions = c.halt ? ['{ at: PT2M, kind: kill_switch, state: halted, actor: risk, reason: "desk halt" }'] : [];
  const head = crashScenarioHead({
    name: 'algo-intents',
    seed,
    duration: 'PT10M',
    reconPeriodMs: 120000,
    restarts,
    faults,
    actions,
  });
  return `${head}orders:
  - id: p
    at: PT5S
    side: buy
    qty: "0.5"
    type: ${c.type}${c.type === 'limit' ? '\n    limitPrice: "61005.00"' : ''}
    twap: { duration: PT4M, slices: 4 }
    algo: ${c.algo}
`;
}

/** An algorithm that returns arbitrary intents: places of any size (up to twice the parent),
 *  market or limit at prices around the touch or pegged, cancels and replaces of its children,
 *  wake-ups a few seconds on. Drawn from its own seeded stream. */
function randomAlgorithm(seed: number): ExecAlgorithm {
  const rng = new Rng(seed, 'random-algo');
  return {
    decide(ctx: AlgoContext): AlgoDecision {
      const intents: ChildIntent[] = [];
      const n = rng.int(4);
      const touch = ctx.market.bid ?? ctx.market.ask ?? 6_100_000;
      for (let i = 0; i < n; i++) {
        const k = rng.int(10);
        const handles = ctx.children.map((c) => c.handle);
        if (k < 6 || handles.length === 0) {
          const qty = 1 + rng.int(ctx.parent.qty * 2);
          const r = rng.int(3);
          intents.push(
            r === 0
              ? { kind: 'place', qty, type: 'market' }
              : r === 1
                ? { kind: 'place', qty, type: 'limit', price: Math.max(1, touch + rng.int(41) - 20) }
                : { kind: 'place', qty, type: 'limit', peg: { to: 'touch', offsetTicks: rng.int(11) - 5 } },
          );
        } else if (k < 8) intents.push({ kind: 'cancel', child: handles[rng.int(handles.length)] as number });
        else
          intents.push({
            kind: 'replace',
            child: handles[rng.int(handles.length)] as number,
            qty: 1 + rng.int(ctx.parent.qty),
            price: Math.max(1, touch + rng.int(21) - 10),
          });
      }
      return { intents, wakeAt: ctx.now + 1000 + rng.int(20_000), memo: { asked: ctx.children.length } };
    },
  };
}

const icebergArb = fc
  .record({
    min: fc.integer({ min: 1, max: 20 }),
    span: fc.integer({ min: 0, max: 20 }),
    peg: fc.constantFrom('', 'touch', 'mid', 'far'),
    offset: fc.integer({ min: -3, max: 5 }),
    repeg: fc.constantFrom(0, 1, 3),
    end: fc.constantFrom('complete', 'stop'),
  })
  .map(
    (p) =>
      `{ kind: iceberg, displayMin: "${(p.min / 1000).toFixed(5)}", displayMax: "${((p.min + p.span) / 1000).toFixed(5)}"` +
      (p.peg ? `, peg: ${p.peg}, offsetTicks: ${p.offset}` : '') +
      (p.peg && p.repeg ? `, repegTicks: ${p.repeg}, checkEvery: PT2S` : '') +
      `, end: ${p.end} }`,
  );

export function simulate(c: Case, algorithm: () => ExecAlgorithm = () => randomAlgorithm(c.seed)) {
  const { scenario: s } = parseScenario(yaml(c), 'algo-intents.yaml');
  // The venue's own count of orders per client order id, and the parent's load at each order.
  const loads: number[] = [];
  const ours = new Set<string>();
  const { run, created, instrument, written } = runCrashable(s, 'algo-intents.yaml', {
    algorithms: () => algorithm,
    aroundSubmit: (req, send, exchange) => {
      const r = send();
      if (typeof r !== 'string') {
        ours.add(req.clientOrderId);
        let load = 0;
        for (const id of ours) {
          const o = exchange.order(id as never);
          if (!o) continue;
          const open = o.status === 'new' || o.status === 'partially_filled';
          load += o.filled + (open ? o.qty - o.filled : 0);
        }
        loads.push(load);
      }
      return r;
    },
  });
  return { run, created, qty: qtyToLots(instrument, '0.5'), all: written, loads };
}

function checkRun(c: Case, r: ReturnType<typeof simulate>): void {
  const { run, created, qty, all, loads } = r;
  for (const [id, n] of created) expect(n, `client order id ${id} created ${n} orders`).toBe(1);
  for (const load of loads) expect(load).toBeLessThanOrEqual(qty);
  const children = run.ledger.childrenOf(parentOrderId('p'));
  let venueFilled = 0;
  for (const child of children) {
    const atVenue = run.venue.exchange.order(child.request.clientOrderId);
    expect(isTerminal(child.status), `child ${child.request.sliceNum} ended ${child.status}`).toBe(true);
    expect(child.filledQty).toBe(atVenue?.filled ?? 0);
    venueFilled += atVenue?.filled ?? 0;
  }
  expect(venueFilled).toBeLessThanOrEqual(qty);
  expect(run.ledger.position).toBe(run.venue.exchange.position);
  expect(run.ledger.parents.get(parentOrderId('p'))?.completed, 'the parent completed').toBeTruthy();
  // Children are numbered 1, 2, 3... once each, across restarts.
  const nums = children.map((o) => o.request.sliceNum);
  expect(new Set(nums).size).toBe(nums.length);
  if (c.halt) {
    // Nothing leaves once the kill switch halted (a restart restores it from the log); a halt
    // that came while the process was down was refused, and halted nothing.
    const haltAt = all.find((e) => e.event.kind === 'KillSwitchChanged')?.time;
    if (haltAt !== undefined) expect(all.filter((e) => e.event.kind === 'SubmitOrder' && e.time > haltAt)).toEqual([]);
  }
}

describe('the intent runner', () => {
  it('never over-fills, never sends an id twice, never lets a child past a guard, whatever the algorithm returns', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.nat({ max: 1_000_000 }),
          algo: fc.constant('{ kind: module, path: ./test/fixtures/algorithms/random-rest.ts }'),
          type: fc.constantFrom('market' as const, 'limit' as const),
          restarts: restartsArb({ maxLength: 2 }),
          faults: fc.array(faultArb, { maxLength: 2 }),
          halt: fc.boolean(),
        }),
        (c) => checkRun(c, simulate(c)),
      ),
      { numRuns: 40 },
    );
  });

  it('runs an iceberg across crashes and faults with no duplicate order and no over-fill', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.nat({ max: 1_000_000 }),
          algo: icebergArb,
          type: fc.constantFrom('market' as const, 'limit' as const),
          restarts: restartsArb({ minLength: 1, maxLength: 3 }),
          faults: fc.array(faultArb, { maxLength: 2 }),
          halt: fc.constant(false),
        }),
        (c) => {
          // A market iceberg needs a peg: the unpegged ones are limit parents.
          const cc = c.type === 'market' && !c.algo.includes('peg') ? { ...c, type: 'limit' as const } : c;
          checkRun(cc, simulate(cc));
        },
      ),
      { numRuns: 40 },
    );
  });
});

const QUIET_CASE: Case = {
  seed: 1,
  algo: '{ kind: module, path: ./test/fixtures/algorithms/random-rest.ts }',
  type: 'limit',
  restarts: [],
  faults: [],
  halt: false,
};

describe('an algorithm that fails', () => {
  const quiet = QUIET_CASE;
  const stopped = (r: ReturnType<typeof simulate>) =>
    r.all.filter((e) => e.event.kind === 'ParentStopped').map((e) => (e.event as { reason: string }).reason);

  it('stops its parent with the error when it throws, its open children cancelled', () => {
    let asked = 0;
    const r = simulate(quiet, () => ({
      decide: (ctx) => {
        if (++asked > 1) throw new Error('boom');
        return {
          intents: [{ kind: 'place', qty: 1000, type: 'limit', price: (ctx.market.bid ?? 1000) - 500 }],
          wakeAt: ctx.now + 5000,
        };
      },
    }));
    expect(stopped(r)).toEqual([
      'the algorithm module ./test/fixtures/algorithms/random-rest.ts failed in decide (trigger: wake): boom',
    ]);
    checkRun(quiet, r);
    expect(r.run.ledger.childrenOf(parentOrderId('p')).map((o) => o.status)).toEqual(['canceled']);
  });

  it('stops its parent, carrying out nothing of it, when a decision is not well formed', () => {
    const bad: Array<[unknown, string]> = [
      [{ intents: [{ kind: 'cancel', child: 99 }] }, 'intents[0].child 99 names no child of this parent'],
      [
        { intents: [{ kind: 'place', qty: 0, type: 'market' }] },
        'intents[0].qty must be a positive whole number of lots',
      ],
      [{ intents: [{ kind: 'place', qty: 5, type: 'limit' }] }, 'intents[0]: a limit needs a price or a peg'],
      [{ wakeAt: 0 }, 'wakeAt 0 is not after now'],
      [{ memo: { f: () => 1 } }, 'memo.f: a function is not JSON'],
      [{ intents: [{ kind: 'place', qty: 5, type: 'market' }], extra: 1 }, 'unknown field extra'],
      // A peg this far would price the child past any price there is.
      [
        { intents: [{ kind: 'place', qty: 5, type: 'limit', peg: { to: 'touch', offsetTicks: 2 ** 53 - 1 } }] },
        'intents[0].peg.offsetTicks must be at most 100000 ticks either way',
      ],
    ];
    for (const [decision, why] of bad) {
      const r = simulate(quiet, () => ({ decide: () => decision as never }));
      const reasons = stopped(r);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toContain(
        `the algorithm module ./test/fixtures/algorithms/random-rest.ts returned a bad decision from decide (trigger: start): ${why}`,
      );
      expect(r.run.ledger.childrenOf(parentOrderId('p'))).toEqual([]);
      checkRun(quiet, r);
    }
  });
});

describe('intents the runner cannot carry out', () => {
  it('logs the first 20 of a decision one by one and the rest as one record, in every decision', () => {
    // The whole parent resting far below the touch, then 50 places with no room left, twice.
    let asked = 0;
    const r = simulate(QUIET_CASE, () => ({
      decide: (ctx) => {
        asked++;
        if (asked > 2) return { done: true };
        const more: ChildIntent[] = Array.from({ length: 50 }, () => ({ kind: 'place', qty: 7, type: 'market' }));
        const whole: ChildIntent = {
          kind: 'place',
          qty: ctx.parent.qty,
          type: 'limit',
          price: (ctx.market.bid ?? 6_000_000) - 5_000,
        };
        return { intents: asked === 1 ? [whole, ...more] : more, wakeAt: ctx.now + 5_000 };
      },
    }));
    const refused = r.all.flatMap((e) => (e.event.kind === 'AlgoIntentRefused' ? [e.event] : []));
    expect(refused).toHaveLength(42);
    for (const decision of [refused.slice(0, 21), refused.slice(21)]) {
      expect(decision.slice(0, 20).every((e) => e.intent === 'place 7 market')).toBe(true);
      expect(decision[20]).toMatchObject({
        intent: '30 more intents',
        outcome: 'refused',
        reason: '0 clipped and 30 refused after the first 20 of this decision, not logged one by one',
      });
    }
  });
});

describe('an algorithm child below the minimum notional', () => {
  const market: Case = { ...QUIET_CASE, type: 'market' };
  const refusals = (r: ReturnType<typeof simulate>) =>
    r.all.flatMap((e) => (e.event.kind === 'AlgoIntentRefused' ? [`${e.event.intent}: ${e.event.reason}`] : []));

  it('is refused before it leaves; what the parent has left, once no child can take it, ends the parent with the reason', () => {
    // 5 lots (0.00005 BTC, about 3 USDT) first, which the venue would refuse; then, every 5 s,
    // up to 0.1 BTC of what is left but those 5 lots (never the whole book), until only they are.
    const r = simulate(market, () => ({
      decide: (ctx) => {
        if (ctx.trigger !== 'start' && ctx.trigger !== 'wake') return {};
        const room = ctx.parent.room;
        const next: ChildIntent = { kind: 'place', qty: room > 5 ? Math.min(10_000, room - 5) : room, type: 'market' };
        const intents: ChildIntent[] =
          ctx.trigger === 'start' ? [{ kind: 'place', qty: 5, type: 'market' }, next] : room > 0 ? [next] : [];
        return { intents, wakeAt: ctx.now + 5_000 };
      },
    }));
    const refused = refusals(r);
    expect(refused[0]).toMatch(
      /^place 5 market: below the minimum notional: 0\.00005 at 610\d\d(\.\d+)? is 3\.05\d*, under 5$/,
    );
    expect(refused.at(-1)).toMatch(
      /^place 5 market: remainder below the minimum notional: 0\.00005 at 610\d\d(\.\d+)? is 3\.05\d*, under 5$/,
    );
    expect(refused).toHaveLength(2);
    const stopped = r.all.flatMap((e) => (e.event.kind === 'ParentStopped' ? [e.event.reason] : []));
    expect(stopped).toEqual([refused.at(-1)!.replace('place 5 market: ', '')]);
    // Nothing was refused by the venue, and the parent filled all but the 5 lots.
    const children = r.run.ledger.childrenOf(parentOrderId('p'));
    expect(children.length).toBeGreaterThan(1);
    expect(children.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(r.run.ledger.parents.get(parentOrderId('p'))?.totals.filled).toBe(r.qty - 5);
    checkRun(market, r);
  });
});

describe("an algorithm's early stops", () => {
  /** Places a market child of 0.01 BTC (about 610 USDT) every 10 s, from the start. */
  const steady = (): ExecAlgorithm => ({
    decide: (ctx) =>
      ctx.trigger === 'start' || ctx.trigger === 'wake' || ctx.trigger === 'resume'
        ? {
            intents: ctx.parent.room >= 1000 ? [{ kind: 'place', qty: 1000, type: 'market' }] : [],
            wakeAt: ctx.now + 10_000,
          }
        : {},
  });
  const market: Case = { ...QUIET_CASE, type: 'market' };
  const stoppedWith = (r: ReturnType<typeof simulate>) =>
    r.all.flatMap((e) => (e.event.kind === 'ParentStopped' ? [e.event.reason] : []));
  const refusedWith = (r: ReturnType<typeof simulate>) =>
    r.all.flatMap((e) => (e.event.kind === 'AlgoIntentRefused' ? [`${e.event.intent}: ${e.event.reason}`] : []));
  const placedAt = (r: ReturnType<typeof simulate>) =>
    r.run.ledger
      .childrenOf(parentOrderId('p'))
      .map((o) => o.request.scheduledTime - r.run.ledger.parents.get(parentOrderId('p'))!.createdAt);

  it('stops the parent when the price moved too far from the start, as a TWAP does, its next child refused', () => {
    for (const restarts of [[], ['{ at: PT1M, downtime: PT10S }']]) {
      const c: Case = { ...market, restarts, faults: ['{ kind: price_jump, at: PT2M, bps: 150 }'] };
      const r = simulate(c, steady);
      const reasons = stoppedWith(r);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(/^price moved 1\.\d{3}% from the start, more than 1\.000%$/);
      expect(refusedWith(r)).toEqual([`place 1000 market: early stop: ${reasons[0]}`]);
      // Children every 10 s until the jump (none while the process was down), none after it.
      const at = placedAt(r);
      expect(Math.max(...at)).toBeLessThan(2 * 60_000);
      expect(at.length).toBeGreaterThanOrEqual(restarts.length === 0 ? 12 : 10);
      checkRun(c, r);
    }
  });

  it('stops the parent when the spread is wider than its maximum', () => {
    const c: Case = { ...market, faults: ['{ kind: spread_shift, from: PT1M, until: PT3M, factor: 40000 }'] };
    const r = simulate(c, steady);
    expect(stoppedWith(r)).toEqual([expect.stringMatching(/^spread \d+\.\d{3}% wider than 0\.500%$/)]);
    expect(Math.max(...placedAt(r))).toBeLessThan(60_000);
    checkRun(c, r);
  });

  it('stops an iceberg the same way when the price ran away from its pegged child', () => {
    const c: Case = {
      ...market,
      algo: '{ kind: iceberg, displayMin: "0.002", displayMax: "0.002", peg: touch, repegTicks: 1, checkEvery: PT2S, end: complete }',
      faults: ['{ kind: price_jump, at: PT30S, bps: 150 }'],
    };
    const r = simulate(c);
    expect(stoppedWith(r)).toEqual([
      expect.stringMatching(/^price moved 1\.\d{3}% from the start, more than 1\.000%$/),
    ]);
    expect(placedAt(r).length).toBeGreaterThan(1);
    expect(Math.max(...placedAt(r))).toBeLessThan(30_000);
    expect(r.run.ledger.parents.get(parentOrderId('p'))?.totals.filled).toBeLessThan(r.qty);
    checkRun(c, r);
  });

  it('keeps placing children through a calm market', () => {
    const r = simulate(market, steady);
    expect(stoppedWith(r)).toEqual([]);
    expect(placedAt(r).length).toBeGreaterThan(20);
  });
});
