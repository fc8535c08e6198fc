// Placement policies on the simulated venue: passive-then-cross fills part of a TWAP as a maker
// where market children take everything, and still completes; a chaser follows a touch that
// moves away (price jumps) with replacements priced at the new touch; and a crash in the middle
// of a re-pricing (the replacement logged, the child cancelled, the replacement not yet sent)
// ends, after the restart, with no client order id twice at the venue, the replacement sent only
// once the child it replaces ended, and nothing of the slice lost.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { isTerminal } from '../../src/core/model/order-status.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import fc from 'fast-check';
import { runLogged, type LoggedRun } from '../support/logged-run.ts';
import { placementArb } from '../support/placement-arbitrary.ts';

const BASE = readFileSync('scenarios/twap-calm.yaml', 'utf8').replace(
  /expect:[\s\S]*$/,
  'expect:\n  - noDuplicateOrders: true\n  - noDiscrepancies: true\n',
);
const withPlacement = (block: string, extra = '') =>
  BASE.replace(
    '    twap: { duration: PT10M, interval: PT1M }',
    `    twap: { duration: PT10M, interval: PT1M }${block === '' ? '' : `\n    placement: ${block}`}`,
  ).replace('orders:', `${extra}orders:`);
const run = (text: string) => runLogged(parseScenario(text, 'scenarios/twap-calm.yaml'));

/** The buy TWAP's children and its maker and taker lots. */
function buyFills(r: LoggedRun) {
  const created = r.of('OrderCreated').filter((e) => e.event.parentId === 'twap-buy');
  const ids = new Set(created.map((c) => c.event.clientOrderId as string));
  let maker = 0;
  let taker = 0;
  for (const e of r.log)
    if (e.event.kind === 'FillReport' && ids.has(e.event.clientOrderId)) {
      if (e.event.liquidity === 'maker') maker += e.event.qty;
      else taker += e.event.qty;
    }
  return { created, ids, maker, taker, parent: r.report.parents.find((p) => p.id === 'twap-buy')! };
}

/** For every replacement: the seq its SubmitOrder was logged at, and the seq at which the child it
 *  replaces had ended (null: never). */
function replacementOrder(log: readonly LogEntry[]) {
  const ended = new Map<string, number>();
  const submitted = new Map<string, number>();
  for (const e of log) {
    if (e.event.kind === 'OrderStatusChanged' && isTerminal(e.event.to) && !ended.has(e.event.clientOrderId))
      ended.set(e.event.clientOrderId, e.seq);
    if (e.event.kind === 'SubmitOrder' && !submitted.has(e.event.clientOrderId))
      submitted.set(e.event.clientOrderId, e.seq);
  }
  return log.flatMap((e) =>
    e.event.kind === 'OrderCreated' && e.event.replaces !== undefined
      ? [
          {
            id: e.event.clientOrderId as string,
            replaces: e.event.replaces as string,
            createdAt: e.time,
            submitSeq: submitted.get(e.event.clientOrderId) ?? null,
            replacedEndedSeq: ended.get(e.event.replaces) ?? null,
          },
        ]
      : [],
  );
}

