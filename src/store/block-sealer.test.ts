import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../test/support/hot-expect.ts';
import type { LogEntry } from '../core/model/events.ts';
import type { LogLine } from '../core/ports/event-sink.ts';
import { BlockSealer } from './block-sealer.ts';
import { BLOCK_BYTES, BLOCK_EVENTS, decodeEventBlock } from './event-blocks.ts';

// Whatever the units and whenever they are taken, what a BlockSealer hands over is exactly the
// lines of the units that had ended, in order, as blocks cut as BlockCutter cuts them (at most
// BLOCK_EVENTS lines, no more than BLOCK_BYTES unless a single line is longer), with the kinds
// each block holds; the lines of a unit under way stay for the next take.
// The lines are ASCII (digits, kinds, JSON punctuation and padding), so their Latin-1 bytes are
// their UTF-8 ones; Buffer's Latin-1 copy is a fraction of TextEncoder's cost on the 256 KB lines.
function lent(text: string): LogLine {
  const bytes = Buffer.from(text, 'latin1');
  return { text: () => text, byteLength: bytes.length, copyTo: (target, offset) => target.set(bytes, offset) };
}

/** The padding of each length, built once (a fifth of the lines carry 256 KB of it). */
const pads = new Map<number, string>();
const padOf = (n: number): string => {
  let p = pads.get(n);
  if (p === undefined) pads.set(n, (p = 'x'.repeat(n)));
  return p;
};

interface Line {
  readonly created: boolean;
  readonly pad: number;
}

const entryOf = (seq: number, l: Line): { entry: LogEntry; text: string } => {
  const kind = l.created ? 'OrderCreated' : 'FillReport';
  const payload = JSON.stringify({ clientOrderId: `c${seq}`, pad: padOf(l.pad) });
  return {
    entry: { seq, time: seq * 10, event: { kind, clientOrderId: `c${seq}` } } as unknown as LogEntry,
    text: `${seq} ${seq * 10} ${kind} ${payload}\n`,
  };
};

describe('BlockSealer', () => {
  it('hands over the lines of ended units only, in blocks cut as BlockCutter cuts them', () => {
    fc.assert(
      fc.property(
        // Units of lines; after each unit, maybe a take; lines of a last unit that never ends.
        fc.array(
          fc.record({
            // Either lines of which one in five is longer than a block (a block of its own, and a
            // cut at BLOCK_BYTES), not one in two: those lines were 95% of the property's bytes,
            // and so of its time, at 256 KB each; this kind keeps fast-check's default size (up
            // to about ten lines), as the full 300 took 55 s. Or up to 300 short lines (size
            // 'max'), which reach the cut at BLOCK_EVENTS lines that the long ones never let a
            // block get to.
            lines: fc.oneof(
              fc.array(
                fc.record({
                  created: fc.boolean(),
                  pad: fc.oneof(
                    { arbitrary: fc.integer({ min: 0, max: 400 }), weight: 4 },
                    { arbitrary: fc.constant(BLOCK_BYTES), weight: 1 },
                  ),
                }),
                { maxLength: 300 },
              ),
              fc.array(fc.record({ created: fc.boolean(), pad: fc.integer({ min: 0, max: 400 }) }), {
                maxLength: 300,
                size: 'max',
              }),
            ),
            take: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12, size: 'max' },
        ),
        fc.array(fc.record({ created: fc.boolean(), pad: fc.integer({ min: 0, max: 50 }) }), {
          maxLength: 20,
          size: 'max',
        }),
        (units, tail) => {
          const sealer = new BlockSealer();
          let seq = 1;
          const ended: string[] = [];
          const handed: string[] = [];
          // Checked for every block of every take (all lines handed so far, each time): expect is
          // called only on a mismatch.
          const takeAll = (): void => {
            const taken = sealer.take();
            let lines = 0;
            for (const b of taken.blocks) {
              const decoded = decodeEventBlock(b.firstSeq, b.lastSeq, b.encoding, b.data);
              if (typeof decoded === 'string') throw new Error(decoded);
              const count = b.lastSeq - b.firstSeq + 1;
              if (!(count <= BLOCK_EVENTS)) expect(count).toBeLessThanOrEqual(BLOCK_EVENTS);
              const texts = decoded.map(([s, t, k, p]) => `${s} ${t} ${k} ${p}\n`);
              const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0);
              if (count > 1 && !(bytes <= BLOCK_BYTES)) expect(bytes).toBeLessThanOrEqual(BLOCK_BYTES);
              expectIs(b.kinds, ` ${[...new Set(decoded.map((d) => d[2]))].sort().join(' ')} `);
              handed.push(...texts);
              lines += count;
            }
            expectIs(taken.lines, lines);
            // Nothing of a unit under way, everything of the ended ones.
            expectEqual(handed, ended);
          };
          for (const unit of units) {
            for (const l of unit.lines) {
              const { entry, text } = entryOf(seq++, l);
              sealer.line(entry, lent(text));
              ended.push(text);
            }
            sealer.unitEnd();
            if (unit.take) takeAll();
          }
          const before = [...ended];
          for (const l of tail) sealer.line(entryOf(seq++, l).entry, lent(entryOf(seq - 1, l).text));
          // The tail is not handed over: a take now gives the ended units' lines only.
          ended.length = 0;
          ended.push(...before);
          takeAll();
          expectIs(sealer.pending, tail.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('cuts full blocks as units end, so a block never waits for the take', () => {
    const sealer = new BlockSealer();
    for (let seq = 1; seq <= BLOCK_EVENTS * 2 + 5; seq++) {
      const { entry, text } = entryOf(seq, { created: false, pad: 10 });
      sealer.line(entry, lent(text));
      sealer.unitEnd();
    }
    const taken = sealer.take();
    expect(taken.blocks.map((b) => [b.firstSeq, b.lastSeq])).toEqual([
      [1, BLOCK_EVENTS],
      [BLOCK_EVENTS + 1, BLOCK_EVENTS * 2],
      [BLOCK_EVENTS * 2 + 1, BLOCK_EVENTS * 2 + 5],
    ]);
    expect(sealer.pending).toBe(0);
  });
});
