import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromSteps, toSteps } from '../../core/model/decimal.ts';
import {
  BinanceLineError,
  BinanceLineParser,
  decimalToSteps,
  stepGrid,
  type BinanceMessage,
} from './binance-messages.ts';

// Lines as recorded (shortened level lists), from btcusdt_20240808.gz.
const DEPTH_LINE =
  '1723161253937085768 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT",' +
  '"U":50093239189,"u":50093239202,"b":[["61737.63000000","0.00000000"],["61730.17000000","1.25869000"]],' +
  '"a":[["61837.64000000","1.54698000"]]}}';
const BBO_LINE =
  '1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000",' +
  '"B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}';
const TRADE_LINE =
  '1723161254087896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,' +
  '"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}';
const SNAPSHOT_LINE =
  '1723161254206652067 {"lastUpdateId":50093239218,"bids":[["61837.63000000","3.78826000"],["61837.62000000","0.61700000"]],' +
  '"asks":[["61837.64000000","1.60520000"]]}';

/** The replay grid: tick 0.01, quantities at the feed's precision (see the module comment). */
const feed = new BinanceLineParser({ tickSize: '0.01', lotSize: '0.00000001' });
/** The instrument's order grid: tick 0.01, lot 0.00001. */
const lots = new BinanceLineParser({ tickSize: '0.01', lotSize: '0.00001' });

function problem(parser: BinanceLineParser, line: string, lineNo = 7): string {
  try {
    parser.parse(line, lineNo);
  } catch (e) {
    expect(e).toBeInstanceOf(BinanceLineError);
    expect((e as BinanceLineError).lineNo).toBe(lineNo);
    expect((e as Error).message.startsWith(`line ${lineNo}: `)).toBe(true);
    return (e as BinanceLineError).problem;
  }
  throw new Error(`expected ${line} to be refused`);
}

