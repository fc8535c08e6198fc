// A percent-of-volume parent's slice target as the engine builds it, when the parent starts and
// when a restarted process rebuilds its scheduler from the log: the tape of its symbol from the
// market data port, and its own fills from the ledger.
import { parentTape, ParticipationTarget } from '../algo/participation.ts';
import type { ParentOrderId } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import type { PlannedTrajectory } from '../model/events.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { MarketDataPort } from '../ports/broker.ts';

export function povTarget(
  planned: Extract<PlannedTrajectory, { kind: 'pov' }>,
  startTime: number,
  parentId: ParentOrderId,
  instrument: Instrument,
  engine: { readonly marketData: MarketDataPort; readonly ledger: OrderLedger },
): ParticipationTarget {
  const { rate, maxRate, minChildQty, end } = planned;
  const tape = parentTape(
    engine.marketData,
    instrument.symbol,
    () => engine.ledger.parents.get(parentId)?.totals.filled ?? 0,
  );
  return new ParticipationTarget({ rate, maxRate, minChildQty, end }, startTime, tape);
}
