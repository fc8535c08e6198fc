// RunCounts reads a grouped run's counts from a followed ledger only when that ledger is where the
// log is: it refuses a ledger that has not applied what was written, a second process's ledger,
// and an entry its ledger never applied (unless the run failed on it, which then adds no fills).
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../core/model/events.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { RunCounts } from './run-counts.ts';

const started = (seq: number): LogEntry =>
  ({ seq, time: 1_000 + seq, event: { kind: 'RunStarted' } }) as unknown as LogEntry;

describe('RunCounts', () => {
  it('follows one ledger, from where the log is', () => {
    const c = new RunCounts();
    const ledger = new OrderLedger();
    ledger.apply(started(1));
    expect(() => c.follow(ledger)).toThrow(/ledger at entry 1 cannot be followed from entry 0/);
    const fresh = new OrderLedger();
    c.follow(fresh);
    expect(() => c.follow(new OrderLedger())).toThrow(/one process/);
  });

  it('refuses a unit whose last entry its ledger has not applied, unless the run failed on it', () => {
    const c = new RunCounts();
    const ledger = new OrderLedger();
    c.follow(ledger);
    c.write(started(1));
    ledger.apply(started(1));
    c.unitEnd();
    expect(c.units).toEqual({ lastSeq: 1, orders: 0, fills: 0, logDigest: null });
    c.write(started(2));
    expect(() => c.unitEnd()).toThrow(/has not applied entry 2 \(at 1\)/);
    c.unitEnd(false);
    expect(c.units).toEqual({ lastSeq: 2, orders: 0, fills: 0, logDigest: null });
  });

  it('refuses entries written with no ledger followed', () => {
    const c = new RunCounts();
    c.write(started(1));
    expect(() => c.unitEnd()).toThrow(/none was given/);
  });
});
