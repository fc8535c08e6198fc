// What every self-written payload (SelfWrittenPayload) must do: write, as a line of the log, the
// bytes the generic writer writes for a plain copy of it (what a store reads back), and have the
// event type's keys in its order, kind first.
import fc from 'fast-check';
import { expect } from 'vitest';
import { CanonicalBytes, SelfWrittenPayload } from '../../src/core/log/canonical-bytes.ts';
import type { ExecEvent } from '../../src/core/model/events.ts';
import { ORDER_STATUSES } from '../../src/core/model/order-status.ts';

/** A number a payload may hold: whole, or with a fraction (an epoch time's, a price's). */
export const payloadNumber = fc.oneof(
  fc.integer({ min: -1e9, max: 1e12 }),
  fc.double({ min: -1e13, max: 1e13, noNaN: true }),
);

/** Any status of an order of ours. */
export const orderStatus = fc.constantFrom(...ORDER_STATUSES);

export function expectWritesItsPlainCopy(event: ExecEvent, keys: readonly string[], seq: number, time: number): void {
  expect(event).toBeInstanceOf(SelfWrittenPayload);
  const plain = { ...event };
  expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
  expect(Object.keys(plain)).toEqual(keys);
  // A writer that starts small grows while writing the payload.
  const own = new CanonicalBytes();
  own.buf = new Uint8Array(8);
  own.line({ seq, time, event });
  const generic = new CanonicalBytes();
  generic.line({ seq, time, event: plain });
  expect(Buffer.from(own.buf.subarray(0, own.used)).toString()).toBe(
    Buffer.from(generic.buf.subarray(0, generic.used)).toString(),
  );
}

/** The property: every event `events` draws writes the bytes of its plain copy, as a line with
 *  any seq and time, and has `keys` (or `keysOf` it) in that order. */
export function everyWritesItsPlainCopy<E extends ExecEvent>(
  events: fc.Arbitrary<E>,
  keysOf: (event: E) => readonly string[],
  numRuns = 300,
): void {
  fc.assert(
    fc.property(events, fc.nat(), payloadNumber, (event, seq, time) =>
      expectWritesItsPlainCopy(event, keysOf(event), seq, time),
    ),
    { numRuns },
  );
}
