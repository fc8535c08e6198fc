import fc from 'fast-check';
import { describe, it } from 'vitest';
import { expectWritesItsPlainCopy } from '../../../test/support/self-written.ts';
import { clientOrderId } from '../model/ids.ts';
import { ORDER_STATUSES } from '../model/order-status.ts';
import { StatusChange } from './status-changed.ts';

describe('StatusChange (OrderStatusChanged)', () => {
  it('property: writes the bytes of its plain copy, with the event type keys in order', () => {
    const status = fc.constantFrom(...ORDER_STATUSES);
    const number = fc.oneof(fc.integer({ min: -1e9, max: 1e12 }), fc.double({ min: -1e13, max: 1e13, noNaN: true }));
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        status,
        status,
        number,
        fc.nat(),
        fc.nat(),
        number,
        (id, from, to, filled, cause, seq, time) =>
          expectWritesItsPlainCopy(
            new StatusChange(clientOrderId(id), from, to, filled, cause),
            ['kind', 'clientOrderId', 'from', 'to', 'filledQty', 'cause'],
            seq,
            time,
          ),
      ),
      { numRuns: 300 },
    );
  });
});
