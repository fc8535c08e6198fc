// The gateway registry and the command that consults it: each registered gateway's declarations,
// the command's refusals naming what the registry knows (the gateways, the fill profiles, every
// missing key at once), and a help that lists the variables and never a value.
import { describe, expect, it } from 'vitest';
import { GATEWAY_HELP, GATEWAY_USAGE } from '../../src/cli/gateway-help.ts';
import { startGateway } from '../../src/cli/gateway-command.ts';
import { UsageError } from '../../src/cli/io.ts';
import { fillProfiles } from '../../src/gateway/gateway-profile.ts';
import {
  allFillProfiles,
  gatewayEntry,
  gatewayNames,
  gatewayOfVenue,
  registerGateway,
} from '../../src/gateway/gateway-registry.ts';
import { REGISTERED_GATEWAYS } from '../../src/gateway/registered-gateways.ts';
import { FIXTURE } from '../support/gateway-harness.ts';

const refusal = async (args: string[], env: Record<string, string>): Promise<string> => {
  const err = await startGateway(args, { out: () => {}, err: () => {}, env }).catch((e: unknown) => e);
  expect(err, args.join(' ')).toBeInstanceOf(UsageError);
  return (err as Error).message;
};

describe('the gateway registry', () => {
  it('each gateway has a name, keys, the book and its own fill profiles, and its part of the help', () => {
    expect(gatewayNames()).toEqual(['alpaca', 'binance']);
    for (const g of REGISTERED_GATEWAYS) {
      expect(gatewayEntry(g.name)).toBe(g);
      expect(g.keys.length).toBeGreaterThan(0);
      expect(fillProfiles(g.profile)[0]).toBe('book');
      for (const key of g.keys) expect(GATEWAY_HELP).toContain(key);
    }
    expect(gatewayEntry('kraken')).toBeUndefined();
    expect(allFillProfiles()).toEqual(['book', 'alpaca-paper']);
    expect(GATEWAY_USAGE).toMatch(
      /^usage: execsim gateway alpaca\|binance --scenario FILE .*\n {2}\[--fills book\|alpaca-paper\]$/,
    );
  });

  it('finds a gateway by the venue it imitates, and one registered later until its registration is undone', () => {
    for (const g of REGISTERED_GATEWAYS) expect(gatewayOfVenue(g.profile.venue)).toBe(g);
    expect(gatewayOfVenue('nasdaq')).toBeUndefined();
    const [first] = REGISTERED_GATEWAYS;
    const later = { ...first!, name: 'later', profile: { ...first!.profile, venue: 'later-venue' } };
    expect(() => registerGateway({ ...later, name: first!.name })).toThrow(
      `gateway "${first!.name}" is registered twice`,
    );
    const undo = registerGateway(later);
    try {
      expect(gatewayNames()).toEqual(['alpaca', 'binance', 'later']);
      expect(gatewayEntry('later')).toBe(later);
      expect(gatewayOfVenue('later-venue')).toBe(later);
    } finally {
      undo();
    }
    expect(gatewayNames()).toEqual(['alpaca', 'binance']);
    expect(gatewayOfVenue('later-venue')).toBeUndefined();
  });

  it('the command names the registered gateways, their fill profiles and every missing key at once', async () => {
    const keys = { APCA_API_KEY_ID: 'key-value-1', APCA_API_SECRET_KEY: 'secret-value-2' };
    expect(await refusal([], keys)).toBe('gateway needs a venue: alpaca, binance');
    expect(await refusal(['nyse', '--scenario', FIXTURE], keys)).toBe(
      'unknown gateway "nyse" (known: alpaca, binance)',
    );
    expect(await refusal(['alpaca', 'x', '--scenario', FIXTURE], keys)).toBe(
      'gateway alpaca takes no more arguments, got "x"',
    );
    expect(await refusal(['alpaca', '--scenario', FIXTURE, '--fills', 'fake-paper'], keys)).toBe(
      '--fills must be book or alpaca-paper, got "fake-paper"',
    );
    expect(await refusal(['alpaca', '--scenario', FIXTURE], {})).toBe(
      "APCA_API_KEY_ID and APCA_API_SECRET_KEY must be set: the key pair the gateway's clients present",
    );
    const one = await refusal(['alpaca', '--scenario', FIXTURE], { APCA_API_SECRET_KEY: keys.APCA_API_SECRET_KEY });
    expect(one).toMatch(/^APCA_API_KEY_ID must be set/);
    expect(one).not.toContain(keys.APCA_API_SECRET_KEY);
  });

  it('starts the Binance gateway from the command: its URLs and the ccxt setup printed, never a key', async () => {
    const keys = { BINANCE_API_KEY: 'binance-key-value-1', BINANCE_API_SECRET: 'binance-secret-value-2' };
    expect(await refusal(['binance', '--scenario', 'test/contract/binance/btcusdt-static-book.yaml'], {})).toBe(
      "BINANCE_API_KEY and BINANCE_API_SECRET must be set: the key pair the gateway's clients present",
    );
    const out: string[] = [];
    const gw = await startGateway(
      ['binance', '--scenario', 'test/contract/binance/btcusdt-static-book.yaml', '--port', '0'],
      {
        out: (t) => out.push(t),
        err: (t) => out.push(t),
        env: keys,
      },
    );
    try {
      const printed = out.join('\n');
      expect(printed).toContain(`${gw?.url}/api/v3`);
      expect(printed).toContain(`ws://127.0.0.1:${new URL(gw?.url ?? '').port}/ws-api/v3`);
      expect(printed).toContain('loadHttpProxyAgent');
      for (const v of Object.values(keys)) expect(printed).not.toContain(v);
      const res = await fetch(`${gw?.url}/api/v3/exchangeInfo`);
      expect(((await res.json()) as { symbols: Array<{ symbol: string }> }).symbols[0]?.symbol).toBe('BTCUSDT');
    } finally {
      await gw?.close();
    }
  });
});
