import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  confidenceScore,
  FILL_METHODS,
  verifyFill,
  type ExpectedFill,
  type FillMethod,
  type FillObservation,
  type FillOutcome,
  type MethodClaim,
  type Verification,
} from './fill-verifier.ts';
import { FILL_STATUS_OF, type FillStatus, type ObservedStatus } from './fill-status.ts';

const RUNS = { numRuns: 500 };
const T0 = 1_723_161_600_000;
const obs = (o: Partial<FillObservation>): FillObservation => ({
  status: 'new',
  qty: 10,
  filledQty: 0,
  avgPrice: null,
  filledAt: null,
  submittedAt: T0,
  ...o,
});

/** Every status an observation may state. */
const statuses = Object.keys(FILL_STATUS_OF) as ObservedStatus[];
/** Any observation, including invalid and contradictory fields. */
const anyObservation = fc.integer({ min: 1, max: 50 }).chain((ordered) =>
  fc.record({
    ordered: fc.constant(ordered),
    o: fc.record({
      status: fc.constantFrom(...statuses),
      qty: fc.oneof(fc.constant(null), fc.constant(ordered), fc.integer({ min: 0, max: 60 })),
      filledQty: fc.oneof(
        fc.constant(null),
        fc.integer({ min: 0, max: ordered }),
        fc.integer({ min: -5, max: ordered + 5 }),
        fc.constantFrom(Number.NaN, 0.5, Infinity),
      ),
      avgPrice: fc.oneof(
        fc.constant(null),
        fc.constant(0),
        fc.integer({ min: 1, max: 1e9 }),
        fc.double({ min: -10, max: 10 }),
      ),
      filledAt: fc.oneof(
        fc.constant(null),
        fc.integer({ min: T0 - 10_000, max: T0 + 100_000 }),
        fc.constant(Number.NaN),
      ),
      submittedAt: fc.constant(T0),
    }),
  }),
);