describe('BinanceLineParser', () => {
  it('parses a depth diff into flat tick/lot levels', () => {
    const m = lots.parse(DEPTH_LINE, 1);
    expect(m).toEqual({
      kind: 'depth',
      recvMs: m.recvMs,
      eventMs: 1723161255208,
      firstId: 50093239189,
      lastId: 50093239202,
      bids: [6173763, 0, 6173017, 125869],
      asks: [6183764, 154698],
    });
  });

  it('parses bookTicker, trade and snapshot lines', () => {
    expect(lots.parse(BBO_LINE, 2)).toEqual({
      kind: 'bbo',
      recvMs: 1723161254087 + 891_268 / 1e6,
      updateId: 50093239212,
      bid: 6183763,
      bidQty: 378826,
      ask: 6183764,
      askQty: 154698,
    });
    expect(lots.parse(TRADE_LINE, 3)).toEqual({
      kind: 'trade',
      recvMs: 1723161254087 + 896_568 / 1e6,
      eventMs: 1723161255343,
      tradeMs: 1723161255342,
      tradeId: 3735683259,
      price: 6183763,
      qty: 2000,
      buyerIsMaker: true,
    });
    expect(feed.parse(SNAPSHOT_LINE, 4)).toEqual({
      kind: 'snapshot',
      recvMs: 1723161254206 + 652_067 / 1e6,
      lastUpdateId: 50093239218,
      bids: [6183763, 378826000, 6183762, 61700000],
      asks: [6183764, 160520000],
    });
  });

  it('keeps the receive time to the microsecond although the ns value exceeds 2^53', () => {
    const m = lots.parse(BBO_LINE, 1);
    expect(Math.floor(m.recvMs)).toBe(1723161254087);
    expect(m.recvMs - 1723161254087).toBeCloseTo(0.891268, 3);
    const small = lots.parse(BBO_LINE.replace('1723161254087891268', '1500'), 1);
    expect(small.recvMs).toBe(0.0015);
    const long = lots.parse(BBO_LINE.replace('1723161254087891268', '172316125408789126812'), 1);
    expect(long.recvMs).toBe(172316125408789 + 126_812 / 1e6);
    expect(problem(lots, BBO_LINE.replace('1723161254087891268', '1'.repeat(23)))).toBe(
      'receive time has 23 digits, too many for ns since epoch',
    );
  });

  it('reads keys in any order, skips unknown keys and allows whitespace', () => {
    const shuffled =
      '1723161254087891268  { "stream" : "btcusdt@bookTicker" , "data" : { "A" : "1.54698000", "x": {"y": [1, -2.5e3, "q\\"z"]},' +
      ' "a":"61837.64", "B":"3.78826000" , "b":"61837.63", "s":"BTCUSDT", "u":50093239212, "n": null } , "extra": false } ';
    expect(lots.parse(shuffled, 1)).toEqual(lots.parse(BBO_LINE, 1));
  });

  it('parses a byte range of a larger buffer and reads nothing past its end', () => {
    const text = `${BBO_LINE}\n${TRADE_LINE}\n`;
    const bytes = new TextEncoder().encode(text);
    const second = BBO_LINE.length + 1;
    const m = feed.parseBytes(bytes, second, second + TRADE_LINE.length, 9);
    expect(m).toEqual(feed.parse(TRADE_LINE, 9));
    // a range that ends inside a number must not borrow digits from the next bytes
    const cut = BBO_LINE.indexOf('"61837.64') + 5;
    const line = new TextEncoder().encode(BBO_LINE);
    expect(() => feed.parseBytes(line, 0, cut, 3)).toThrow(/line 3: unterminated/);
  });

  it('refuses off-grid quantities with the line, the value and the step', () => {
    // a far level from the recording whose quantity is finer than today's 0.00001 lot
    const line = DEPTH_LINE.replace('"1.54698000"', '"25.42618900"');
    expect(problem(lots, line, 1886)).toBe('level quantity "25.42618900": 25.42618900 is not a multiple of 0.00001');
    expect((feed.parse(line, 1886) as { asks: number[] }).asks).toEqual([6183764, 2542618900]);
    expect(problem(lots, BBO_LINE.replace('"61837.63000000"', '"61837.635"'))).toBe(
      '"b" "61837.635": 61837.635 is not a multiple of 0.01',
    );
  });

  it('names the problem in bad lines', () => {
    expect(problem(feed, '')).toBe('empty line');
    expect(problem(feed, '{"stream":"x"}')).toMatch(/must start with digits and a space/);
    expect(problem(feed, '123 {"result":null,"id":1}')).toMatch(
      /unknown message: expected "stream" or "lastUpdateId" as the first key, found '"result"/,
    );
    expect(problem(feed, BBO_LINE.replace('@bookTicker', '@aggTrade'))).toBe(
      'unknown stream "btcusdt@aggTrade" (expected <symbol>@depth@100ms, @depth, @bookTicker or @trade)',
    );
    expect(problem(feed, BBO_LINE.replace('"u":50093239212,', ''))).toBe('bookTicker message is missing "u"');
    expect(problem(feed, TRADE_LINE.replace('"m":true,', ''))).toBe('trade message is missing "m"');
    expect(problem(feed, DEPTH_LINE.slice(0, 150))).toMatch(/unexpected end of line|unterminated/);
    expect(problem(feed, BBO_LINE.replace('"61837.63000000"', '"-61837.63"'))).toBe('"b" "-61837.63" is negative');
    expect(problem(feed, BBO_LINE.replace('"61837.63000000"', '"abc"'))).toMatch(
      /"b" "abc": "abc" is not a decimal number/,
    );
    expect(problem(feed, DEPTH_LINE.replace('"U":50093239189', '"U":50093239999'))).toBe(
      'depth update has U 50093239999 > u 50093239202',
    );
    expect(problem(feed, DEPTH_LINE.replace('"depthUpdate"', '"trade"'))).toBe(
      '"e" is "trade", expected "depthUpdate"',
    );
    expect(problem(feed, BBO_LINE.replace('"u":50093239212', '"u":5.5'))).toMatch(/"u" must be an integer/);
    expect(problem(feed, `${BBO_LINE} x`)).toMatch(/unexpected text after the message/);
    expect(problem(feed, BBO_LINE.replace(',"B"', ';"B"'))).toMatch(/expected ',' or '}' at column \d+, found ';"B"/);
    expect(problem(feed, SNAPSHOT_LINE.replace('"asks"', '"asks_"'))).toBe('snapshot is missing "asks"');
  });

  it('round-trips random levels written the way Binance writes them (property)', () => {
    const level = fc.tuple(fc.integer({ min: 1, max: 20_000_000 }), fc.integer({ min: 0, max: 10_000_000_000 }));
    fc.assert(
      fc.property(
        fc.array(level, { maxLength: 30, size: 'max' }),
        fc.array(level, { maxLength: 30, size: 'max' }),
        (bids, asks) => {
          const fmt = (steps: number, step: string): string => {
            const s = fromSteps(steps, step);
            const [i, f = ''] = s.split('.');
            return `${i}.${f.padEnd(8, '0')}`;
          };
          const side = (levels: Array<[number, number]>): string =>
            `[${levels.map(([p, q]) => `["${fmt(p, '0.01')}","${fmt(q, '0.00000001')}"]`).join(',')}]`;
          const line =
            `1723161253937085768 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT",` +
            `"U":10,"u":12,"b":${side(bids)},"a":${side(asks)}}}`;
          const m = feed.parse(line, 1) as Extract<BinanceMessage, { kind: 'depth' }>;
          expect(m.bids).toEqual(bids.flat());
          expect(m.asks).toEqual(asks.flat());
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('decimalToSteps (fast path) agrees with toSteps', () => {
  const outcome = (f: () => number): number | string => {
    try {
      return f();
    } catch (e) {
      return `throws: ${(e as Error).message}`;
    }
  };
  const steps = ['0.01', '0.00001', '0.00000001', '1', '10', '0.05', '0.5', '0.0025', '1.50', '0.000001'];

  it('on well-formed decimals, on and off the grid (property)', () => {
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^\d{1,17}$/),
        fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }),
      )
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`);
    const step = fc.oneof(
      fc.constantFrom(...steps),
      fc
        .tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 9 }))
        .map(([m, s]) => fromSteps(m, (10 ** -s).toFixed(s))),
    );
    fc.assert(
      fc.property(decimal, step, (text, st) => {
        expect(outcome(() => decimalToSteps(text, stepGrid(st)))).toEqual(outcome(() => toSteps(text, st)));
      }),
      { numRuns: 5_000 },
    );
  });

  it('on exact multiples of the step (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...steps),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 4 }),
        (st, n, pad) => {
          const text = fromSteps(n, st);
          const padded = text.includes('.') ? text + '0'.repeat(pad) : pad > 0 ? `${text}.${'0'.repeat(pad)}` : text;
          expect(decimalToSteps(padded, stepGrid(st))).toBe(n);
          expect(toSteps(padded, st)).toBe(n);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('on junk and edge cases (property)', () => {
    const junk = fc.string({ unit: fc.constantFrom(...'0123456789.-+e x'.split('')), maxLength: 24, size: 'max' });
    fc.assert(
      fc.property(junk, fc.constantFrom(...steps), (text, st) => {
        expect(outcome(() => decimalToSteps(text, stepGrid(st)))).toEqual(outcome(() => toSteps(text, st)));
      }),
      { numRuns: 5_000 },
    );
    for (const text of [
      '9007199254740991',
      '9007199254740992',
      '90071992547409.91',
      '00012.50',
      '1.',
      '.5',
      '-0',
      '',
      ' 1.5',
    ]) {
      for (const st of steps)
        expect(outcome(() => decimalToSteps(text, stepGrid(st)))).toEqual(outcome(() => toSteps(text, st)));
    }
  });
});
