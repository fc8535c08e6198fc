// The log's digest is over the bytes CanonicalBytes writes, and stored runs are verified by
// hashing their lines as text (canonicalLine): the two must give the same UTF-8 for every value
// JSON can hold, every number (whole, fractional, negative, -0, past 32 bits, past 2^53), every
// string (escapes, non-ASCII, lone surrogates), and a failed line must leave nothing behind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectIs } from '../../../test/support/hot-expect.ts';
import type { LogEntry } from '../model/events.ts';
import { MarketSample } from '../report/market-sampler.ts';
import { CanonicalBytes, payloadHeads } from './canonical-bytes.ts';
import { canonicalJson } from './canonical-json.ts';
import { canonicalLine } from './event-log.ts';
import {
  fractionNumber,
  jsonNumber as number,
  jsonText as text,
  jsonValue as value,
} from '../../../test/support/json-values.ts';

const utf8 = new TextEncoder();
const utf8Text = new TextDecoder();

/** `expect(actual).toEqual(expected)` for bytes: compared by Buffer.compare, and by vitest (for
 *  its diff) only when they differ; its element-by-element equality was most of these
 *  properties' time. */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.compare(actual, expected) !== 0) expect(actual).toEqual(expected);
}

function jsonBytes(v: unknown, writer = new CanonicalBytes()): Uint8Array {
  const start = writer.used;
  writer.json(v);
  return writer.buf.slice(start, writer.used);
}

