import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveClientOrderId, type ClientIdInputs } from './client-order-id.ts';

/** The id as first derived: the fields joined with "|", through a Hash object. */
function reference(inputs: ClientIdInputs, maxLength: number): string {
  const fields = [inputs.parentId, inputs.symbol, inputs.side, inputs.qty, inputs.tradeDate, inputs.sliceNum];
  if (inputs.params !== undefined) fields.push(inputs.params);
  const hex = createHash('sha256').update(fields.join('|')).digest('hex');
  return 'x' + hex.slice(0, Math.min(32, maxLength - 1));
}

describe('deriveClientOrderId', () => {
  it('is the sha-256 of the joined fields, exactly as first derived (ids of stored runs stay valid)', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            parentId: fc.string(),
            symbol: fc.string({ maxLength: 12, size: 'max' }),
            side: fc.constantFrom('buy', 'sell'),
            qty: fc.oneof(fc.integer(), fc.double()),
            tradeDate: fc.string({ maxLength: 10, size: 'max' }),
            sliceNum: fc.integer({ min: 1, max: 10_000 }),
            params: fc.string(),
          },
          { requiredKeys: ['parentId', 'symbol', 'side', 'qty', 'tradeDate', 'sliceNum'] },
        ),
        fc.integer({ min: 8, max: 128 }),
        (inputs, maxLength) => {
          expect(deriveClientOrderId(inputs, maxLength)).toBe(reference(inputs, maxLength));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
