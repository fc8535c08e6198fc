// The guards an order passes before it goes out: the kill switch (given our position and the
// orders working besides it), the circuit breaker (sampled first: it may trip and log a trip
// here), a quarantined symbol, and venue hours. Consulted by the slice sender once per order it
// lets out and by the order manager when it admits a parent; both run inside the node's handling.
import type { ClientOrderId, Symbol } from '../model/ids.ts';
import { lotsToQty, type Instrument } from '../model/instrument.ts';
import type { InstrumentSet } from '../model/instrument-set.ts';
import type { Side } from '../model/order.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Clock } from '../ports/clock.ts';
import type { BreakerFeed } from '../risk/breaker-feed.ts';
import type { CircuitBreaker } from '../risk/circuit-breaker.ts';
import type { KillSwitch } from '../risk/kill-switch.ts';
import type { TradingHours } from '../venues/nyse-calendar.ts';

export interface SendGuardDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  /** The run's symbol's instrument: an order without a symbol is of it. */
  readonly instrument: Instrument;
  readonly instruments: InstrumentSet;
  readonly killSwitch: KillSwitch;
  readonly breaker: CircuitBreaker;
  readonly breakerFeed: BreakerFeed;
  readonly quarantine?: ((symbol: Symbol) => string | null) | undefined;
  readonly hours?: TradingHours | undefined;
}

export class SendGuard {
  constructor(private readonly deps: SendGuardDeps) {}

  /** Why nothing may go out now for an order of this side and size (of `symbol`: the run's
   *  symbol when absent), or null. `self`: the order being sent, left out of the working orders
   *  the kill switch counts. */
  blocks(side: Side, qty: number, self?: ClientOrderId, symbol?: Symbol): string | null {
    const { hours, ledger, instruments } = this.deps;
    this.deps.breakerFeed.sample();
    const sym = symbol ?? this.deps.instrument.symbol;
    return (
      this.deps.killSwitch.blocks(
        side,
        qty,
        () => ({
          position: ledger.positionOf(sym),
          working: ledger.workingOrders(self, instruments.size > 1 ? sym : undefined),
        }),
        (lots) => lotsToQty(instruments.of(sym), lots),
      ) ??
      this.deps.breaker.blocks() ??
      this.deps.quarantine?.(sym) ??
      (hours && !hours.isOpen(this.deps.clock.now()) ? 'venue closed' : null)
    );
  }

  /** Reads the market for the breaker without deciding anything: what the slice sender does
   *  just before a slice this guard cleared leaves (slice-sender.ts says why). */
  readMarket(): void {
    this.deps.breakerFeed.sample();
  }
}
