// The one host of a trading node: what a backtest, a paper run and a session share around the node
// whatever runner it sits behind (a simulated process's ProcessLife, or the live SerialInbox).
// It builds each process's node over its runner (nodeProcess), delivers timed inputs (a
// scenario's orders, signals, cancels and strategy swaps at their times) to the process running
// then, holds them while a first process reads the account's baseline and lets them go in order
// once it is read, names those that arrive while no process runs (a restart's ProcessRestarted
// says them), and counts what has not run yet (a paper run ends only when nothing is pending).
// A root decides which inputs to hand it (a resumed paper run skips those its log handled).
import type { Broker } from '../core/ports/broker.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import type { NodeCommand } from './node-commands.ts';
import { TradingNode, type NodeDeps } from './trading-node.ts';
import { UnitBroker, UnitClock, type UnitRunner } from './unit-runner.ts';

/** A process's node, its clock and how outside work reaches it. */
export interface NodeProcess {
  readonly node: TradingNode;
  /** The process's clock: each timer is a unit of its runner. */
  readonly clock: UnitClock;
}

/** What a process's node is built over, besides its config, log, ledger and random stream. */
export interface NodeProcessParts extends Omit<NodeDeps, 'clock' | 'broker'> {
  /** The world's clock (the virtual clock, the wall clock). */
  readonly clock: Clock;
  readonly runner: UnitRunner;
  readonly venue: Broker;
  /** Sees each venue message as it arrives, before its unit runs. */
  readonly observe?: (m: VenueMessage) => void;
  /** Cancel the process's waiting timers when it stops (a live process). */
  readonly cancelTimersOnStop?: boolean;
}

/** The one place a trading node is built: its clock and venue behind the process's runner. */
export function nodeProcess(parts: NodeProcessParts): NodeProcess {
  const { clock: world, runner, venue, observe, cancelTimersOnStop, ...deps } = parts;
  const clock = new UnitClock(world, runner, cancelTimersOnStop ? { cancelOnStop: true } : {});
  const node = new TradingNode({ ...deps, clock, broker: new UnitBroker(venue, runner, observe ?? null) });
  return { node, clock };
}

/** The strategy a process hosts, as far as a timed swap needs it. */
export interface SwapTarget<S> {
  request(swap: S): unknown;
}

/** The process an input is delivered to: its node, its strategy and how an input runs in it. */
export interface HostedProcess<S> {
  readonly node: Pick<TradingNode, 'handle'>;
  readonly strategy: SwapTarget<S> | null;
  /** Runs an arrived input as a unit of the process; closed while no process runs. */
  readonly runner: UnitRunner;
}

/** An input at its time: a command for the node, or a swap for its strategy. */
export type HostInput<S> =
  { readonly label: string; readonly command: NodeCommand } | { readonly label: string; readonly swap: S };

export interface NodeHostOptions<S> {
  /** Where inputs arrive: the world's clock (a backtest: the process may be dead when one
   *  arrives), or the process's unit clock (a live process: an arrival is a unit already, and its
   *  runner runs it at once). */
  readonly clock: Clock;
  /** The process running now, or null. */
  readonly current: () => HostedProcess<S> | null;
  /** Swaps wait for the baseline too (a live process); a backtest hands them over at once. */
  readonly holdSwaps: boolean;
}

export class NodeHost<S> {
  /** Inputs that arrived while a first process reads the account's baseline, or null. */
  private held: HostInput<S>[] | null = null;
  /** Inputs that arrived while no process ran, not yet named by a restart. */
  private refused: string[] = [];
  private waiting = 0;

  constructor(private readonly o: NodeHostOptions<S>) {}

  /** Delivers `input` to the process running `delayMs` from now. */
  schedule(input: HostInput<S>, delayMs: number): void {
    this.waiting++;
    this.o.clock.schedule(() => this.arrive(input), delayMs);
  }

  /** Inputs scheduled and not yet run or refused. */
  get pending(): number {
    return this.waiting;
  }

  /** Inputs hold from now until release() (a first process reads its baseline). */
  hold(): void {
    this.held = [];
  }

  /** The baseline is read: held inputs arrive again, in order, each as a unit of its own. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const input of held) this.o.clock.schedule(() => this.arrive(input), 0);
  }

  /** The process died: inputs it held die with it, named as refused. */
  processEnded(): void {
    for (const input of this.held ?? []) {
      this.waiting--;
      this.refused.push(input.label);
    }
    this.held = null;
  }

  /** Names an input that was due while no process ran (a resumed run's). */
  refuse(label: string): void {
    this.refused.push(label);
  }

  /** The inputs refused since the last call (a restart names them). */
  takeRefused(): string[] {
    const r = this.refused;
    this.refused = [];
    return r;
  }

  private arrive(input: HostInput<S>): void {
    const p = this.o.current();
    if (p === null || !p.runner.open) {
      this.waiting--;
      this.refused.push(input.label);
      return;
    }
    if (this.held !== null && ('command' in input || this.o.holdSwaps)) {
      this.held.push(input);
      return;
    }
    this.waiting--;
    p.runner.run(deliver, { p, input });
  }
}

/** An input as one unit of work of a process (a shared function: no closure per input). */
function deliver<S>(a: { p: HostedProcess<S>; input: HostInput<S> }): void {
  const { p, input } = a;
  if ('command' in input) p.node.handle(input.command);
  else void p.strategy?.request(input.swap);
}

/** Runs work at once: the runner of inputs that arrive as units already (on a unit clock). */
export const AT_ONCE: UnitRunner = {
  open: true,
  run: (work, arg) => work(arg),
};
