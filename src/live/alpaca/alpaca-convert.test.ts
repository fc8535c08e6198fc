// Alpaca's orders read by the symbol they name: with several instruments each on its own
// symbol's grid and stating it, an order of a symbol not traded none of ours; with one
// instrument, as a single adapter always read them.
import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../../core/model/instrument.ts';
import { VenueInstruments } from '../venue-instruments.ts';
import { tradedOrderRow } from './alpaca-convert.ts';

const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });
const BRK = makeInstrument({ symbol: 'BRK.A', tickSize: '1', lotSize: '1', minNotional: '1' });

/** An order as Alpaca's REST answers it (decimal strings, snake_case keys). */
const order = (symbol: string, limit: string) => ({
  id: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
  client_order_id: 'c-1',
  symbol,
  status: 'partially_filled',
  side: 'buy',
  qty: '10',
  filled_qty: '4',
  filled_avg_price: limit,
  limit_price: limit,
  submitted_at: '2024-08-09T14:30:00.000Z',
  updated_at: '2024-08-09T14:30:01.000Z',
});

describe("an Alpaca order's row by its symbol", () => {
  it('with several instruments: on its own grid, stating its symbol; another symbol is not ours', () => {
    const both = new VenueInstruments(AAPL, [AAPL, BRK]);
    expect(tradedOrderRow(both, order('AAPL', '187.25'), 'lookup')).toMatchObject({
      symbol: 'AAPL',
      limitPrice: 18_725,
      avgPrice: 18_725,
      qty: 10,
      filledQty: 4,
    });
    // BRK.A's tick is a dollar: 650,000 dollars is 650,000 of its ticks, not 65,000,000.
    expect(tradedOrderRow(both, order('BRK.A', '650000'), 'stream')).toMatchObject({
      symbol: 'BRK.A',
      limitPrice: 650_000,
      source: 'stream',
    });
    expect(tradedOrderRow(both, order('MSFT', '410.5'), 'lookup')).toBeNull();
  });

  it('with one instrument: every row on its grid, without a symbol', () => {
    const one = new VenueInstruments(AAPL);
    const row = tradedOrderRow(one, order('AAPL', '187.25'), 'lookup');
    expect(row).toMatchObject({ limitPrice: 18_725 });
    expect(row).not.toHaveProperty('symbol');
    expect(tradedOrderRow(one, order('MSFT', '410.5'), 'lookup')).toMatchObject({ limitPrice: 41_050 });
  });
});
