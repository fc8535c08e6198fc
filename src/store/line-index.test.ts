import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../core/model/events.ts';
import { LineIndex } from './prefolded-writer.ts';

// A LineIndex taken in pieces gives, piece by piece, exactly the lines that were added: each
// piece's seqs follow on, its kinds are the added ones, its ends are the lines' ends measured
// from the piece's first byte, and its created orders are the OrderCreated lines it holds, at
// their places in it.
const entry = (seq: number, kind: string): LogEntry =>
  ({ seq, time: seq * 10, event: { kind, clientOrderId: `c${seq}` } }) as unknown as LogEntry;

describe('LineIndex', () => {
  it('pieces taken at any points are the lines added, measured from their own start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ created: fc.boolean(), bytes: fc.integer({ min: 1, max: 300 }) }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (lines, cuts) => {
          const index = new LineIndex();
          const ends: number[] = [];
          let used = 0;
          // Lines are added, and pieces taken, in turns: a cut takes lines up to a point among
          // those added so far, as a writer takes whole units and keeps a tail.
          const pieces: Array<{ piece: LineIndex; from: number; fromByte: number }> = [];
          let taken = 0;
          let takenBytes = 0;
          const cutAt = new Map(cuts.map((c, i) => [c % lines.length, i]));
          lines.forEach((line, i) => {
            used += line.bytes;
            ends.push(used);
            index.add(entry(101 + i, line.created ? 'OrderCreated' : 'FillReport'), used - takenBytes);
            if (cutAt.has(i)) {
              const upTo = taken + Math.floor((i + 1 - taken) / 2);
              const bytes = upTo === 0 ? 0 : (ends[upTo - 1] as number);
              pieces.push({ piece: index.take(upTo - taken, bytes - takenBytes), from: taken, fromByte: takenBytes });
              taken = upTo;
              takenBytes = bytes;
            }
          });
          pieces.push({
            piece: index.take(lines.length - taken, used - takenBytes),
            from: taken,
            fromByte: takenBytes,
          });
          expect(index.lines).toBe(0);
          for (const { piece, from, fromByte } of pieces) {
            const mine = lines.slice(from, from + piece.lines);
            if (piece.lines > 0) expect(piece.firstSeq).toBe(101 + from);
            expect(piece.kinds).toEqual(mine.map((l) => (l.created ? 'OrderCreated' : 'FillReport')));
            expect(piece.ends).toEqual(mine.map((_, k) => (ends[from + k] as number) - fromByte));
            expect(piece.created.map((c) => [c.line, c.event.clientOrderId, c.time])).toEqual(
              mine.flatMap((l, k) => (l.created ? [[k, `c${101 + from + k}`, (101 + from + k) * 10]] : [])),
            );
          }
          expect(pieces.reduce((n, p) => n + p.piece.lines, 0)).toBe(lines.length);
        },
      ),
    );
  });
});
