// State consistency after a fill: the venue's position is compared with the one our fills add up
// to on top of the account's baseline; a mismatch is recorded and triggers a position sync.
// Coalesced checks, orders of unknown outcome and several symbols:
// docs/0069-core-and-simulator-notes.md.
import type { Rng } from '../clock/rng.ts';
import type { ExecEvent } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import { positionIn, type VenueMessage } from '../model/reports.ts';
import { neverShown } from '../order/apply-event.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import { backoffDelay } from './backoff.ts';
import type { FillConfig } from './fill-config.ts';

export interface PositionCheckDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly config: FillConfig;
  readonly rng: Rng;
  record(e: ExecEvent): void;
}

type Round = { cause: ClientOrderId; afterSync: boolean; failures: number; deferrals: number };

/** How many times one check waits for orders of unknown outcome before it compares anyway. */
const MAX_DEFERRALS = 3;

const NO_UNSEEN_FILLS = new Set(['filled', 'rejected', 'failed', 'pending_new']);

export class PositionCheck {
  /** The account query in flight, if any. */
  private running: Round | null = null;
  /** A check asked for while one was running. */
  private again: ClientOrderId | null = null;
  /** Orders of the sync still unanswered. */
  private syncing = new Set<ClientOrderId>();
  /** Failed lookups per order of the running sync. */
  private readonly syncFailures = new Map<ClientOrderId, number>();
  private syncCause: ClientOrderId | null = null;
  private watchdog: { unsubscribe(): void } | null = null;
  /** A check waiting for orders of unknown outcome to resolve, and its bounded wait. */
  private deferred: { round: Round; orders: ClientOrderId[]; timer: { unsubscribe(): void } } | null = null;

  constructor(private readonly deps: PositionCheckDeps) {}

  /** Asks for a check after `cause` filled (in whole or in part). */
  request(cause: ClientOrderId): void {
    if (this.running || this.syncCause || this.deferred) {
      this.again = cause;
      return;
    }
    this.query({ cause, afterSync: false, failures: 0, deferrals: 0 });
  }

  get busy(): boolean {
    return this.running !== null || this.syncCause !== null || this.deferred !== null;
  }

  onMessage(msg: VenueMessage): void {
    if (msg.kind === 'AccountReport' && this.running) {
      const round = this.running;
      this.running = null;
      const { ledger } = this.deps;
      // The symbol of the order that filled; a venue of one symbol answers for it.
      const several = msg.others !== undefined;
      const symbol = several ? (ledger.order(round.cause)?.request.symbol ?? msg.symbol) : msg.symbol;
      const expected = several ? ledger.accountPositionOf(symbol) : ledger.accountPosition;
      const venue = several ? positionIn(msg, symbol) : msg.position;
      const consistent = venue === expected;
      const unknown =
        consistent || round.deferrals >= MAX_DEFERRALS ? null : this.unknownOutcomes(several ? symbol : undefined);
      if (unknown && unknown.low <= venue - expected && venue - expected <= unknown.high) {
        this.deps.record({
          kind: 'PositionCheckDeferred',
          cause: round.cause,
          expected,
          venue,
          orders: unknown.orders,
        });
        this.defer({ ...round, deferrals: round.deferrals + 1 }, unknown.orders);
        return;
      }
      this.deps.record({
        kind: 'PositionChecked',
        cause: round.cause,
        expected,
        venue,
        consistent,
        afterSync: round.afterSync,
        ...(several ? { symbol } : {}),
      });
      if (!consistent && !round.afterSync) this.sync(round.cause);
      else this.next();
      return;
    }
    if (msg.kind === 'QueryFailedReport' && msg.query === 'account' && this.running) {
      const round = this.running;
      this.running = null;
      round.failures++;
      if (round.failures > this.deps.config.maxRetries) {
        this.next(); // given up on this round; the next fill asks again
        return;
      }
      this.deps.clock.schedule(() => this.query(round), backoffDelay(round.failures, this.deps.config, this.deps.rng));
      return;
    }
    if (this.deferred && 'clientOrderId' in msg && msg.clientOrderId !== null) {
      const d = this.deferred;
      if (d.orders.includes(msg.clientOrderId) && d.orders.every((id) => !this.outcomeUnknown(id))) {
        d.timer.unsubscribe();
        this.deferred = null;
        this.query(d.round);
      }
    }
    if (this.syncCause && 'clientOrderId' in msg && msg.clientOrderId !== null && this.syncing.has(msg.clientOrderId)) {
      const id = msg.clientOrderId;
      if (msg.kind === 'QueryFailedReport') {
        // A failed lookup is asked again (with backoff, up to maxRetries): comparing before the
        // order's fills are known would call a fill we are about to learn a mismatch.
        const failures = (this.syncFailures.get(id) ?? 0) + 1;
        this.syncFailures.set(id, failures);
        if (failures <= this.deps.config.maxRetries) {
          const cause = this.syncCause;
          this.deps.clock.schedule(
            () => {
              if (this.syncCause === cause && this.syncing.has(id)) this.deps.broker.queryOrder(id);
            },
            backoffDelay(failures, this.deps.config, this.deps.rng),
          );
          return;
        }
      }
      if (msg.kind === 'OrderStatusReport' || msg.kind === 'OrderNotFoundReport' || msg.kind === 'QueryFailedReport') {
        this.syncing.delete(id);
        if (this.syncing.size === 0) this.afterSync();
      }
    }
  }

