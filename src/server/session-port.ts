// What the service routes, the session page and the session metrics need of a running service
// session (src/host/service-session.ts implements it; the CLI hands it to the app): its identity,
// the commands it runs (each answered once its unit of work committed), and reads of its state
// between units. Reads are synchronous and see the node as its last unit left it.
import type { LogEntry } from '../core/model/events.ts';
import type { Symbol } from '../core/model/ids.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { TopOfBook } from '../core/ports/broker.ts';
import type { OrphanDetected } from '../core/model/recon-events.ts';
import type { BreakerTrip } from '../core/risk/circuit-breaker.ts';
import type { FallbackStatus } from '../core/market/quote-fallback.ts';
import type { CommandResult, NodeCommand } from '../node/node-commands.ts';
import type { RequestLookup, RequestTag } from '../node/request-journal.ts';
import type { NodeStatus } from '../node/node-status.ts';
import type { DeclaredAlgorithms } from '../core/algo/declared-algorithms.ts';
import type { SwapAsk, SwapAskAnswer } from '../node/swap-decision.ts';

export interface SessionQuote {
  readonly symbol: Symbol;
  readonly top: TopOfBook;
  /** When the venue last updated it (epoch ms). */
  readonly at: number;
  readonly ageMs: number;
  readonly stale: boolean;
}

export interface SessionOrphan {
  readonly info: OrphanDetected;
  readonly filled: number;
  readonly resolved: boolean;
  readonly adopted: boolean;
  readonly cancelRequested: boolean;
}

/** The session's strategy now, and a swap in shadow with its samples so far. */
export interface SessionStrategyStatus {
  readonly live: {
    readonly name: string;
    readonly module: string;
    readonly codeHash: string;
    readonly params: string;
    /** Started and not stopped (a failure stops it). */
    readonly running: boolean;
    /** Started once, and stopped since. */
    readonly stopped: boolean;
    /** The symbols not warm yet, with what they have and need. */
    readonly notHydrated: readonly string[];
  };
  readonly shadow: {
    readonly swap: number;
    readonly candidate: string;
    readonly samples: number;
    readonly of: number;
  } | null;
}

export interface SessionPort {
  /** The session's stored run. */
  readonly id: string;
  readonly name: string;
  /** sim: the simulated venue in process; paper: a venue's paper account. */
  readonly mode: 'sim' | 'paper';
  /** The venue's name (the session file's venue.name). */
  readonly venue: string;
  /** The session's run was resumed from the store when this server started. */
  readonly resumed: boolean;
  /** The session's own instrument: the first of `instruments`. */
  readonly instrument: Instrument;
  /** Every instrument the session trades on its account, its own first (a session file's
   *  `instrument`, then its `otherInstruments`). */
  readonly instruments: readonly Instrument[];
  /** The algorithm modules the session file declares (its `algorithms` section), by name with
   *  their default params: the only modules a request may name. */
  readonly algorithms: DeclaredAlgorithms;
  /** The node's ledger (parents, orders, positions), as the last unit left it. */
  readonly ledger: OrderLedger;
  /** The startup gate opened (startup reconciliation done, or forced) and it is not stopping. */
  readonly ready: boolean;
  /** Runs a command as one unit of work; settles once it committed. With a request tag (an
   *  idempotency key) the node decides the request once: the same request again is answered with
   *  that decision, another under the same key is refused ('key-reused'). */
  submit(command: NodeCommand, request?: RequestTag): Promise<CommandResult>;
  /** What the node's request journal knows of a request (a query between units). */
  requestDecision(request: RequestTag): RequestLookup;
  /** The decision of a pending request (a reduce-only order or signal waiting for the venue's
   *  position), once made; bounded by the safety's exposure age, or the session's stop. */
  decisionOf(request: RequestTag): Promise<CommandResult>;
  status(): NodeStatus;
  readiness(now?: number): { readonly ready: boolean; readonly reasons: readonly string[] };
  /** The symbols whose market data is read from the quote fallback now (empty while healthy). */
  marketDataFallback(): readonly FallbackStatus[];
  /** The latest quote held for `symbol`, or null before the first. */
  latestQuote(symbol: Symbol, now?: number): SessionQuote | null;
  /** The breaker's current trip, if any, and the last trip event's observed values. */
  breaker(): { readonly trip: BreakerTrip | null; readonly lastTrip: Readonly<Record<string, unknown>> | null };
  orphans(): readonly SessionOrphan[];
  /** Whether a reconciliation pass runs now. */
  readonly reconciling: boolean;
  /** Why each of a parent's slices was skipped, by slice number. */
  sliceReasons(parentId: string): ReadonlyMap<number, string>;
  /** The entries naming one of our orders (reports, fills, fill detection), oldest first. */
  orderHistory(clientOrderId: string): readonly LogEntry[];
  /** Committed entries after `afterSeq` (from memory or the store), at most `limit` of them. */
  entriesAfter(afterSeq: number, limit?: number): LogEntry[];
  /** Each entry committed from now on; returns what stops it. */
  follow(listener: (entry: LogEntry) => void): () => void;
  /** The last committed entry's sequence number. */
  readonly lastSeq: number;
  /** The session's strategy module (its name, whether it runs or has stopped, the symbols not
   *  warm yet) with a swap in shadow; null (or absent) when the session file names none. GET
   *  /session/strategy, readiness and the strategy gauges read it. */
  strategyStatus?(): SessionStrategyStatus | null;
  /** Asks for a swap of the session's strategy, as one unit of work; settles once it committed
   *  (the decision of a swap in shadow comes later, as events). Absent, or null from
   *  strategyStatus: the session runs no strategy. */
  swapStrategy?(request: SwapAsk, tag?: RequestTag): Promise<SwapAskAnswer>;
}

/** The session's instrument of `symbol`, or undefined: the session does not trade it. */
export function sessionInstrument(port: Pick<SessionPort, 'instruments'>, symbol: string): Instrument | undefined {
  return port.instruments.find((i) => i.symbol === symbol);
}

/** The instrument an order or parent of the session is in: its symbol's (always one of the
 *  session's), else the session's own. */
export function instrumentOfSymbol(port: Pick<SessionPort, 'instrument' | 'instruments'>, symbol: string): Instrument {
  return sessionInstrument(port, symbol) ?? port.instrument;
}
