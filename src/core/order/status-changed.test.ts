import fc from 'fast-check';
import { describe, it } from 'vitest';
import { everyWritesItsPlainCopy, orderStatus, payloadNumber } from '../../../test/support/self-written.ts';
import { clientOrderId } from '../model/ids.ts';
import { StatusChange } from './status-changed.ts';

describe('StatusChange (OrderStatusChanged)', () => {
  it('property: writes the bytes of its plain copy, with the event type keys in order', () => {
    const id = fc.string({ minLength: 1, maxLength: 40, size: 'max' }).map(clientOrderId);
    const change = fc.tuple(id, orderStatus, orderStatus, payloadNumber, fc.nat()).map((f) => new StatusChange(...f));
    everyWritesItsPlainCopy(change, () => ['kind', 'clientOrderId', 'from', 'to', 'filledQty', 'cause']);
  });
});
