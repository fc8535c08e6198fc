// ProjectionDelta reads rows from a followed ledger only when that ledger is where the log is: it
// refuses a ledger that has not applied what was written, a second process's ledger, and an entry
// its ledger never applied (unless the run failed on it, which then has no fill rows).
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../core/model/events.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { ProjectionDelta } from './projection-delta.ts';

const instrument = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const started = (seq: number): LogEntry =>
  ({ seq, time: 1_000 + seq, event: { kind: 'RunStarted' } }) as unknown as LogEntry;

describe('ProjectionDelta', () => {
  it('follows one ledger, from where the log is', () => {
    const d = new ProjectionDelta('r', instrument);
    const ledger = new OrderLedger();
    ledger.apply(started(1));
    expect(() => d.follow(ledger)).toThrow(/ledger at entry 1 cannot be followed from entry 0/);
    const fresh = new OrderLedger();
    d.follow(fresh);
    expect(() => d.follow(new OrderLedger())).toThrow(/one process/);
  });

  it('refuses a unit whose last entry its ledger has not applied, unless the run failed on it', () => {
    const d = new ProjectionDelta('r', instrument);
    const ledger = new OrderLedger();
    d.follow(ledger);
    d.write(started(1));
    ledger.apply(started(1));
    d.write(started(2));
    expect(() => d.unitEnd()).toThrow(/has not applied entry 2 \(at 1\)/);
    d.unitEnd(false);
    expect(d.take()).toMatchObject({ lastSeq: 2, fills: [], children: [], parents: [] });
  });

  it('refuses entries written with no ledger followed', () => {
    const d = new ProjectionDelta('r', instrument);
    d.write(started(1));
    expect(() => d.unitEnd()).toThrow(/none was given/);
  });
});
