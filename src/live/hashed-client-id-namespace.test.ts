// The hashed namespace fits Binance's client ids, round-trips every local id, is the same for a
// run after a restart (derived from the run id alone), and never reads another run's id as ours.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveClientOrderId } from '../core/model/client-order-id.ts';
import { clientOrderId } from '../core/model/ids.ts';
import { BINANCE_SPOT } from '../core/venues/binance-spot.ts';
import { isValidClientId } from '../core/venues/venue-rules.ts';
import { HASHED_PREFIX_LENGTH, HashedClientIdNamespace } from './hashed-client-id-namespace.ts';

const MAX = BINANCE_SPOT.clientIdMaxLength;
const ALPHABET = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'];
const localId = (max: number) =>
  fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: max }).map((cs) => cs.join(''));
/** Run ids as the paper runtime makes them (`run-<uuid>`), and any other non-empty text. */
const runIdArb = fc.oneof(
  fc.uuid().map((u) => `run-${u}`),
  fc.string({ minLength: 1, maxLength: 80, size: 'max' }),
);

describe('HashedClientIdNamespace', () => {
  it('puts every local id that fits into a valid Binance client id and takes it off again', () => {
    fc.assert(
      fc.property(runIdArb, localId(MAX - HASHED_PREFIX_LENGTH), (run, id) => {
        const ns = new HashedClientIdNamespace(run, MAX);
        const wire = ns.wire(clientOrderId(id));
        expect(wire.length).toBeLessThanOrEqual(MAX);
        expect(isValidClientId(BINANCE_SPOT, wire)).toBe(true);
        expect(ns.local(wire)).toBe(id);
      }),
    );
  });

  it("core's own ids, derived for the room it leaves, fit whatever the order", () => {
    fc.assert(
      fc.property(runIdArb, fc.string(), fc.integer({ min: 1, max: 10_000 }), (run, parent, slice) => {
        const ns = new HashedClientIdNamespace(run, MAX);
        expect(ns.localMaxLength).toBe(25);
        const cid = deriveClientOrderId(
          { parentId: parent, symbol: 'BTCUSDT', side: 'buy', qty: 3, tradeDate: '2026-03-01', sliceNum: slice },
          ns.localMaxLength,
        );
        expect(cid).toHaveLength(25);
        expect(isValidClientId(BINANCE_SPOT, ns.wire(cid))).toBe(true);
      }),
    );
  });

  it('is the same after a restart: a new process derives it from the stored run id alone', () => {
    fc.assert(
      fc.property(runIdArb, localId(25), (run, id) => {
        const before = new HashedClientIdNamespace(run, MAX);
        const after = new HashedClientIdNamespace(run, MAX);
        expect(after.prefix).toBe(before.prefix);
        expect(after.local(before.wire(clientOrderId(id)))).toBe(id);
      }),
    );
  });

  it("never reads another run's id as its own, so a lookup by client id cannot find another run's order", () => {
    fc.assert(
      fc.property(runIdArb, runIdArb, localId(25), localId(25), (a, b, idA, idB) => {
        fc.pre(a !== b);
        const nsA = new HashedClientIdNamespace(a, MAX);
        const nsB = new HashedClientIdNamespace(b, MAX);
        expect(nsA.prefix).not.toBe(nsB.prefix);
        // The same local id (the same scenario run twice) differs on the wire, and so does any other.
        expect(nsA.wire(clientOrderId(idA))).not.toBe(nsB.wire(clientOrderId(idB)));
        expect(nsB.local(nsA.wire(clientOrderId(idA)))).toBeNull();
      }),
    );
  });

  it('claims no id placed outside execsim, nor the bare prefix', () => {
    const ns = new HashedClientIdNamespace('run-1', MAX);
    expect(ns.local('x-TKT5PX2F0123456789abcdefABCD')).toBeNull(); // ccxt's own broker-prefixed id
    expect(ns.local('web_0f1e2d3c4b5a')).toBeNull();
    expect(ns.local(ns.prefix)).toBeNull();
    expect(ns.prefix).toMatch(/^E[A-Za-z0-9_-]{10}$/);
  });

  it('refuses a venue limit with no room for a local id, and an empty run id', () => {
    expect(() => new HashedClientIdNamespace('run-1', 18)).toThrow(/no room for a local id/);
    expect(() => new HashedClientIdNamespace('', MAX)).toThrow(/needs a run id/);
  });
});