describe('CanonicalBytes', () => {
  it('writes the UTF-8 of canonicalJson for any JSON value', () => {
    const writer = new CanonicalBytes();
    fc.assert(
      fc.property(value, (v) => {
        expectBytes(jsonBytes(v, writer), utf8.encode(canonicalJson(v)));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes the UTF-8 of canonicalLine for any entry, one line after another', () => {
    const entry = fc.record({
      seq: fc.nat(),
      time: number,
      event: fc
        .tuple(text, fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 6 }))
        .map(([kind, payload]) => ({ ...payload, kind })),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), (entries) => {
        // A small writer: lines and values past its size make it grow in the middle of a line.
        const writer = new CanonicalBytes();
        writer.buf = new Uint8Array(16);
        let expected = '';
        for (const e of entries) {
          writer.line(e as unknown as LogEntry);
          expected += canonicalLine(e as unknown as LogEntry);
        }
        expectBytes(writer.buf.slice(0, writer.used), utf8.encode(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a long string seen before (copied from its bytes as written then) as it wrote it the first time', () => {
    // Long strings of every kind (escapes, non-ASCII, lone surrogates, ids built by
    // concatenation as client order ids are), drawn from a small pool so most come back.
    const long = fc.oneof(
      fc.string({ minLength: 16, maxLength: 48, size: 'max' }),
      fc.string({ unit: 'binary', minLength: 16, maxLength: 48, size: 'max' }),
      fc.string({ unit: 'grapheme', minLength: 16, maxLength: 24, size: 'max' }),
      fc.stringMatching(/^[0-9a-f]{32}$/).map((hex) => 'x' + hex),
    );
    fc.assert(
      fc.property(
        fc.array(long, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 12, size: 'max' }),
        (pool, picks) => {
          const writer = new CanonicalBytes();
          writer.buf = new Uint8Array(16);
          let expected = '';
          for (const [i, j] of picks) {
            const s = pool[i % pool.length] as string;
            const v = j % 2 === 0 ? s : { id: s, n: j };
            writer.json(v);
            expected += canonicalJson(v);
          }
          expectBytes(writer.buf.slice(0, writer.used), utf8.encode(expected));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('writes long strings right past the number of them it remembers, and again after', () => {
    const writer = new CanonicalBytes();
    const ids = Array.from({ length: 5000 }, (_, i) => `x${String(i).padStart(31, '0')}`);
    for (const s of [...ids, ...ids.slice(0, 50), ...ids.slice(-50)]) {
      const start = writer.used;
      writer.json(s);
      expectBytes(writer.buf.slice(start, writer.used), utf8.encode(JSON.stringify(s)));
    }
  });

  it('writes a number with a fraction as ToString does, digit for digit, from its own digits where it can', () => {
    const writer = new CanonicalBytes();
    // The writer's own path (private): true when it wrote the number itself.
    const own = (n: number): boolean => {
      const start = writer.used;
      const wrote = (writer as unknown as { fraction(n: number): boolean }).fraction(n);
      writer.used = start;
      return wrote;
    };
    let mine = 0;
    let inRange = 0;
    fc.assert(
      // 20,000 cases: expect is called only on a mismatch.
      fc.property(fractionNumber, (n) => {
        expectIs(utf8Text.decode(jsonBytes(n, writer)), String(n));
        if (Math.abs(n) >= 2 ** 26) {
          inRange++;
          if (own(n)) mine++;
        }
      }),
      { numRuns: 20_000 },
    );
    // Most numbers in its range are written from their digits, not handed to JSON.stringify.
    expect(mine / inRange).toBeGreaterThan(0.9);
    // Ties between two decimals of the fewest digits (x.25 and x.75 with a last place of 1/4,
    // x.25 with 1/8: 2.5 tenths each way) go to JSON.stringify; the range's ends and a time are
    // written here.
    for (const n of [2 ** 50 + 0.25, 2 ** 50 + 0.75, 2 ** 49 + 0.25]) {
      expect(own(n)).toBe(false);
      expect(utf8Text.decode(jsonBytes(n, writer))).toBe(String(n));
    }
    for (const n of [
      2 ** 26 + 2 ** -26,
      2 ** 52 - 0.5,
      -(2 ** 52 - 0.5),
      1723161630023.3525,
      1723161630023.3525390625,
    ]) {
      expect(own(n)).toBe(true);
      expect(utf8Text.decode(jsonBytes(n, writer))).toBe(String(n));
    }
  });

  it('writes objects of one shape alike, whatever order their keys were set in', () => {
    const writer = new CanonicalBytes();
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(value, { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
        (keys, rows, order) => {
          for (const [r, vals] of rows.entries()) {
            // Every other row sets its keys in another order: two shapes of the same keys.
            const ks =
              r % 2 ? [...keys].sort((a, b) => (order[keys.indexOf(a)] ?? 0) - (order[keys.indexOf(b)] ?? 0)) : keys;
            const obj: Record<string, unknown> = {};
            ks.forEach((k, i) => (obj[k] = vals[i]));
            expectBytes(jsonBytes(obj, writer), utf8.encode(canonicalJson(obj)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses what JSON cannot carry and leaves nothing of the failed line', () => {
    const writer = new CanonicalBytes();
    writer.line({ seq: 1, time: 5, event: { kind: 'A', x: 1 } } as unknown as LogEntry);
    const used = writer.used;
    const bad = [{ x: Infinity }, { x: [undefined] }, { x: () => 1 }, { x: 10n }];
    for (const payload of bad) {
      expect(() =>
        writer.line({ seq: 2, time: 6, event: { kind: 'B', ok: 'yes', ...payload } } as unknown as LogEntry),
      ).toThrow(/non-finite|cannot put/);
      expect(writer.used).toBe(used);
    }
    expect(utf8Text.decode(writer.buf.subarray(0, writer.used))).toBe('1 5 A {"x":1}\n');
  });
});

describe('self-written payloads', () => {
  const orNull = fc.option(number, { nil: null });
  const sample = fc
    .tuple(
      fc.constantFrom('interval' as const, 'fill' as const),
      orNull,
      orNull,
      orNull,
      orNull,
      number,
      number,
      orNull,
      orNull,
    )
    .map((f) => new MarketSample(...f));

  it('a market sample writes the bytes of its plain copy, a line among others, from any writer size', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), number, sample), { minLength: 1, maxLength: 6 }), (rows) => {
        const own = new CanonicalBytes();
        own.buf = new Uint8Array(16);
        const generic = new CanonicalBytes();
        let text = '';
        for (const [seq, time, event] of rows) {
          own.line({ seq, time, event });
          // A plain object of the same keys (as read back from a store) takes the generic path.
          const plain = { ...event };
          expectIs(Object.getPrototypeOf(plain), Object.prototype);
          generic.line({ seq, time, event: plain });
          text += canonicalLine({ seq, time, event: plain });
        }
        expectBytes(own.buf.slice(0, own.used), generic.buf.slice(0, generic.used));
        expectBytes(own.buf.slice(0, own.used), utf8.encode(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('a market sample with a non-finite number fails as the generic writer does and leaves nothing', () => {
    const writer = new CanonicalBytes();
    writer.line({ seq: 1, time: 5, event: new MarketSample('fill', 1, 2, 3, 4, 0, 0, null, null) });
    const used = writer.used;
    for (const bad of [
      new MarketSample('interval', 1, 2, 3, 4, 1, 5, Infinity, 7),
      new MarketSample('interval', 1, NaN, 3, 4, 1, 5, 2.5, 7),
      new MarketSample('interval', 1, 2, 3, 4, -Infinity, 5, 2.5, 7),
    ]) {
      expect(() => writer.line({ seq: 2, time: 6, event: bad })).toThrow(/non-finite number/);
      expect(() => new CanonicalBytes().line({ seq: 2, time: 6, event: { ...bad } })).toThrow(/non-finite number/);
      expect(writer.used).toBe(used);
    }
    expect(utf8Text.decode(writer.buf.subarray(0, writer.used))).toBe(
      '1 5 MarketSampled {"ask":2,"askQty":4,"bid":1,"bidQty":3,"last":null,"trades":0,"trigger":"fill","volume":0,"vwap":null}\n',
    );
  });

  it('payload heads must be given distinct and in canonical order', () => {
    expect(utf8Text.decode(payloadHeads(['a', 'b"', 'c'])['b"'])).toBe('"b\\"":');
    expect(() => payloadHeads(['b', 'a'])).toThrow(/distinct and sorted/);
    expect(() => payloadHeads(['a', 'a'])).toThrow(/distinct and sorted/);
  });
});
