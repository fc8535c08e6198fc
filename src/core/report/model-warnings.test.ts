// The run report's fold of market model warnings: one entry per model and kind, in order of first
// occurrence, with its count and the first one's time and detail; other events pass by.
import { describe, expect, it } from 'vitest';
import type { LogEntry, ModelWarning } from '../model/events.ts';
import { ModelWarningsFold } from './model-warnings.ts';

describe('ModelWarningsFold', () => {
  it('keeps one entry per model and kind, in order of first occurrence, with the first detail', () => {
    const fold = new ModelWarningsFold();
    const w = (time: number, model: string, warning: ModelWarning['warning'], detail: string): LogEntry => ({
      seq: time,
      time,
      event: { kind: 'ModelWarning', model, warning, detail },
    });
    fold.add(w(1, 'almgren_chriss', 'rate_interval', 'a'));
    fold.add({ seq: 2, time: 2, event: { kind: 'FaultApplied', fault: 'halt', detail: 'halt begins' } });
    fold.add(w(3, 'almgren_chriss', 'price_floor', 'b'));
    fold.add(w(4, 'almgren_chriss', 'rate_interval', 'c'));
    fold.add(w(5, 'synthetic', 'price_floor', 'd'));
    expect(fold.summary()).toEqual([
      { model: 'almgren_chriss', warning: 'rate_interval', count: 2, firstAt: 1, first: 'a' },
      { model: 'almgren_chriss', warning: 'price_floor', count: 1, firstAt: 3, first: 'b' },
      { model: 'synthetic', warning: 'price_floor', count: 1, firstAt: 5, first: 'd' },
    ]);
  });
});
