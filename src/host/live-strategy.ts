// A strategy module in a live process (a paper run or a service session): the StrategyHost a
// backtest runs, on the process's clock, each command it makes queued in the inbox as a unit of
// its own; a StrategySlot, so a session can swap it. Holding, closing and restarts:
// docs/0065-the-host-layer.md.
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { LiveVenue } from '../live/live-venue.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import type { SerialInbox } from '../node/serial-inbox.ts';
import type { TradingNode } from '../node/trading-node.ts';
import type { UnitClock } from '../node/unit-runner.ts';
import type { LoadedScenario, RunnableStrategy } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import type { LogEntry } from '../core/model/events.ts';
import { StrategySlot, type CandidateRef, type Instantiable } from '../strategy/strategy-slot.ts';
import { liveCandidates } from './session-swap.ts';
import { venueHistory } from './venue-history.ts';
import type { DeclaredAlgorithms } from '../core/algo/declared-algorithms.ts';

export interface LiveStrategyParts {
  readonly strategy: RunnableStrategy;
  readonly node: TradingNode;
  readonly ledger: OrderLedger;
  /** The process's clock: its timers are units of the inbox and are cancelled when it stops. */
  readonly clock: UnitClock;
  readonly venue: LiveVenue;
  /** The venue's name (the file's venue.name). */
  readonly venueName: string;
  /** The run's instruments, its own first. */
  readonly instruments: readonly Instrument[];
  readonly inbox: SerialInbox;
  /** Hold the strategy's commands until release() (a first process reading its baseline). */
  readonly held: boolean;
  /** The durable log the process starts from (a swap in it may have replaced the strategy). */
  readonly prior: readonly LogEntry[];
  /** Finds the module an accepted swap in `prior` put live (StrategySlot's `candidate`). */
  readonly candidate: (ref: CandidateRef) => Instantiable | null;
  /** The file's seed: the strategy's Math.random draws from it. */
  readonly seed: number;
  /** The algorithm modules the file declares, which the strategy's signals may name. */
  readonly algorithms?: DeclaredAlgorithms | undefined;
}

/** What of its process a live strategy runs on. */
export type LiveStrategyProcess = Pick<
  LiveStrategyParts,
  'node' | 'ledger' | 'clock' | 'venue' | 'instruments' | 'inbox'
>;

/**
 * The strategy module `loaded` names, running beside the node of a live process that starts from
 * `prior` (null: a first process), or null when it names none. A first process reads the
 * account's baseline before anything is sent: the strategy's commands wait for it (release()), as
 * a paper run's scenario inputs do. A restarted one starts the strategy an accepted swap in its
 * log put live, found among the file's modules (liveCandidates).
 */
export function liveStrategyOf(
  loaded: LoadedScenario<ScenarioFile>,
  proc: LiveStrategyProcess,
  prior: readonly LogEntry[] | null,
): LiveStrategy | null {
  if (!loaded.strategy) return null;
  return new LiveStrategy({
    ...proc,
    strategy: loaded.strategy,
    venueName: loaded.scenario.venue.name,
    held: prior === null,
    prior: prior ?? [],
    candidate: liveCandidates(loaded),
    seed: loaded.scenario.seed,
    algorithms: loaded.scenario.algorithms,
  });
}

type SlotStatus = ReturnType<StrategySlot['status']>;

/** The live strategy and a swap in shadow (the slot's status), with what readiness and the
 *  metrics read of the live one. */
export interface StrategyStatus {
  readonly live: SlotStatus['live'] & {
    /** Started once, and stopped since (a failure stops it). */
    readonly stopped: boolean;
    /** The symbols not warm yet, with what they have and need (none once it stopped). */
    readonly notHydrated: readonly string[];
  };
  readonly shadow: SlotStatus['shadow'];
}

export class LiveStrategy {
  /** The live strategy, and a swap's candidate in shadow beside it. */
  readonly host: StrategySlot;
  private held: NodeCommand[] | null;
  private queued = 0;
  private closed: string | null = null;
  private started = false;

  constructor(private readonly parts: LiveStrategyParts) {
    const { strategy, clock, inbox } = parts;
    this.held = parts.held ? [] : null;
    this.host = new StrategySlot({
      strategy,
      seed: parts.seed,
      prior: parts.prior,
      candidate: parts.candidate,
      clock,
      // The node's market data: the quote fallback over the adapter, as the node's own readers.
      marketData: parts.node.marketData,
      instruments: parts.instruments,
      ledger: parts.ledger,
      record: (e) => parts.node.record(e),
      command: (_label, command) => (this.held ? this.held.push(command) : this.queue(command)),
      algorithms: parts.algorithms,
      history: venueHistory({
        venue: parts.venue,
        venueName: parts.venueName,
        instruments: parts.instruments,
        barMs: strategy.barMs,
        ...(strategy.bars ? { bars: strategy.bars } : {}),
        clock,
        post: (work) => inbox.post(work),
      }),
    });
  }

  /** The live strategy's name (a swap may have changed it). */
  get name(): string {
    return this.host.status().live.name;
  }

  /** Starts the strategy (inside the process's startup unit). */
  start(): void {
    this.started = true;
    this.host.start();
  }

  /** The startup gate opened: the commands held meanwhile are queued, in order. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const command of held) this.queue(command);
  }

  /** No more from the strategy: it is stopped, and its signals not yet run are refused. */
  close(reason: string): void {
    this.closed = reason;
    this.host.stop();
  }

  /** The process ends. */
  stop(): void {
    this.host.stop();
  }

  /** Whether the strategy may still make commands, or has some not yet run. */
  get busy(): boolean {
    return this.host.running || this.queued > 0 || (this.held?.length ?? 0) > 0;
  }

  status(): StrategyStatus {
    const { live, shadow } = this.host.status();
    const running = live.running;
    return {
      live: {
        ...live,
        stopped: this.started && !running,
        notHydrated: running || !this.started ? this.host.notHydrated() : [],
      },
      shadow,
    };
  }

  private queue(command: NodeCommand): void {
    this.queued++;
    this.parts.inbox.post(() => {
      this.queued--;
      this.run(command);
    });
  }

  private run(command: NodeCommand): void {
    if (this.closed !== null && command.kind === 'EmitSignal') {
      this.parts.node.record({
        kind: 'StrategyOutputRefused',
        name: this.name,
        ref: command.signal.signalId,
        output: 'signal',
        reason: this.closed,
      });
      return;
    }
    this.parts.node.handle(command);
  }
}
