import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  expectWritesItsPlainCopy,
  orderStatus as status,
  payloadNumber as number,
} from '../../../test/support/self-written.ts';
import { clientOrderId } from '../model/ids.ts';
import { StatusObserved } from './status-observed.ts';

describe('StatusObserved (FillStatusObserved)', () => {
  it('property: writes the bytes of its plain copy, with the event type keys in order', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        status,
        status,
        number,
        fc.nat(),
        fc.constantFrom('push' as const, 'poll' as const),
        fc.nat(),
        number,
        (id, from, to, elapsed, polls, source, seq, time) =>
          expectWritesItsPlainCopy(
            new StatusObserved(clientOrderId(id), from, to, elapsed, polls, source),
            ['kind', 'clientOrderId', 'from', 'to', 'elapsedMs', 'polls', 'source'],
            seq,
            time,
          ),
      ),
      { numRuns: 300 },
    );
  });
});
