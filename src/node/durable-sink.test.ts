import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../core/model/events.ts';
import { DurableSink } from './durable-sink.ts';

const entry = (seq: number): LogEntry =>
  ({ seq, time: seq, event: { kind: 'RunStarted', scenario: 's', symbol: 'X', startTime: 0 } }) as unknown as LogEntry;

describe('DurableSink', () => {
  it('where a crash can happen, holds what was committed and loses the uncommitted tail', () => {
    const sink = new DurableSink();
    for (let i = 1; i <= 3; i++) sink.write(entry(i));
    sink.commit();
    sink.write(entry(4));
    sink.write(entry(5));
    expect(sink.discard()).toBe(2);
    sink.commit();
    expect(sink.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('in a run without restarts keeps nothing, and says so rather than answer an empty log', () => {
    const sink = new DurableSink(false);
    for (let i = 1; i <= 1000; i++) {
      sink.write(entry(i));
      if (i % 10 === 0) sink.commit();
    }
    expect(() => sink.entries).toThrow(/without restarts/);
    expect(() => sink.discard()).toThrow(/cannot crash/);
  });
});
