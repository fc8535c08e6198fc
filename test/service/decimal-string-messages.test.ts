// A number where a decimal string belongs (a scenario file's `qty: 2`, an HTTP body's "qty": 2)
// is refused, since a number keeps about 15 digits and a decimal string all of them, with one
// message that says how to write it: `must be a decimal string: write "2" (quoted), not 2 (...)`,
// the value echoed as the decimal it stands for. The same words in a scenario file and on the
// HTTP API (`body.qty`); and the advice, followed, is taken.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { SANDBOX, sessionApp, type SessionAppFixture } from '../support/session-fixture.ts';

const WHY = '(a number keeps about 15 digits, a string all of them)';

/** A scenario with one market order of `qty` (YAML text as written) and a limit price `price`. */
const scenario = (qty: string, price = '"61000.10"') => `name: decimals
seed: 1
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
market: { model: static_book, asks: [["61000.10", "100"]] }
safety:
  preTrade: { maxOrderQty: "100000000", maxOrderNotional: "100000000000000", largeOrderNotional: "100000000000000", hardLimitNotional: "100000000000000" }
orders:
  - { id: a, side: buy, qty: ${qty}, type: limit, limitPrice: ${price}, route: single }
`;

/** The problems a scenario text is refused with (one per line, after the file's name). */
function problems(text: string): string[] {
  try {
    parseScenario(text, 'x.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message.split('\n').map((l) => l.replace(/^x\.yaml: /, ''));
  }
}

/** A decimal as its shortest plain text: no leading zeros, no trailing fraction zeros ("007.50" -> "7.5"). */
function shortest(text: string): string {
  const [whole, frac = ''] = text.split('.') as [string, string?];
  const w = whole.replace(/^0+(?=\d)/, '');
  const f = frac.replace(/0+$/, '');
  return f === '' ? w : `${w}.${f}`;
}

/** Decimals of at most 15 significant digits, 0 to 12 places, as a person writes them. */
const decimalText = fc
  .tuple(fc.bigInt({ min: 1n, max: 999_999_999_999_999n }), fc.integer({ min: 0, max: 12 }))
  .map(([digits, places]) => {
    const s = digits.toString().padStart(places + 1, '0');
    return places === 0 ? s : `${s.slice(0, s.length - places)}.${s.slice(s.length - places)}`;
  });

describe('a number where a scenario expects a decimal string', () => {
  it('says to quote it, echoing the decimal it stands for; quoted as said, it is no longer refused for its type', () => {
    fc.assert(
      fc.property(decimalText, (written) => {
        const meant = shortest(written);
        expect(problems(scenario(written))).toEqual([
          `orders[0].qty: must be a decimal string: write "${meant}" (quoted), not ${meant} ${WHY}`,
        ]);
        // The advice taken: no longer a type problem; a modest quantity on the lot grid is taken
        // whole (others meet the grid and the run's bounds, as any quoted quantity does).
        const quoted = problems(scenario(`"${meant}"`));
        expect(quoted.join('\n')).not.toMatch(/must be a (decimal )?string/);
        if (/^\d+(\.\d{1,5})?$/.test(meant) && Number(meant) <= 1000) expect(quoted).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('a number YAML reads in exponent form is echoed as the plain decimal; one past 15 digits is not guessed at', () => {
    expect(problems(scenario('0.00000100'))).toEqual([
      `orders[0].qty: must be a decimal string: write "0.000001" (quoted), not 0.000001 ${WHY}`,
    ]);
    expect(problems(scenario('1e3'))).toEqual([
      `orders[0].qty: must be a decimal string: write "1000" (quoted), not 1000 ${WHY}`,
    ]);
    expect(problems(scenario('9007199254740993'))).toEqual([
      `orders[0].qty: must be a decimal string: write the decimal meant in quotes; as a number it reads as 9007199254740992 ${WHY}`,
    ]);
    expect(problems(scenario('"1"', '61000.1'))).toEqual([
      `orders[0].limitPrice: must be a decimal string: write "61000.1" (quoted), not 61000.1 ${WHY}`,
    ]);
    // Anything else keeps its own words.
    expect(problems(scenario('[1]'))).toEqual(['orders[0].qty: must be a string, not a list']);
    expect(problems(scenario('"1.2.3"'))).toEqual([
      'orders[0].qty: must be a decimal number written as a string, like "0.01"',
    ]);
  });
});

describe('a number where an HTTP body expects a decimal string', () => {
  const TOKEN = 'decimal-messages-token-0123456789';
  let served: SessionAppFixture | undefined;
  let f: SessionAppFixture['f'];
  let app: SessionAppFixture['app'];
  beforeAll(async () => {
    served = await sessionApp(SANDBOX, TOKEN);
    ({ f, app } = served);
  });
  afterAll(async () => {
    await served?.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await app.request(`http://127.0.0.1/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { errors?: Array<{ path: string; message: string }> } };
  };

  it('is a 400 naming body.qty in the scenario file’s words, on every order route, nothing written', async () => {
    const mark = f.session.lastSeq;
    const order = { symbol: 'BTCUSDT', side: 'buy', qty: 2 };
    for (const [path, body] of [
      ['/orders', order],
      ['/orders/slice', { ...order, duration: 'PT5S', slices: 5 }],
      ['/signals', { ...order, signalId: 's-1' }],
    ] as const) {
      const answer = await post(path, body);
      expect(answer.status, path).toBe(400);
      expect(answer.body.errors, path).toEqual([
        { path: 'body.qty', message: `must be a decimal string: write "2" (quoted), not 2 ${WHY}` },
      ]);
    }
    const limit = await post('/orders', { ...order, qty: '0.001', type: 'limit', limitPrice: 61000.5 });
    expect(limit.body.errors).toEqual([
      { path: 'body.limitPrice', message: `must be a decimal string: write "61000.5" (quoted), not 61000.5 ${WHY}` },
    ]);
    expect(f.session.lastSeq).toBe(mark);
  });
});