describe('verifyFill', () => {
  it('confirms a full fill by every method with confidence 1', () => {
    const v = verifyFill(obs({ status: 'filled', filledQty: 10, avgPrice: 6_100_000, filledAt: T0 + 5 }), { qty: 10 });
    expect(v).toMatchObject({
      outcome: 'filled',
      filledQty: 10,
      remainingQty: 0,
      status: 'filled',
      contradictions: [],
      disagreed: [],
      confidence: 1,
    });
    expect(v.agreed).toEqual(['status', 'quantity', 'price', 'timestamp']);
  });

  it('reports the false positive "status filled, filled qty 0, no price" as not filled, with the contradiction', () => {
    const v = verifyFill(obs({ status: 'filled', filledQty: 0, avgPrice: null }), { qty: 10 });
    expect(v.outcome).toBe('not_filled');
    expect(v.filledQty).toBe(0);
    expect(v.disagreed).toEqual(['status']);
    expect(v.agreed).toEqual(['quantity']);
    expect(v.contradictions).toEqual(['status says full, quantity says none']);
    expect(v.confidence).toBeCloseTo(0.25 * 0.75);
  });

  it('takes any single confirming method when the others have no data', () => {
    // 'submitted' (no answer yet) says nothing of fills.
    expect(verifyFill(obs({ status: 'submitted', filledQty: 10 }), { qty: 10 }).outcome).toBe('filled');
    expect(verifyFill(obs({ status: 'filled', filledQty: null }), { qty: 10 }).outcome).toBe('filled');
    expect(verifyFill(obs({ status: 'submitted', filledQty: null, filledAt: T0 + 1 }), { qty: 10 }).outcome).toBe(
      'filled',
    );
    // A price proves something filled, not how much.
    expect(verifyFill(obs({ status: 'submitted', filledQty: null, avgPrice: 100 }), { qty: 10 }).outcome).toBe(
      'not_filled',
    );
  });

  it('reports a partial with filled and remaining quantity', () => {
    const v = verifyFill(obs({ status: 'partially_filled', filledQty: 4, avgPrice: 100 }), { qty: 10 });
    expect(v).toMatchObject({ outcome: 'partially_filled', filledQty: 4, remainingQty: 6, contradictions: [] });
    expect(v.agreed).toEqual(['status', 'quantity', 'price']);
  });

  it('records invalid fields and never confirms through them', () => {
    const over = verifyFill(obs({ status: 'filled', filledQty: 11, avgPrice: 100 }), { qty: 10 });
    expect(over.outcome).toBe('not_filled');
    expect(over.contradictions).toContain('quantity: filled qty 11 exceeds the 10 lots ordered');
    // A bad timestamp or price is recorded, but does not hide a fill status and quantity confirm.
    const early = verifyFill(obs({ status: 'filled', filledQty: 10, filledAt: T0 - 1 }), { qty: 10 });
    expect(early.outcome).toBe('filled');
    expect(early.disagreed).toEqual(['timestamp']);
    expect(early.contradictions[0]).toMatch(/before submission/);
    expect(early.confidence).toBe((2 / 4) * (3 / 4));
    const badPrice = verifyFill(obs({ status: 'new', filledQty: 0, avgPrice: -3 }), { qty: 10 });
    expect(badPrice).toMatchObject({ outcome: 'not_filled', disagreed: ['price'] });
    expect(badPrice.contradictions[0]).toMatch(/average fill price -3/);
    const otherQty = verifyFill(obs({ status: 'filled', qty: 12, filledQty: 10 }), { qty: 10 });
    expect(otherQty.outcome).toBe('not_filled');
    expect(otherQty.contradictions[0]).toMatch(/order qty 12 differs/);
  });

  it('never reports filled unless a method confirms a full fill, nor when quantities contradict; confidence in [0, 1]', () => {
    fc.assert(
      fc.property(anyObservation, ({ ordered, o }) => {
        const v = verifyFill(o, { qty: ordered });
        if (v.outcome === 'filled') {
          expect(FILL_METHODS.some((m) => v.claims[m] === 'full')).toBe(true);
          expect(['full', 'abstain']).toContain(v.claims.quantity);
          expect(o.filledQty === null || o.filledQty === ordered).toBe(true);
          expect(o.qty === null || o.qty === ordered).toBe(true);
          // Nothing claims less than full; only an invalid price or timestamp may disagree.
          expect(FILL_METHODS.every((m) => ['full', 'some', 'abstain'].includes(v.claims[m]))).toBe(true);
          expect(v.disagreed.every((m) => m === 'price' || m === 'timestamp')).toBe(true);
          expect(v.contradictions.every((c) => /^(price|timestamp): /.test(c))).toBe(true);
        }
        if (v.outcome === 'partially_filled') {
          expect(v.filledQty).toBe(o.filledQty);
          expect(v.filledQty).toBeGreaterThan(0);
          expect(v.filledQty).toBeLessThan(ordered);
        }
        expect(v.filledQty + v.remainingQty).toBe(ordered);
        expect(v.agreed.filter((m) => v.disagreed.includes(m))).toEqual([]);
        // Confidence: in [0, 1], the documented formula; and the verifier is pure.
        expect(v.confidence).toBe((v.agreed.length / 4) * (1 - v.disagreed.length / 4));
        expect(v.confidence >= 0 && v.confidence <= 1).toBe(true);
        expect(verifyFill(o, { qty: ordered })).toEqual(v);
      }),
      RUNS,
    );
  });

  it('has zero false positives on honest but incomplete, stale or uninformative observations', () => {
    // Ground truth: `filled` of `ordered` lots. Each field is accurate, missing, or stale (from an
    // earlier moment, so it can only understate); a status may say nothing of fills.
    const arb = fc.integer({ min: 1, max: 50 }).chain((ordered) =>
      fc.record({
        ordered: fc.constant(ordered),
        filled: fc.integer({ min: 0, max: ordered }),
        stale: fc.integer({ min: 0, max: ordered }),
        fields: fc.record({
          status: fc.constantFrom('true', 'stale', 'missing', 'unknown'),
          qty: fc.constantFrom('true', 'stale', 'missing'),
          price: fc.constantFrom('true', 'missing'),
          time: fc.constantFrom('true', 'missing'),
        }),
        name: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ ordered, filled, stale, fields, name }) => {
        const earlier = Math.min(stale, filled);
        const statusOf = (k: number): ObservedStatus[] =>
          k === ordered ? ['filled'] : k > 0 ? ['partially_filled'] : ['new', 'accepted', 'pending_new'];
        const spell = (k: number) => {
          const s = statusOf(k);
          return s[name % s.length] as ObservedStatus;
        };
        const o = obs({
          qty: ordered,
          status:
            fields.status === 'true'
              ? spell(filled)
              : fields.status === 'stale'
                ? spell(earlier)
                : fields.status === 'unknown'
                  ? 'submitted_unconfirmed'
                  : 'submitted',
          filledQty: fields.qty === 'true' ? filled : fields.qty === 'stale' ? earlier : null,
          avgPrice: fields.price === 'true' ? (filled > 0 ? 6_100_000 : 0) : null,
          filledAt: fields.time === 'true' && filled === ordered ? T0 + 1_000 : null,
        });
        const v = verifyFill(o, { qty: ordered });
        if (v.outcome === 'filled') expect(filled).toBe(ordered);
        if (v.outcome === 'partially_filled') expect(v.filledQty).toBeLessThanOrEqual(filled);
        // Redundancy: a full fill with no stale field is found by whichever confirming field is present.
        const noStale = fields.status !== 'stale' && fields.qty !== 'stale';
        const confirming = fields.status === 'true' || fields.qty === 'true' || fields.time === 'true';
        if (filled === ordered && noStale && confirming) expect(v.outcome).toBe('filled');
      }),
      RUNS,
    );
  });

  it('confidence is monotone: more agreeing methods never lower it, more disagreeing never raise it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), (a, d) => {
        fc.pre(a + d <= 4);
        const c = confidenceScore(a, d);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
        if (a + d < 4) {
          expect(confidenceScore(a + 1, d)).toBeGreaterThanOrEqual(c);
          expect(confidenceScore(a, d + 1)).toBeLessThanOrEqual(c);
        }
      }),
      { numRuns: 200 },
    );
    // ...and on observations: adding a confirming field to a confirmed fill never lowers it.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom<ObservedStatus>('filled', 'submitted'),
        fc.boolean(),
        (ordered, status, withQty) => {
          fc.pre(status === 'filled' || withQty);
          const base = obs({ status, qty: ordered, filledQty: withQty ? ordered : null });
          const more = [verifyFill(base, { qty: ordered })];
          more.push(verifyFill({ ...base, avgPrice: 5 }, { qty: ordered }));
          more.push(verifyFill({ ...base, avgPrice: 5, filledAt: T0 + 1 }, { qty: ordered }));
          for (let i = 1; i < more.length; i++) {
            expect(more[i]?.outcome).toBe('filled');
            expect(more[i]?.agreed.length).toBe((more[i - 1]?.agreed.length ?? 0) + 1);
            expect(more[i]?.confidence).toBeGreaterThan(more[i - 1]?.confidence ?? 1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a nonsensical ordered quantity (a caller bug, not venue data)', () => {
    expect(() => verifyFill(obs({}), { qty: 0 })).toThrow(RangeError);
    expect(() => verifyFill(obs({}), { qty: 1.5 })).toThrow(/positive whole number of lots/);
  });
});