describe('passive then cross', () => {
  it('fills part of the parent as a maker where market children take it all, and completes', () => {
    const market = buyFills(run(withPlacement('')));
    expect(market.maker).toBe(0);
    const r = run(withPlacement('{ kind: passive-then-cross, crossWhenBehind: 0.05 }'));
    expect(r.report.expectations.filter((e) => !e.pass)).toEqual([]);
    const placed = buyFills(r);
    expect(placed.created.every((c) => c.event.type === 'limit' && c.event.tif === 'GTC')).toBe(true);
    expect(placed.maker).toBeGreaterThan(0);
    expect(placed.maker).toBeGreaterThan(market.maker);
    expect(placed.parent.filledQty).toBe('2');
    expect(placed.parent.status).toBe('filled');
    // Stored with the plan; the same run again gives the same digest.
    const planned = r.of('TwapPlanned').find((e) => e.event.parentId === 'twap-buy')!.event;
    expect(planned.placement).toEqual({ kind: 'passive-then-cross', offsetTicks: 0, crossWhenBehind: { share: 0.05 } });
    expect(run(withPlacement('{ kind: passive-then-cross, crossWhenBehind: 0.05 }')).report.digest).toBe(
      r.report.digest,
    );
  });

  it('crosses only when behind by more than its threshold: far from the touch, a parent that may fall all behind fills nothing, one that may fall 5% behind crosses and completes', () => {
    const deep = (behind: string) =>
      buyFills(run(withPlacement(`{ kind: passive-then-cross, offsetTicks: 20000, crossWhenBehind: ${behind} }`)));
    const never = deep('1');
    expect(never.parent.filledQty).toBe('0'); // 200 USDT under the bid: never reached, never crossed
    const crossing = deep('0.05');
    expect(crossing.taker).toBeGreaterThan(0);
    expect(crossing.parent.filledQty).toBe('2');
    expect(crossing.parent.status).toBe('filled');
  });

  it('re-prices a resting child to cross between slices once the parent falls behind: once per slice, after the child ended, above its price', () => {
    const r = run(withPlacement(CROSS_AT_ONCE));
    expect(r.report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(r.report.duplicateOrders).toEqual([]);
    const chain = replacementOrder(r.log);
    expect(chain.length).toBeGreaterThan(0);
    const created = r.of('OrderCreated');
    const amended = r.of('ChildAmended');
    const priceOf = (id: string) => amended.filter((e) => e.event.clientOrderId === id).at(-1)?.event.limitPrice;
    for (const c of chain) {
      expect(c.id.endsWith('-r1')).toBe(true); // never a second re-price of a slice
      expect(c.submitSeq).not.toBeNull();
      expect(c.submitSeq as number).toBeGreaterThan(c.replacedEndedSeq as number);
      // Not at a slice's time: between two of them, 60 s apart from 30 s in.
      const slice = created.find((e) => e.event.clientOrderId === c.replaces)!;
      expect(c.createdAt).toBeGreaterThan(slice.event.scheduledTime);
      expect(c.createdAt).toBeLessThan(slice.event.scheduledTime + 60_000);
      expect(priceOf(c.id) as number).toBeGreaterThan(priceOf(c.replaces) as number);
    }
    const placed = buyFills(r);
    expect(placed.parent.filledQty).toBe('2');
    expect(placed.parent.slicesExecuted).toBe(10);
  });

  it('is refused where it cannot apply, at its field', () => {
    expect(() => parseScenario(withPlacement('{ kind: passive-then-cross, crossWhenBehind: 1.5 }'), 'x.yaml')).toThrow(
      /orders\[0\]\.placement\.crossWhenBehind: /,
    );
    expect(() => parseScenario(withPlacement('{ kind: chaser, thresholdTicks: -1 }'), 'x.yaml')).toThrow(
      /orders\[0\]\.placement\.thresholdTicks: /,
    );
    expect(() => parseScenario(withPlacement('{ kind: sniper }'), 'x.yaml')).toThrow(
      /orders\[0\]\.placement\.kind: must have kind market, passive-then-cross or chaser/,
    );
    expect(() =>
      parseScenario(withPlacement('{ kind: passive-then-cross, crossWhenBehindQty: "0.000001" }'), 'x.yaml'),
    ).toThrow(/orders\[0\]\.placement\.crossWhenBehindQty: /);
    expect(() => parseScenario(withPlacement('{ kind: passive-then-cross, everyMs: 50 }'), 'x.yaml')).toThrow(
      /orders\[0\]\.placement\.everyMs: must be at least 100 ms/,
    );
    expect(() => parseScenario(withPlacement('{ kind: passive-then-cross, everyMs: 1.5 }'), 'x.yaml')).toThrow(
      /orders\[0\]\.placement\.everyMs: must be a whole number of milliseconds/,
    );
    expect(() =>
      parseScenario(
        withPlacement('{ kind: chaser }').replace('type: market\n    twap', 'type: stop\n    twap'),
        'x.yaml',
      ),
    ).toThrow(/placement\.kind: chaser places limit children: a stop order cannot have it/);
  });

  it('parses every block the generator arbitrary draws', () => {
    fc.assert(
      fc.property(placementArb, (p) => {
        const loaded = parseScenario(withPlacement(p.yaml), 'x.yaml');
        expect(loaded.scenario.orders[0]?.placement?.kind).toBe(p.kind);
      }),
      { numRuns: 40 },
    );
  });
});

/** Crosses once anything due has not filled: a resting child is re-priced mid-slice. */
const CROSS_AT_ONCE = '{ kind: passive-then-cross, crossWhenBehind: 0 }';

const JUMPS =
  'faults:\n  - { kind: price_jump, at: PT2M10S, bps: 20 }\n  - { kind: price_jump, at: PT5M10S, bps: 30 }\n';
const CHASER = '{ kind: chaser, thresholdTicks: 2, everyMs: 2000, maxChases: 10 }';

describe('a chaser', () => {
  it('follows a touch that moves away: its replacements go out at the new touch, each only after the child it replaces ended', () => {
    const r = run(withPlacement(CHASER, JUMPS));
    expect(r.report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(r.report.duplicateOrders).toEqual([]);
    const chain = replacementOrder(r.log);
    expect(chain.length).toBeGreaterThan(0);
    for (const c of chain) {
      expect(c.replacedEndedSeq).not.toBeNull();
      if (c.submitSeq !== null) expect(c.submitSeq).toBeGreaterThan(c.replacedEndedSeq as number);
    }
    // A replacement sent after a jump is priced within the threshold of the bid it saw.
    const jump = Date.parse('2024-08-09T00:02:10Z');
    const after = r.of('ChildAmended').filter((e) => e.event.clientOrderId.includes('-r') && e.time > jump);
    expect(after.length).toBeGreaterThan(0);
    const before = r
      .of('ChildAmended')
      .filter(
        (e) => e.time < jump && r.of('OrderCreated').some((c) => c.event.clientOrderId === e.event.clientOrderId),
      );
    const lastBefore = before.at(-1)!.event.limitPrice as number;
    expect(after[0]!.event.limitPrice as number).toBeGreaterThan(lastBefore + 2);
    expect(buyFills(r).parent.filledQty).toBe('2');
    expect(r.report.parents.find((p) => p.id === 'twap-buy')!.slicesExecuted).toBe(10);
  });

  it('places a limit order too: its offset is the policy’s, its children held to its limit price', () => {
    const r = run(
      withPlacement(CHASER).replace(
        '    type: market\n    twap: { duration: PT10M',
        '    type: limit\n    twap: { duration: PT10M',
      ),
    );
    const children = buyFills(r).created;
    expect(children.length).toBeGreaterThan(0);
    expect(children.every((c) => c.event.type === 'limit' && c.event.tif === 'GTC')).toBe(true);
    expect(r.report.duplicateOrders).toEqual([]);
  });

  it('without the block the run is the TWAP it always was', () => {
    const plain = run(BASE);
    expect(run(withPlacement('{ kind: market }')).report.digest).toBe(plain.report.digest);
  });
});

describe('a crash in the middle of a re-pricing', () => {
  it('of a passive child to cross: ends with no duplicate order, the crossing replacement sent once the child ended, and nothing lost', () => {
    const clean = run(withPlacement(CROSS_AT_ONCE));
    const first = replacementOrder(clean.log)[0]!;
    const start = Date.parse('2024-08-09T00:00:00Z');
    let midway = 0;
    // Crashes from just before the replacement's creation to just before its send.
    for (const dt of [0, 1, 40, 120, 200]) {
      const at = first.createdAt - start + dt;
      const r = run(
        withPlacement(CROSS_AT_ONCE, `restarts:\n  - { at: PT${(at / 1000).toFixed(3)}S, downtime: PT20S }\n`),
      );
      expect(r.of('ProcessRestarted')).toHaveLength(1);
      expect(r.report.duplicateOrders).toEqual([]);
      expect(r.report.expectations.filter((e) => !e.pass)).toEqual([]);
      const restartedAt = r.of('ProcessRestarted')[0]!.seq;
      const chain = replacementOrder(r.log);
      for (const c of chain) {
        expect(c.id.endsWith('-r1')).toBe(true);
        if (c.submitSeq !== null) expect(c.submitSeq).toBeGreaterThan(c.replacedEndedSeq ?? Infinity);
      }
      const same = chain.find((c) => c.id === first.id);
      const seqOf = (id: string) => r.of('OrderCreated').find((e) => e.event.clientOrderId === id)!.seq;
      // A crash before the replacement was logged leaves the slice's own child as it is (the log
      // does not say whether it went out crossing); one logged before the crash is sent by the
      // restarted process, once the child ended.
      if (same !== undefined && seqOf(same.id) < restartedAt) {
        expect(same.submitSeq).not.toBeNull();
        if ((same.submitSeq as number) > restartedAt) midway++;
      }
      const parent = buyFills(r).parent;
      expect(parent.filledQty).toBe('2');
      expect(parent.status).toBe('filled');
      const last = new Map<string, string>();
      for (const e of r.log) if (e.event.kind === 'OrderStatusChanged') last.set(e.event.clientOrderId, e.event.to);
      for (const e of r.of('OrderCreated'))
        expect(last.get(e.event.clientOrderId) ?? 'pending_new').not.toBe('pending_new');
    }
    // At least one crash fell between the child's cancel and the replacement's send, and the
    // restarted process sent the replacement.
    expect(midway).toBeGreaterThanOrEqual(3);
  });

  it('ends with no duplicate order, the replacement sent once the chased child ended, and nothing lost', () => {
    const clean = run(withPlacement(CHASER, JUMPS));
    const first = replacementOrder(clean.log)[0]!;
    const start = Date.parse('2024-08-09T00:00:00Z');
    let midway = 0;
    // Crashes from the replacement's creation to just before its send (the poll is 250 ms).
    for (const dt of [0, 40, 120, 200]) {
      const at = first.createdAt - start + dt;
      const r = run(
        withPlacement(CHASER, `${JUMPS}restarts:\n  - { at: PT${(at / 1000).toFixed(3)}S, downtime: PT20S }\n`),
      );
      expect(r.of('ProcessRestarted')).toHaveLength(1);
      expect(r.report.duplicateOrders).toEqual([]);
      expect(r.report.expectations.filter((e) => !e.pass)).toEqual([]);
      const chain = replacementOrder(r.log);
      const same = chain.find((c) => c.id === first.id);
      // expect(same).toBeDefined();
      for (const c of chain)
        if (c.submitSeq !== null) expect(c.submitSeq).toBeGreaterThan(c.replacedEndedSeq ?? Infinity);
      const restartedAt = r.of('ProcessRestarted')[0]!.seq;
      const sentAt = same!.submitSeq;
      if (sentAt !== null && sentAt > restartedAt) midway++;
      // Nothing is left pending, and the parent fills exactly its quantity.
      const parent = buyFills(r).parent;
      expect(parent.filledQty).toBe('2');
      expect(parent.status).toBe('filled');
      const created = r.of('OrderCreated').map((e) => e.event.clientOrderId as string);
      const last = new Map<string, string>();
      for (const e of r.log) if (e.event.kind === 'OrderStatusChanged') last.set(e.event.clientOrderId, e.event.to);
      for (const id of created)
        expect(last.get(id) === undefined ? 'pending_new' : last.get(id)).not.toBe('pending_new');
    }
    // At least one crash fell between the chased child's cancel and its replacement's send, and
    // the restarted process sent the replacement.
    expect(midway).toBeGreaterThan(0);
  });
});