  /** Looks `orders` up and waits for them to resolve (their answers end the wait) or
   *  backoffMaxMs, then asks for the position again. */
  private defer(round: Round, orders: ClientOrderId[]): void {
    for (const id of orders) this.deps.broker.queryOrder(id);
    const timer = this.deps.clock.schedule(() => {
      if (this.deferred?.timer !== timer) return;
      this.deferred = null;
      this.query(round);
    }, this.deps.config.backoffMaxMs);
    this.deferred = { round, orders, timer };
  }

  /** Our orders (of `symbol`, when given) whose outcome is unknown, and the range of positions
   *  they could have added. */
  private unknownOutcomes(symbol?: string): { orders: ClientOrderId[]; low: number; high: number } | null {
    const orders: ClientOrderId[] = [];
    let low = 0;
    let high = 0;
    for (const o of this.deps.ledger.sentOrders()) {
      if (symbol !== undefined && o.request.symbol !== symbol) continue;
      if (!this.outcomeUnknown(o.request.clientOrderId)) continue;
      orders.push(o.request.clientOrderId);
      const left = o.request.qty - o.filledQty;
      if (o.request.side === 'buy') high += left;
      else low -= left;
    }
    return orders.length === 0 ? null : { orders, low, high };
  }

  /** Sent, and neither acknowledged nor refused by the venue: it may have filled unseen. */
  private outcomeUnknown(id: ClientOrderId): boolean {
    const o = this.deps.ledger.order(id);
    if (!o) return false;
    if (o.status === 'submitted' || o.status === 'submitted_unconfirmed') return true;
    if (o.status === 'pending_new') return o.attempts > 0;
    return o.status === 'pending_cancel' && neverShown(o);
  }

  private query(round: Round): void {
    this.running = round;
    this.deps.broker.queryAccount();
  }

  private sync(cause: ClientOrderId): void {
    const orders = [...this.deps.ledger.orders.values()]
      .filter((o) => !NO_UNSEEN_FILLS.has(o.status) || (o.status === 'pending_new' && o.attempts > 0))
      .map((o) => o.request.clientOrderId);
    this.deps.record({ kind: 'PositionSyncStarted', cause, orders });
    this.syncCause = cause;
    this.syncing = new Set(orders);
    this.syncFailures.clear();
    if (orders.length === 0) {
      this.afterSync();
      return;
    }
    for (const id of orders) this.deps.broker.queryOrder(id);
    // Answers that never come (a lost request) must not stop the checks for good.
    this.watchdog = this.deps.clock.schedule(() => this.afterSync(), this.deps.config.backoffMaxMs);
  }

  private afterSync(): void {
    const cause = this.syncCause;
    if (cause === null) return;
    this.watchdog?.unsubscribe();
    this.watchdog = null;
    this.syncCause = null;
    this.syncing.clear();
    this.query({ cause, afterSync: true, failures: 0, deferrals: 0 });
  }

  private next(): void {
    const cause = this.again;
    this.again = null;
    if (cause !== null) this.query({ cause, afterSync: false, failures: 0, deferrals: 0 });
  }
}
