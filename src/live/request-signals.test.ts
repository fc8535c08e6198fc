// The per-request signals under the adapter's stop signal: however many are handed out, the stop
// signal carries one listener; stop aborts every signal handed out within keepMs (with the stop's
// reason) and any handed out after it comes already aborted; signals older than keepMs are let
// go as new ones are handed out, so what is kept is exactly what was handed out in the last keepMs.
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../test/support/hot-expect.ts';
import { RequestSignals } from './request-signals.ts';

describe('RequestSignals', () => {
  it('one listener on the stop signal; stop aborts the signals still kept; kept is bounded by keepMs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200, size: 'max' }),
        fc.integer({ min: 1, max: 300 }),
        (gaps, keepMs) => {
          let now = 0;
          const stop = new AbortController();
          const signals = new RequestSignals(stop.signal, keepMs, () => now);
          const handed: Array<{ signal: AbortSignal; at: number }> = [];
          for (const gap of gaps) {
            now += gap;
            handed.push({ signal: signals.next(), at: now });
            // Kept: exactly those handed out in the last keepMs. Checked after each of up to 200
            // signals: expect is called only on a mismatch.
            expectIs(signals.kept, handed.filter((h) => now - h.at < keepMs).length);
          }
          expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
          stop.abort('stopping');
          for (const h of handed) {
            // Every signal still within keepMs of the last one handed out is aborted, with the reason.
            if (now - h.at < keepMs) expectEqual([h.signal.aborted, h.signal.reason], [true, 'stopping']);
          }
          expect(signals.kept).toBe(0);
          const late = signals.next();
          expect([late.aborted, late.reason]).toEqual([true, 'stopping']);
        },
      ),
    );
  });
});
