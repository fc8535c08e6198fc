// What every self-written payload (SelfWrittenPayload) must do: write, as a line of the log, the
// bytes the generic writer writes for a plain copy of it (what a store reads back), and have the
// event type's keys in its order, kind first.
import { expect } from 'vitest';
import { CanonicalBytes, SelfWrittenPayload } from '../../src/core/log/canonical-bytes.ts';
import type { ExecEvent } from '../../src/core/model/events.ts';

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