// The verification as first written (claims as letter strings, methods through closures), kept as
// the reference the allocation-light verifyFill must match on every observation.
const normalizeStatus = (s: ObservedStatus): FillStatus => FILL_STATUS_OF[s];
type Check = { claim: MethodClaim; invalid?: string };
/** Which of full (F), partial (P), none (N) each claim allows. */
const ALLOWS: Record<Exclude<MethodClaim, 'abstain'>, string> = {
  full: 'F',
  partial: 'P',
  some: 'FP',
  none: 'N',
  not_full: 'PN',
};
const OUTCOME_LETTER: Record<FillOutcome, string> = { filled: 'F', partially_filled: 'P', not_filled: 'N' };

const STATUS_CLAIM: Record<FillStatus, MethodClaim> = {
  filled: 'full',
  partially_filled: 'partial',
  new: 'none',
  rejected: 'none',
  pending_change: 'not_full',
  canceled: 'not_full',
  expired: 'not_full',
  unknown: 'abstain',
};

function checkQuantity(o: FillObservation, ordered: number): Check {
  if (o.qty !== null && o.qty !== ordered)
    return {
      claim: 'abstain',
      invalid: `quantity: the venue's order qty ${o.qty} differs from the ${ordered} lots ordered`,
    };
  if (o.filledQty === null) return { claim: 'abstain' };
  const f = o.filledQty;
  if (!Number.isSafeInteger(f) || f < 0)
    return { claim: 'abstain', invalid: `quantity: filled qty ${f} is not a whole number of lots >= 0` };
  if (f > ordered)
    return { claim: 'abstain', invalid: `quantity: filled qty ${f} exceeds the ${ordered} lots ordered` };
  return { claim: f === ordered ? 'full' : f === 0 ? 'none' : 'partial' };
}

function checkPrice(o: FillObservation): Check {
  if (o.avgPrice === null) return { claim: 'abstain' };
  if (!Number.isFinite(o.avgPrice) || o.avgPrice < 0)
    return { claim: 'abstain', invalid: `price: average fill price ${o.avgPrice} is not a number >= 0` };
  return { claim: o.avgPrice > 0 ? 'some' : 'none' };
}

