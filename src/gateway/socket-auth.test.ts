// The key pair check and the in-band authentication every gateway stream uses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { authenticateSocket, keyPairCheck } from './socket-auth.ts';

/** A socket that records how it was closed. */
const socket = () => {
  const closed: Array<[number, string]> = [];
  return { ws: { close: (code: number, reason: string) => void closed.push([code, reason]) } as WebSocket, closed };
};

describe('keyPairCheck', () => {
  it('accepts exactly the pair, in order; refuses anything else and an empty pair to check against', () => {
    const check = keyPairCheck('key', 'secret');
    expect(check('key', 'secret')).toBe(true);
    expect(check('secret', 'key')).toBe(false);
    expect(check('key', undefined)).toBe(false);
    expect(check(['key'], 'secret')).toBe(false);
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (k, s) => {
        expect(check(k, s)).toBe(k === 'key' && s === 'secret');
      }),
    );
    expect(() => keyPairCheck('', 'secret')).toThrow('the gateway needs a key id and a secret key');
  });
});

describe('authenticateSocket', () => {
  const check = keyPairCheck('key', 'secret');

  it('grants the pair and leaves the connection open', () => {
    const { ws, closed } = socket();
    const said: string[] = [];
    const replies = { granted: () => said.push('granted'), refused: () => said.push('refused'), reason: 'no' };
    expect(authenticateSocket(ws, check, 'key', 'secret', replies)).toBe(true);
    expect(said).toEqual(['granted']);
    expect(closed).toEqual([]);
  });

  it('refuses another pair: the refusal first, then the close with the policy-violation code', () => {
    const { ws, closed } = socket();
    const said: string[] = [];
    const replies = {
      granted: () => said.push('granted'),
      refused: () => said.push(`refused, closed ${closed.length}`),
      reason: 'auth failed',
    };
    expect(authenticateSocket(ws, check, 'key', 'wrong', replies)).toBe(false);
    expect(said).toEqual(['refused, closed 0']);
    expect(closed).toEqual([[1008, 'auth failed']]);
  });
});
