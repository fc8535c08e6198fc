// What a strategy's outputs become: a score is checked and handed to a swap's comparison; a
// signal, a cancel or a kill-switch request becomes a node command, run later as a unit of work
// of its own (so a strategy goes through the same path as every other input), unless the strategy
// is a swap's candidate in shadow (compared, never sent) or its symbol is not warm yet (refused,
// logged). A strategy that fails: StrategyFailed, then its failure policy's commands (the kill
// switch, cancels of the parents it made).
import type { ExecEvent } from '../core/model/events.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { Clock } from '../core/ports/clock.ts';
import { parentOrderId } from '../core/model/ids.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import { lotsAsUnits, type OwnOrdersFeed } from './own-orders-feed.ts';
import type { StrategyOutput } from './strategy-api.ts';
import type { StrategyFailure } from './strategy-calls.ts';
import { isScore, toCommand, toScore } from './strategy-output.ts';
import type { DeclaredAlgorithms } from '../core/algo/declared-algorithms.ts';
import type { LoadedStrategy } from './strategy-port.ts';
import type { SymbolWarmup } from './symbol-warmup.ts';

export interface OutputsDeps {
  readonly strategy: LoadedStrategy;
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly record: (event: ExecEvent) => void;
  readonly command: (label: string, command: NodeCommand) => void;
  readonly watch?:
    | {
        score?(symbol: string, value: number): void;
        signal?(symbol: string, signedQty: number): void;
        failed?(phase: string, message: string): void;
      }
    | undefined;
  /** The algorithm modules the file declares, which a signal may name. */
  readonly algorithms?: DeclaredAlgorithms | undefined;
}

export interface OutputsParts {
  readonly warmup: SymbolWarmup;
  readonly ownOrders: OwnOrdersFeed;
  /** The run's instrument named by a symbol (the run's own for none), or null. */
  readonly instrumentOf: (symbol: string | undefined) => Instrument | null;
  /** 'live': signals become commands; 'shadow': a swap's candidate, compared only. */
  readonly role: () => 'live' | 'shadow';
}

export class StrategyOutputs {
  private readonly name: string;
  private signalCount = 0;

  constructor(
    private readonly deps: OutputsDeps,
    private readonly parts: OutputsParts,
  ) {
    this.name = deps.strategy.definition.name;
  }

  /** Acts on one output the strategy made (throws OutputError for a malformed one). */
  emit(raw: StrategyOutput): void {
    const { parts } = this;
    if (isScore(raw)) {
      const score = toScore(raw, parts.instrumentOf);
      this.deps.watch?.score?.(score.symbol, score.value);
      return;
    }
    const now = Math.floor(this.deps.clock.now());
    const made = toCommand(
      raw,
      this.name,
      () => `${this.name}-${now}-${++this.signalCount}`,
      parts.instrumentOf,
      this.deps.algorithms,
    );
    const shadow = parts.role() === 'shadow';
    if (made.command.kind === 'EmitSignal') {
      const sig = made.command.signal;
      const symbol = sig.symbol ?? (parts.instrumentOf(undefined) as Instrument).symbol;
      const qty = lotsAsUnits(parts.instrumentOf(symbol), sig.qty);
      this.deps.watch?.signal?.(symbol, sig.side === 'buy' ? qty : -qty);
      // A shadow's signals are compared, never sent, and never answered.
      if (shadow) return;
      parts.ownOrders.signalMade(made.ref, { symbol, side: sig.side, qty });
      const progress = parts.warmup.progressIfCold(symbol);
      if (progress !== null) {
        this.deps.record({
          kind: 'StrategyOutputRefused',
          name: this.name,
          ref: made.ref,
          output: 'signal',
          reason: `not warm yet: ${symbol} has ${progress}`,
        });
        return;
      }
    } else if (shadow) return;
    this.deps.command(made.label, made.command);
  }

  /** The strategy stopped on `failure`: a candidate's rejects it (the swap's decision says why;
   *  the live one trades on); the live one's is logged and its failure policy applied. */
  failed(failure: StrategyFailure): void {
    const { strategy: s } = this.deps;
    if (this.parts.role() === 'shadow') {
      this.deps.watch?.failed?.(failure.phase, failure.message);
      return;
    }
    this.deps.record({
      kind: 'StrategyFailed',
      name: this.name,
      module: s.module,
      phase: failure.phase,
      message: failure.message,
    });
    const reason = `strategy ${this.name} failed: ${failure.message}`.slice(0, 300);
    if (s.onFailure.killSwitch !== 'active') {
      this.deps.command(`kill switch ${s.onFailure.killSwitch}`, {
        kind: 'SetKillSwitch',
        state: s.onFailure.killSwitch,
        actor: `strategy:${this.name}`,
        reason,
      });
    }
    if (s.onFailure.cancelParents) {
      for (const id of this.parts.ownOrders.parentIds()) {
        const parent = this.deps.ledger.parents.get(parentOrderId(id));
        if (parent && parent.completed === null)
          this.deps.command(`cancel ${id}`, { kind: 'CancelParent', parentId: parentOrderId(id), reason });
      }
    }
    this.deps.watch?.failed?.(failure.phase, failure.message);
  }

  /** Takes over from a swapped-out strategy's outputs: default signal ids are name-time-n, never
   *  one the old strategy used. */
  takeOver(from: StrategyOutputs): void {
    this.signalCount = Math.max(this.signalCount, from.signalCount);
  }
}