function checkTimestamp(o: FillObservation): Check {
  if (o.filledAt === null) return { claim: 'abstain' };
  if (!Number.isFinite(o.filledAt) || !Number.isFinite(o.submittedAt))
    return {
      claim: 'abstain',
      invalid: `timestamp: filled_at ${o.filledAt} or submitted_at ${o.submittedAt} is not a time`,
    };
  if (o.filledAt < o.submittedAt)
    return { claim: 'abstain', invalid: `timestamp: filled_at ${o.filledAt} is before submission at ${o.submittedAt}` };
  return { claim: 'full' };
}

/**
 * Confidence in [0, 1]: (agreeing / 4) x (1 - disagreeing / 4), over the four methods. All four
 * agreeing gives 1; each abstaining method lowers it (less evidence), each disagreeing or invalid
 * one lowers it more. Non-decreasing in `agreeing` for a fixed `disagreeing`, and vice versa.
 */
function referenceConfidence(agreeing: number, disagreeing: number): number {
  const n = 4;
  return (Math.min(Math.max(agreeing, 0), n) / n) * (1 - Math.min(Math.max(disagreeing, 0), n) / n);
}

function referenceVerifyFill(observation: FillObservation, expected: ExpectedFill): Verification {
  const ordered = expected.qty;
  if (!Number.isSafeInteger(ordered) || ordered <= 0)
    throw new RangeError(`verifyFill: ordered qty must be a positive whole number of lots, got ${ordered}`);
  const status = normalizeStatus(observation.status);
  const checks: Record<FillMethod, Check> = {
    status: { claim: STATUS_CLAIM[status] },
    quantity: checkQuantity(observation, ordered),
    price: checkPrice(observation),
    timestamp: checkTimestamp(observation),
  };
  const contradictions = FILL_METHODS.flatMap((m) => checks[m].invalid ?? []);
  const speaking = FILL_METHODS.filter((m) => checks[m].claim !== 'abstain');
  const allows = (m: FillMethod): string => {
    const claim = checks[m].claim;
    return claim === 'abstain' ? 'FPN' : ALLOWS[claim];
  };
  speaking.forEach((a, i) => {
    for (const b of speaking.slice(i + 1)) {
      if (![...allows(a)].some((x) => allows(b).includes(x)))
        contradictions.push(`${a} says ${checks[a].claim}, ${b} says ${checks[b].claim}`);
    }
  });
  /** What every speaking method allows at once: 'F' when they all fit a full fill only. */
  const allowed = speaking.reduce((acc, m) => [...acc].filter((x) => allows(m).includes(x)).join(''), 'FPN');
  const confirmsFull = speaking.some((m) => checks[m].claim === 'full');
  // Invalid quantities veto a fill; an invalid price or timestamp is recorded but does not (a
  // venue clock a few ms off ours must not hide a fill that status and quantity confirm).
  const quantityValid = checks.quantity.invalid === undefined;
  const outcome: FillOutcome =
    confirmsFull && quantityValid && allowed === 'F'
      ? 'filled'
      : checks.quantity.claim === 'partial'
        ? 'partially_filled'
        : 'not_filled';
  const letter = OUTCOME_LETTER[outcome];
  const agreed = speaking.filter((m) => allows(m).includes(letter));
  const disagreed = FILL_METHODS.filter(
    (m) => checks[m].invalid !== undefined || (speaking.includes(m) && !agreed.includes(m)),
  );
  const filledQty =
    outcome === 'filled' ? ordered : outcome === 'partially_filled' ? (observation.filledQty as number) : 0;
  return {
    outcome,
    filledQty,
    remainingQty: ordered - filledQty,
    status,
    claims: {
      status: checks.status.claim,
      quantity: checks.quantity.claim,
      price: checks.price.claim,
      timestamp: checks.timestamp.claim,
    },
    agreed,
    disagreed,
    contradictions,
    confidence: referenceConfidence(agreed.length, disagreed.length),
  };
}

describe('verifyFill against its reference implementation', () => {
  it('gives the same verification (outcome, claims, agreement, contradictions in order, confidence)', () => {
    fc.assert(
      fc.property(anyObservation, ({ ordered, o }) => {
        expect(verifyFill(o, { qty: ordered })).toEqual(referenceVerifyFill(o, { qty: ordered }));
      }),
      { numRuns: 3000 },
    );
  });
});
