import fc from 'fast-check';
import { describe, it } from 'vitest';
import { everyWritesItsPlainCopy, orderStatus, payloadNumber } from '../../../test/support/self-written.ts';
import { clientOrderId } from '../model/ids.ts';
import { StatusObserved } from './status-observed.ts';

describe('StatusObserved (FillStatusObserved)', () => {
  it('property: writes the bytes of its plain copy, with the event type keys in order', () => {
    const id = fc.string({ minLength: 1, maxLength: 40, size: 'max' }).map(clientOrderId);
    const source = fc.constantFrom('push' as const, 'poll' as const);
    const observed = fc
      .tuple(id, orderStatus, orderStatus, payloadNumber, fc.nat(), source)
      .map((f) => new StatusObserved(...f));
    everyWritesItsPlainCopy(observed, () => ['kind', 'clientOrderId', 'from', 'to', 'elapsedMs', 'polls', 'source']);
  });
});
