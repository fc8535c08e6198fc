// The liquidity section as a scenario author meets it: one message per bad value naming its field,
// the defaults a paper run gets without the section, nothing at all for a backtest without it,
// and the paper run's warning that it reads volumes from the venue instead of `adv`.
import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../core/model/instrument.ts';
import { parseScenario, ScenarioError } from './load-scenario.ts';
import { advLotsOf, liquidityConfigOf } from './liquidity-schema.ts';
import { nodeConfigOf } from './node-config-of.ts';
import { paperWarnings } from './paper-mode.ts';
import { estimateRunEvents } from './run-limits.ts';

const HEAD = `name: probe
seed: 3
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1M
market:
  model: static_book
  bids: [["99.90", "5.000"]]
  asks: [["100.10", "5.000"]]
`;

function problems(body: string): string[] {
  try {
    parseScenario(`${HEAD}${body}\n`, 'm.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message.split('\n');
  }
}

describe('the liquidity section: one message naming the field', () => {
  const cases: Array<[string, string]> = [
    [
      '{ maxSlicePctOfAdv: 0 }',
      'liquidity.maxSlicePctOfAdv: must be above 0 (to turn the cap off, write enabled: false)',
    ],
    ['{ maxSlicePctOfAdv: 150 }', "liquidity.maxSlicePctOfAdv: must be at most 100 (a slice of a whole day's volume)"],
    [
      '{ maxSlicePctOfAdv: "1" }',
      'liquidity.maxSlicePctOfAdv: must be a percentage of the average daily volume, like 1 (for 1%)',
    ],
    ['{ maxSlicePctOfAdv: 0.00001 }', 'liquidity.maxSlicePctOfAdv: must have at most 4 decimals'],
    ['{ advDays: 0 }', 'liquidity.advDays: must be a whole number of days from 1 to 250'],
    ['{ advDays: 2.5 }', 'liquidity.advDays: must be a whole number of days from 1 to 250'],
    ['{ enabled: "yes" }', 'liquidity.enabled: must be true or false'],
    ['{ adv: { ETHUSDT: "10" } }', 'liquidity.adv.ETHUSDT: names no instrument of the scenario (BTCUSDT)'],
    ['{ adv: { BTCUSDT: "0.0001" } }', 'liquidity.adv.BTCUSDT: 0.0001 is less than one lot (0.001) a day'],
    ['{ adv: { BTCUSDT: "-3" } }', 'liquidity.adv.BTCUSDT: must be greater than zero'],
    ['{ adv: { btcusdt: "10" } }', 'liquidity.adv.btcusdt: key "btcusdt": must be an upper-case symbol like BTCUSDT'],
    ['{ minSliceInterval: PT0S }', 'liquidity.minSliceInterval: must be at least a millisecond (PT0.001S)'],
    ['{ maxSlicePctOfADV: 1 }', 'liquidity: unknown field "maxSlicePctOfADV" (did you mean "maxSlicePctOfAdv"?)'],
  ];
  for (const [section, message] of cases)
    it(`liquidity: ${section}`, () => expect(problems(`liquidity: ${section}`)).toEqual([`m.yaml: ${message}`]));

  it('every problem of the section at once', () => {
    expect(problems('liquidity: { maxSlicePctOfAdv: 0, advDays: 0, adv: { ETHUSDT: "1" } }')).toHaveLength(3);
  });

  it('an instrument among otherInstruments may be named', () => {
    const other = `otherInstruments:
  - { symbol: ETHUSDT, tickSize: "0.01", lotSize: "0.0001", minNotional: "5", market: { model: static_book, bids: [["9.90", "5"]], asks: [["10.10", "5"]] } }
`;
    expect(problems(`${other}liquidity: { adv: { ETHUSDT: "10", BTCUSDT: "2" } }`)).toEqual([]);
  });
});

describe('the node config of the liquidity section', () => {
  const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001', minNotional: '5' });
  const load = (body: string) => parseScenario(`${HEAD}${body}\n`, 'm.yaml').scenario;

  it('a backtest without the section has none: no cap, nothing logged', () => {
    expect(nodeConfigOf(load(''), inst).liquidity).toBeNull();
    expect(nodeConfigOf(load('liquidity: { enabled: false, adv: { BTCUSDT: "5" } }'), inst).liquidity).toBeNull();
  });

  it("a backtest states its market's volumes, floored to whole lots", () => {
    const c = nodeConfigOf(load('liquidity: { maxSlicePctOfAdv: 0.5, adv: { BTCUSDT: "1234.5678" } }'), inst).liquidity;
    expect(c).toMatchObject({
      source: 'scenario',
      policy: { pctOfAdv: 0.5, minIntervalMs: 1000 },
      advDays: 20,
      symbols: ['BTCUSDT'],
    });
    expect([...c!.stated]).toEqual([['BTCUSDT', 1_234_567]]);
  });

  it('a paper run has the cap at its defaults without the section, its volume from the venue', () => {
    const s = load('mode: paper');
    expect(liquidityConfigOf(s.liquidity, 'paper', [inst])).toMatchObject({
      source: 'venue',
      policy: { pctOfAdv: 1, minIntervalMs: 1000 },
      advDays: 20,
      refreshMs: 86_400_000,
    });
    expect(liquidityConfigOf({ ...load('liquidity: { enabled: false }').liquidity! }, 'paper', [inst])).toBeNull();
  });

  it("a paper run says it ignores adv: the venue's daily bars are the volume", () => {
    expect(paperWarnings(load('mode: paper\nliquidity: { adv: { BTCUSDT: "10" } }'))).toContain(
      "liquidity.adv is ignored in a paper run: the average daily volume is read from the venue's daily bars",
    );
    expect(paperWarnings(load('mode: paper\nliquidity: { maxSlicePctOfAdv: 2 }')).join()).not.toContain('liquidity');
  });

  it('advLotsOf floors a quantity to whole lots', () => {
    expect(advLotsOf(inst, '10')).toBe(10_000);
    expect(advLotsOf(inst, '0.0019')).toBe(1);
    expect(advLotsOf(inst, '123456789.123456789')).toBe(123_456_789_123);
  });

  it("a backtest's run estimate counts the slices its stated volume adds", () => {
    const twap = `orders:
  - { id: t, side: buy, qty: "10", type: market, twap: { duration: PT50S, interval: PT10S } }
`;
    const plain = estimateRunEvents(load(twap));
    // 1% of 100 is 1 (1,000 lots): 10 slices where 5 were asked for.
    const capped = estimateRunEvents(load(`${twap}liquidity: { adv: { BTCUSDT: "100" } }`));
    expect(capped).toBeGreaterThan(plain);
    expect(estimateRunEvents(load(`${twap}liquidity: { adv: { BTCUSDT: "100000" } }`))).toBe(plain);
  });
});
