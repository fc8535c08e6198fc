// The gateway core serves what the imitated venue's profile says, and nothing of Alpaca's unless
// the profile is Alpaca's: the rules orders meet, the account a scenario without one starts with,
// the warning for a scenario on another venue, and the fill profiles it offers.
import { afterEach, describe, expect, it } from 'vitest';
import { qtyToLots, quoteToUnits } from '../../src/core/model/instrument.ts';
import { BINANCE_SPOT } from '../../src/core/venues/binance-spot.ts';
import { ALWAYS_OPEN } from '../../src/core/venues/index.ts';
import type { GatewayProfile } from '../../src/gateway/gateway-profile.ts';
import { GatewayVenue } from '../../src/gateway/gateway-venue.ts';
import { PaperDesk } from '../../src/gateway/paper-desk.ts';

const FAKE: GatewayProfile = {
  label: 'Fake',
  venue: 'binance-spot',
  rules: BINANCE_SPOT,
  defaultAccount: { quote: '5000', base: '2' },
  touchFills: { 'fake-paper': { partialShare: 0, partialRetryMs: 10 } },
};

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});
const load = (file: string, options: Partial<ConstructorParameters<typeof GatewayVenue>[1]> = {}) => {
  const gv = GatewayVenue.load(file, { profile: FAKE, ...options });
  stops.push(() => gv.stop());
  return gv;
};

describe('GatewayVenue on a profile', () => {
  it("serves its venue's scenario with the profile's rules and starting account, without a warning", () => {
    const warnings: string[] = [];
    const gv = load('scenarios/twap-calm.yaml', { warn: (m) => warnings.push(m) });
    expect(warnings.filter((w) => w.includes('is served with'))).toEqual([]);
    expect(gv.rules).toEqual({ ...BINANCE_SPOT, hours: ALWAYS_OPEN });
    expect(gv.exchange.quoteBalance).toBe(quoteToUnits(gv.instrument, '5000'));
    expect(gv.initialPosition).toBe(qtyToLots(gv.instrument, '2'));
    expect(gv.fills).toBe('book');
  });

  it("names the profile's venue when the scenario's is another", () => {
    const warnings: string[] = [];
    load('test/fixtures/gateway/alpaca-aapl.yaml', { warn: (m) => warnings.push(m) });
    expect(warnings).toContain(
      'venue "alpaca-equities" is served with Fake\'s rules (order types, error codes, client ids)',
    );
  });

  it("offers the profile's touch fills, only always open, and refuses a profile it does not have", () => {
    expect(load('scenarios/twap-calm.yaml', { fills: 'fake-paper' }).desk).toBeInstanceOf(PaperDesk);
    expect(() => load('scenarios/twap-calm.yaml', { fills: 'alpaca-paper' })).toThrow(
      'unknown fill profile "alpaca-paper" (known: book, fake-paper)',
    );
    expect(() => load('scenarios/twap-calm.yaml', { fills: 'fake-paper', hours: 'venue' })).toThrow(
      'the fake-paper fill profile needs an always-open gateway',
    );
  });
});
