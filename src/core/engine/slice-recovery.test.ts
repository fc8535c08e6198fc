// Zombie-slice recovery decisions (slice-recovery.ts), each recovery rule on a ledger folded
// from events: future slices keep their time, the latest past-due slice runs (with a warning
// beyond the grace period), earlier ones are skipped, a closed venue defers within the grace
// period and fails beyond it, a tripped breaker blocks, a cancelled parent cancels.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, symbol } from '../model/ids.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import { NYSE_HOURS } from '../venues/nyse-calendar.ts';
import { decideRecovery, twapsFromLog } from './slice-recovery.ts';

// Friday 2024-08-09 14:00 UTC = 10:00 New York: open. 20:30 UTC = 16:30: closed (next open Monday).
const OPEN_T0 = Date.UTC(2024, 7, 9, 14, 0);
const CLOSED_T0 = Date.UTC(2024, 7, 9, 19, 50);

function ledgerWith(t0: number, slices: number, sent: number, opts: { cancel?: boolean } = {}) {
  const clock = new VirtualClock(t0);
  const log = new EventLog(clock);
  const ledger = new OrderLedger();
  const entries = [] as ReturnType<EventLog['append']>[];
  const fold = (e: ExecEvent) => {
    const entry = log.append(e);
    entries.push(entry);
    for (const d of ledger.apply(entry)) ledger.apply(log.append(d));
  };
  const parentId = parentOrderId('p');
  fold({
    kind: 'ParentOrderCreated',
    parentId,
    symbol: symbol('T'),
    side: 'buy',
    qty: slices * 10,
    type: 'market',
    tif: 'IOC',
    limitPrice: null,
    totalSlices: slices,
    route: 'twap',
    arrivalBid: 99,
    arrivalAsk: 101,
    source: 'test',
  });
  fold({
    kind: 'TwapPlanned',
    parentId,
    childType: 'market',
    intervalMs: 60_000,
    durationMs: slices * 60_000,
    unfilledPolicy: 'carry',
    limitOffsetTicks: null,
    adjustments: [],
    stopOffsetTicks: null,
    minNotionalUnits: 0,
    referencePrice: 101,
    stops: { maxSpread: 0.01, maxPriceDeviation: 0.05, minLiquidity: 0 },
  });
  for (let i = 1; i <= slices; i++) {
    fold({
      kind: 'OrderCreated',
      clientOrderId: clientOrderId(`c${i}`),
      parentId,
      sliceNum: i,
      totalSlices: slices,
      scheduledTime: t0 + (i - 1) * 60_000,
      symbol: symbol('T'),
      side: 'buy',
      type: 'market',
      tif: 'IOC',
      qty: 10,
      limitPrice: null,
      stopPrice: null,
    });
  }
  for (let i = 1; i <= sent; i++) fold({ kind: 'SubmitOrder', clientOrderId: clientOrderId(`c${i}`) });
  if (opts.cancel) fold({ kind: 'ParentCancelRequested', parentId, reason: 'operator' });
  return { ledger, entries };
}

const actions = (d: ReturnType<typeof decideRecovery>) => d.map((x) => `${x.sliceNum}:${x.action}`);

describe('decideRecovery', () => {
  it('venue open: earlier missed slices skipped, the latest past-due one runs now, future ones keep their time', () => {
    const { ledger } = ledgerWith(OPEN_T0, 6, 1);
    const now = OPEN_T0 + 3 * 60_000 + 30_000; // slices 2..4 are past due
    const d = decideRecovery(ledger, { now, graceMs: 60_000, hours: NYSE_HOURS, breakerTripped: false });
    expect(actions(d)).toEqual(['2:skipped', '3:skipped', '4:run_now', '5:rescheduled', '6:rescheduled']);
    expect(d[2]?.reason).toMatch(/within the grace period/);
    expect(d[3]?.at).toBe(OPEN_T0 + 4 * 60_000);
  });

  it('beyond the grace period with the venue open: runs with a warning', () => {
    const { ledger } = ledgerWith(OPEN_T0, 3, 1);
    const d = decideRecovery(ledger, {
      now: OPEN_T0 + 5 * 60_000,
      graceMs: 60_000,
      hours: NYSE_HOURS,
      breakerTripped: false,
    });
    expect(actions(d)).toEqual(['2:skipped', '3:run_now']);
    expect(d[1]?.reason).toMatch(/^WARNING past due by 180000 ms/);
  });

  it('venue closed: within the grace period at the next open, beyond it failed', () => {
    const { ledger } = ledgerWith(CLOSED_T0, 3, 0); // slices at 15:50, 15:51, 15:52 New York
    const now = Date.UTC(2024, 7, 9, 20, 2, 30); // 16:02:30: closed
    const d = decideRecovery(ledger, { now, graceMs: 10 * 60_000, hours: NYSE_HOURS, breakerTripped: false });
    // Past due by 12.5, 11.5 and 10.5 minutes: all beyond a 10-minute grace period.
    expect(actions(d)).toEqual(['1:failed', '2:failed', '3:failed']);
    const soon = decideRecovery(ledger, { now, graceMs: 12 * 60_000, hours: NYSE_HOURS, breakerTripped: false });
    expect(actions(soon)).toEqual(['1:failed', '2:rescheduled', '3:rescheduled']);
    expect(soon[1]?.at).toBe(Date.UTC(2024, 7, 12, 13, 30)); // Monday 09:30 New York
  });

  it('a tripped breaker blocks every pending slice; a cancelled parent cancels them; sent slices are left alone', () => {
    const tripped = decideRecovery(ledgerWith(OPEN_T0, 4, 2).ledger, {
      now: OPEN_T0 + 30_000,
      graceMs: 60_000,
      hours: null,
      breakerTripped: true,
    });
    expect(actions(tripped)).toEqual(['3:blocked', '4:blocked']);
    const cancelled = decideRecovery(ledgerWith(OPEN_T0, 4, 1, { cancel: true }).ledger, {
      now: OPEN_T0,
      graceMs: 60_000,
      hours: null,
      breakerTripped: false,
    });
    expect(actions(cancelled)).toEqual(['2:canceled', '3:canceled', '4:canceled']);
  });

  it('rebuilds the plan a scheduler needs from the log: slices, sizes, times, stops and policy', () => {
    const { entries } = ledgerWith(OPEN_T0, 3, 0);
    const t = twapsFromLog(entries).get(parentOrderId('p'));
    expect(t?.plan.slices.map((s) => [s.sliceNum, s.qty, s.scheduledTime - OPEN_T0])).toEqual([
      [1, 10, 0],
      [2, 10, 60_000],
      [3, 10, 120_000],
    ]);
    expect(t?.children).toEqual(['c1', 'c2', 'c3']);
    expect(t?.stops.maxPriceDeviation).toBe(0.05);
    expect(t?.policy).toBe('carry');
    expect(t?.arrivalMid).toBe(100);
  });
});
