// A strategy's parameters under a non-strict schema (zod drops keys it does not know): a misspelt
// one, at any depth, is refused naming it and the parameter it most likely meant, instead of the
// strategy running on its default without a word. Keys a schema keeps (a record) pass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';

const FILE = 'test/fixtures/strategies/scenario.yaml';

function scenario(params: string): string {
  return `
name: strategy-params
seed: 1
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1M
market: { model: synthetic, initialPrice: "61000.00", volatility: 1.0, depth: ["1", "2"] }
strategy:
  module: ./loose-params.ts
  params: ${params}
`;
}

function refusal(params: string): string {
  try {
    parseScenario(scenario(params), FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error(`the parameters ${params} loaded`);
}

const TOP = ['window', 'threshold', 'quantity'];
const EXITS = ['stopLoss', 'takeProfit'];

/** One edit of `key`: a letter dropped, added, changed, or two neighbours swapped. */
const misspelling = (keys: readonly string[]) =>
  fc
    .tuple(
      fc.constantFrom(...keys),
      fc.constantFrom('drop', 'add', 'change', 'swap'),
      fc.nat(),
      fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
    )
    .map(([key, edit, at, letter]) => {
      const i = at % key.length;
      const typo =
        edit === 'drop'
          ? key.slice(0, i) + key.slice(i + 1)
          : edit === 'add'
            ? key.slice(0, i) + letter + key.slice(i)
            : edit === 'change'
              ? key.slice(0, i) + letter + key.slice(i + 1)
              : i + 1 < key.length
                ? key.slice(0, i) + key.charAt(i + 1) + key.charAt(i) + key.slice(i + 2)
                : key.slice(0, i) + letter;
      return { key, typo };
    })
    .filter(({ typo }) => typo.length > 0 && ![...TOP, ...EXITS, 'exits', 'tags'].includes(typo));

describe("a strategy's parameters", () => {
  it('refuses a misspelt top-level parameter, naming it and the one it most likely meant', () => {
    fc.assert(
      fc.property(misspelling(TOP), ({ key, typo }) => {
        expect(refusal(`{ ${typo}: 3 }`)).toBe(
          `${FILE}: strategy.params.${typo}: not a parameter of ./loose-params.ts; did you mean "${key}"?`,
        );
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a misspelt nested one, beside the parameters given right', () => {
    fc.assert(
      fc.property(misspelling(EXITS), ({ key, typo }) => {
        expect(refusal(`{ window: 5, exits: { ${typo}: 0.1 } }`)).toBe(
          `${FILE}: strategy.params.exits.${typo}: not a parameter of ./loose-params.ts; did you mean "${key}"?`,
        );
      }),
      { numRuns: 40 },
    );
  });

  it('names no parameter when none is close, and passes keys the schema keeps', () => {
    expect(refusal('{ window: 5, colour: blue }')).toBe(
      `${FILE}: strategy.params.colour: not a parameter of ./loose-params.ts`,
    );
    const loaded = parseScenario(scenario('{ window: 5, tags: { desk: emea, book: alpha } }'), FILE);
    expect(JSON.parse(loaded.strategy?.paramsJson ?? '')).toMatchObject({
      window: 5,
      tags: { desk: 'emea', book: 'alpha' },
    });
  });
});
