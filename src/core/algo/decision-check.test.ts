import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../log/canonical-json.ts';
import { checkDecision, MAX_MEMO_CHARS, NotPlainData } from './decision-check.ts';

const NOW = 1_700_000_000_000;
/** The parent's children in these cases: handles 1 to 5. */
const known = (h: number): boolean => h >= 1 && h <= 5;

const arbPeg = fc.record(
  {
    to: fc.constantFrom('touch', 'mid', 'far'),
    offsetTicks: fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constantFrom(-100_000, 100_000)),
  },
  { requiredKeys: ['to'] },
);
const arbPlace = fc.oneof(
  fc.record({ kind: fc.constant('place'), qty: fc.integer({ min: 1, max: 1e6 }), type: fc.constant('market') }),
  fc.record(
    {
      kind: fc.constant('place'),
      qty: fc.integer({ min: 1, max: 1e6 }),
      type: fc.constant('limit'),
      price: fc.integer({ min: 1, max: 1e9 }),
      tif: fc.constantFrom('GTC', 'IOC', 'DAY'),
    },
    { requiredKeys: ['kind', 'qty', 'type', 'price'] },
  ),
  fc.record({
    kind: fc.constant('place'),
    qty: fc.integer({ min: 1, max: 1e6 }),
    type: fc.constant('limit'),
    peg: arbPeg,
  }),
);
const arbCancel = fc.record({ kind: fc.constant('cancel'), child: fc.integer({ min: 1, max: 5 }) });
const arbReplace = fc.record(
  {
    kind: fc.constant('replace'),
    child: fc.integer({ min: 1, max: 5 }),
    qty: fc.integer({ min: 1, max: 1e6 }),
    price: fc.integer({ min: 1, max: 1e9 }),
  },
  { requiredKeys: ['kind', 'child'] },
);
const arbMemo = fc.jsonValue({ maxDepth: 4 }).filter((v) => !Object.is(v, -0));
const arbDecision = fc.record(
  {
    intents: fc.array(fc.oneof(arbPlace, arbCancel, arbReplace), { maxLength: 6 }),
    wakeAt: fc.oneof(fc.constant(null), fc.integer({ min: NOW + 1, max: NOW + 86_400_000 })),
    memo: arbMemo,
    done: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** One way to break a well-formed decision, and the text the answer must hold. */
type Breaker = (d: Record<string, unknown>) => { decision: unknown; says: string };

const breakers: Breaker[] = [
  (d) => ({ decision: { ...d, extra: 1 }, says: 'unknown field extra' }),
  (d) => ({ decision: { ...d, intents: 'place' }, says: 'intents must be an array' }),
  (d) => ({ decision: { ...d, wakeAt: NOW }, says: 'is not after now' }),
  (d) => ({ decision: { ...d, wakeAt: 'soon' }, says: 'wakeAt must be a time' }),
  (d) => ({ decision: { ...d, done: 'yes' }, says: 'done must be true or false' }),
  (d) => ({ decision: { ...d, memo: { at: Number.NaN } }, says: 'memo.at: NaN is not a finite number' }),
  (d) => ({ decision: { ...d, memo: { at: new Date(0) } }, says: 'memo.at: a Date is not JSON' }),
  (d) => ({
    decision: { ...d, memo: { a: [1, { b: new NotPlainData('a Map') }] } },
    says: 'memo.a[1].b: a Map is not JSON',
  }),
  (d) => ({ decision: { ...d, memo: { 'odd key': undefined } }, says: 'memo["odd key"]: undefined is not JSON' }),
  (d) => ({ decision: { ...d, memo: 'x'.repeat(MAX_MEMO_CHARS) }, says: 'more than the 65536 a memo may hold' }),
  (d) => ({ decision: { ...d, memo: () => 1 }, says: 'memo: a function is not JSON' }),
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    intents.push({ kind: 'place', qty: 0, type: 'market' });
    return { decision: { ...d, intents }, says: `intents[${i}].qty must be a positive whole number of lots` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    intents.push({ kind: 'place', qty: 1, type: 'limit', price: 10, peg: { to: 'mid' } });
    return { decision: { ...d, intents }, says: `intents[${i}]: a limit needs a price or a peg` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    intents.push({ kind: 'place', qty: 1, type: 'limit', peg: { to: 'best' } });
    return { decision: { ...d, intents }, says: `intents[${i}].peg.to must be touch, mid or far` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    intents.push({ kind: 'place', qty: 1, type: 'market', price: 10 });
    return { decision: { ...d, intents }, says: `intents[${i}]: a market child takes no price` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    intents.push({ kind: 'cancel', child: 6 });
    return { decision: { ...d, intents }, says: `intents[${i}].child 6 names no child of this parent` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    intents.push({ kind: 'replace', child: 1, price: 10, peg: { to: 'touch' } });
    return { decision: { ...d, intents }, says: `intents[${i}]: a price or a peg, not both` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    // An offset that would price the child past any price there is (2^53 - 1 ticks from the touch).
    intents.push({ kind: 'place', qty: 1, type: 'limit', peg: { to: 'touch', offsetTicks: 2 ** 53 - 1 } });
    return { decision: { ...d, intents }, says: `intents[${i}].peg.offsetTicks must be at most 100000 ticks` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    intents.push({ kind: 'replace', child: 1, peg: { to: 'far', offsetTicks: -100_001 } });
    return { decision: { ...d, intents }, says: `intents[${i}].peg.offsetTicks must be at most 100000 ticks` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    while (intents.length <= 1_000) intents.push({ kind: 'place', qty: 1, type: 'market' });
    return { decision: { ...d, intents }, says: `intents: ${intents.length} in one decision, at most 1000` };
  },
  (d) => {
    const intents = [...((d.intents as unknown[] | undefined) ?? [])];
    const i = intents.length;
    intents.push({ kind: 'amend', child: 1 });
    return { decision: { ...d, intents }, says: `intents[${i}].kind must be place, cancel or replace` };
  },
];

describe('checkDecision', () => {
  it('passes every well-formed decision', () => {
    fc.assert(
      fc.property(arbDecision, (d) => {
        expect(checkDecision(d, NOW, known)).toBeNull();
      }),
    );
  });

  it('names the one thing broken in an otherwise well-formed decision', () => {
    fc.assert(
      fc.property(arbDecision, fc.integer({ min: 0, max: breakers.length - 1 }), (d, b) => {
        const { decision, says } = breakers[b]!(d as Record<string, unknown>);
        expect(checkDecision(decision, NOW, known)).toContain(says);
      }),
    );
  });

  it('keeps a memo whose JSON is at most MAX_MEMO_CHARS characters, and refuses one longer', () => {
    // A memo near the bound: padding of a character that JSON writes as 1, 2 or 6 characters.
    const arb = fc.record({
      extra: arbMemo,
      ch: fc.constantFrom('x', '"', '\\', '\n', '\u0001', 'é'),
      pad: fc.integer({ min: -300, max: 300 }),
    });
    fc.assert(
      fc.property(arb, ({ extra, ch, pad }) => {
        const width = canonicalJson(ch).length - 2;
        const base = canonicalJson({ extra, s: '' }).length;
        const memo = { extra, s: ch.repeat(Math.max(0, Math.floor((MAX_MEMO_CHARS - base + pad) / width))) };
        const chars = canonicalJson(memo).length;
        const answer = checkDecision({ memo }, NOW, known);
        if (chars <= MAX_MEMO_CHARS) expect(answer).toBeNull();
        else {
          // Exact, or a count that is at least past the bound and never more than the JSON's.
          const m = /^memo: its JSON is (at least )?(\d+) characters long, more than the 65536 a memo may hold$/.exec(
            answer ?? '',
          );
          expect(m, answer ?? 'null').not.toBeNull();
          const n = Number(m?.[2]);
          expect(n).toBeGreaterThan(MAX_MEMO_CHARS);
          if (m?.[1] === undefined) expect(n).toBe(chars);
          else expect(n).toBeLessThanOrEqual(chars);
        }
      }),
    );
  });

  it('refuses a memo far past the bound without writing it out', () => {
    const big = 'x'.repeat(20_000_000);
    expect(checkDecision({ memo: { s: big } }, NOW, known)).toBe(
      'memo: its JSON is at least 20000008 characters long, more than the 65536 a memo may hold',
    );
    const many = Array.from({ length: 10_000 }, () => 'y'.repeat(100));
    expect(checkDecision({ memo: { many } }, NOW, known)).toMatch(/^memo: its JSON is at least \d+ characters long/);
  });

  it('names what a decision or an intent was when it was not data at all', () => {
    expect(checkDecision(new NotPlainData('an instance of Plan'), NOW, known)).toBe(
      'the decision must be an object ({ intents, wakeAt, memo, done }) (not an instance of Plan)',
    );
    expect(checkDecision({ intents: [new NotPlainData('a Map')] }, NOW, known)).toBe(
      'intents[0] must be an object (not a Map)',
    );
  });

  it('refuses what is not an object, and a memo nested past its depth', () => {
    for (const d of [null, [], 'intents', 3]) expect(checkDecision(d, NOW, known)).toMatch(/must be an object/);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(checkDecision({ memo: deep }, NOW, known)).toBe('memo: nested deeper than 32');
  });
});
