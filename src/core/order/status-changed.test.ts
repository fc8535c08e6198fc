import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  expectWritesItsPlainCopy,
  orderStatus as status,
  payloadNumber as number,
} from '../../../test/support/self-written.ts';
import { clientOrderId } from '../model/ids.ts';
import { StatusChange } from './status-changed.ts';

describe('StatusChange (OrderStatusChanged)', () => {
  it('property: writes the bytes of its plain copy, with the event type keys in order', () => {
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
