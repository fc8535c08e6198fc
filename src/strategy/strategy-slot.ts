// A process's strategy, which a swap may replace while it runs: the live StrategyHost and, while
// a swap is validated, its candidate in a shadow host beside it. The candidate takes the live one's
// place only if their outputs compare well; every request and its end are events, so the log says
// which strategy traded when.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategystrategy-slotts
import type { LogEntry } from '../core/model/events.ts';
import type { StrategySwapDecided, StrategySwapRequested, SwapDecision } from '../core/model/strategy-events.ts';
import type { EventSink } from '../core/ports/event-sink.ts';
import type { Subscription } from 'rxjs';
import type { StrategyDefinition } from './strategy-api.ts';
import { StrategyHost, type HostWatch, type StrategyHostDeps } from './strategy-host.ts';
import { barLengthsText, sameFeed, type InstanceEnv, type LoadedStrategy } from './strategy-port.ts';
import { unguarded } from './wall-clock-guard.ts';
import { compareOutputs, decimal, type ShadowComparison, type Thresholds } from './shadow-compare.ts';
import { ShadowSamples } from './shadow-samples.ts';
import { swapHistory } from './swap-history.ts';

/** A loaded module that makes a fresh instance of its definition for each host, on the run's
 *  clock and seed. */
export type Instantiable = LoadedStrategy & { instantiate(env: InstanceEnv): StrategyDefinition<unknown> };

/** What names a swapped-in strategy in the log (its StrategySwapRequested). */
export interface CandidateRef {
  readonly module: string;
  readonly codeHash: string;
  readonly params: string;
}

export interface SwapRequest {
  readonly candidate: Instantiable;
  /** Samples to compare (default 100 where it is asked for). */
  readonly samples: number;
  /** How long the shadow may take to collect them; then the candidate is rejected. */
  readonly timeoutMs: number;
  readonly thresholds: Thresholds;
  /** Skip the shadow: the candidate goes live at once (audited by actor and reason). */
  readonly override: boolean;
  readonly actor: string;
  readonly reason: string;
}

/** shadow: the candidate runs in shadow, decided later; accepted: an override swapped it in;
 *  refused: nothing changed; rejected: the candidate failed as it started. Every outcome is in
 *  the log too. */
export type SwapAnswer =
  | { readonly outcome: 'shadow' | 'accepted'; readonly swap: number }
  | { readonly outcome: 'refused' | 'rejected'; readonly swap: number; readonly reason: string };

export interface StrategySlotDeps extends Omit<StrategyHostDeps, 'strategy' | 'role' | 'watch'> {
  /** The strategy the run names. */
  readonly strategy: Instantiable;
  /** The run's seed (a sweep path's own): each instance's Math.random draws from it. */
  readonly seed: number;
  /** The durable log the process starts from (empty for a run's first process). */
  readonly prior: readonly LogEntry[];
  /** The module an accepted swap in `prior` named, to start it again; null when it cannot be
   *  had (the strategy then fails at start). */
  readonly candidate: (ref: CandidateRef) => Instantiable | null;
}

/** A candidate in shadow. */
interface Shadow {
  readonly swap: number;
  readonly request: SwapRequest;
  readonly host: StrategyHost;
  readonly samples: ShadowSamples;
  readonly since: number;
  timeout: Subscription | null;
  deciding: boolean;
}

export class StrategySlot implements EventSink {
  private live: StrategyHost | null = null;
  private liveStrategy: Instantiable;
  private shadow: Shadow | null = null;
  /** Swaps asked for in the run so far (the log's, then this process's). */
  private swaps = 0;
  /** A swap the durable log left in shadow, to be logged abandoned at start. */
  private orphaned: StrategySwapRequested | null = null;
  /** The strategy an accepted swap put live that cannot be had again. */
  private missing: StrategySwapRequested | null = null;

  constructor(private readonly deps: StrategySlotDeps) {
    this.liveStrategy = deps.strategy;
    const history = swapHistory(deps.prior);
    this.swaps = history.count;
    this.orphaned = history.inShadow;
    if (history.accepted) {
      const found = deps.candidate(history.accepted);
      if (found) this.liveStrategy = found;
      else this.missing = history.accepted;
    }
  }

  /** Starts the live strategy (the one the log says is live), after logging a swap the last
   *  process left in shadow as abandoned. */
  start(): void {
    if (this.live) return;
    const o = this.orphaned;
    this.orphaned = null;
    if (o)
      this.decided(
        o.swap,
        o.name,
        o.candidate,
        'abandoned',
        null,
        null,
        'the process restarted while the candidate was in shadow: its samples died with it, and the old strategy stays live (ask again)',
      );
    if (this.missing) {
      const m = this.missing;
      this.deps.record({
        kind: 'StrategyFailed',
        name: m.candidate,
        module: m.module,
        phase: 'start',
        message: `swap ${m.swap} put ${m.module} (${m.codeHash}) live, and that code cannot be loaded again after the restart`,
      });
      const mode = this.deps.strategy.onFailure.killSwitch;
      if (mode !== 'active')
        this.deps.command(`kill switch ${mode}`, {
          kind: 'SetKillSwitch',
          state: mode,
          actor: `strategy:${m.candidate}`,
          reason: `strategy ${m.candidate} cannot start after the restart`,
        });
      return;
    }
    this.live = this.host(this.liveStrategy, 'live');
    this.live.start();
  }

  /** The process ends: both strategies stop. */
  stop(): void {
    this.shadow?.timeout?.unsubscribe();
    this.shadow?.host.stop();
    this.live?.stop();
  }

  /** The process's world has ended (its backtest is over, or the simulated process crashed):
   *  both strategies' instances end, without running or cancelling anything (StrategyHost.retire). */
  retire(): void {
    this.shadow?.host.retire();
    this.live?.retire();
  }

  get running(): boolean {
    return this.live?.running ?? false;
  }

  notHydrated(): string[] {
    return this.live?.notHydrated() ?? [];
  }

  /** The strategy live now, and the swap in shadow if any (samples so far, of how many). */
  status(): {
    readonly live: CandidateRef & { readonly name: string; readonly running: boolean };
    readonly shadow: {
      readonly swap: number;
      readonly candidate: string;
      readonly samples: number;
      readonly of: number;
    } | null;
  } {
    const s = this.liveStrategy;
    const sh = this.shadow;
    return {
      live: {
        name: s.definition.name,
        module: s.module,
        codeHash: s.codeHash,
        params: s.paramsJson,
        running: this.running,
      },
      shadow: sh
        ? {
            swap: sh.swap,
            candidate: sh.request.candidate.definition.name,
            samples: sh.samples.series.live.length,
            of: sh.request.samples,
          }
        : null,
    };
  }

  write(entry: LogEntry): void {
    this.live?.write(entry);
  }

  /** Asks for a swap: logged, then refused, started in shadow, or (override) done at once. */
  request(req: SwapRequest): SwapAnswer {
    const swap = ++this.swaps;
    const c = req.candidate;
    const name = this.liveStrategy.definition.name;
    const candidate = c.definition.name;
    this.deps.record({
      kind: 'StrategySwapRequested',
      swap,
      name,
      candidate,
      module: c.module,
      codeHash: c.codeHash,
      params: c.paramsJson,
      samples: req.samples,
      timeoutMs: req.timeoutMs,
      minCorrelation: decimal(req.thresholds.minCorrelation),
      maxMeanDifference: decimal(req.thresholds.maxMeanDifference),
      actor: req.actor,
      override: req.override,
      reason: req.reason,
    });
    const refusal = this.refusal(req);
    if (refusal !== null) {
      this.decided(swap, name, candidate, 'refused', null, null, refusal);
      return { outcome: 'refused', swap, reason: refusal };
    }
    const old = this.live as StrategyHost;
    if (req.override) {
      this.decided(swap, name, candidate, 'accepted', null, null, `operator override by ${req.actor}: ${req.reason}`);
      const host = this.host(c, 'live');
      host.takeOver(old);
      this.live = host;
      this.liveStrategy = c;
      host.start();
      return { outcome: 'accepted', swap };
    }
    const shadow: Shadow = {
      swap,
      request: req,
      host: this.host(c, 'shadow'),
      samples: new ShadowSamples(req.samples),
      since: this.deps.clock.now(),
      timeout: null,
      deciding: false,
    };
    this.shadow = shadow;
    shadow.host.start();
    if (this.shadow !== shadow) return { outcome: 'rejected', swap, reason: 'the candidate failed as it started' };
    old.mirrorTo(shadow.host);
    shadow.timeout = this.deps.clock.schedule(() => this.timedOut(shadow), req.timeoutMs);
    return { outcome: 'shadow', swap };
  }

  /** Why a request cannot start now, or null. */
  private refusal(req: SwapRequest): string | null {
    const sh = this.shadow;
    if (sh)
      return (
        `swap ${sh.swap} (candidate ${sh.request.candidate.definition.name}) is in shadow since ` +
        `${new Date(sh.since).toISOString()} with ${sh.samples.series.live.length} of ${sh.request.samples} samples: ` +
        'one swap at a time, wait for its decision'
      );
    const live = this.liveStrategy;
    const c = req.candidate;
    if (!sameFeed(c, live))
      return (
        `the candidate samples quotes every ${c.quoteMs} ms and closes ${barLengthsText(c)} ms bars, the live strategy ` +
        `${live.quoteMs} ms and ${barLengthsText(live)} ms: a swap keeps the feed (feed.quoteMs, feed.barMs, feed.bars)`
      );
    if (!this.live)
      return `no strategy runs (${this.missing?.module ?? live.module} could not start): there is nothing to swap`;
    if (!req.override && !this.live.running)
      return `the live strategy ${live.definition.name} has stopped (it failed): there is nothing to compare with; an override starts the candidate at once`;
    return null;
  }

  private host(strategy: Instantiable, role: 'live' | 'shadow'): StrategyHost {
    let self: StrategyHost | null = null;
    const side = (): 'live' | 'candidate' | null =>
      self === null ? null : self === this.live ? 'live' : self === this.shadow?.host ? 'candidate' : null;
    const watch: HostWatch = {
      score: (symbol, value) => {
        const s = side();
        if (s) this.shadow?.samples.score(s, symbol, value);
      },
      signal: (symbol, qty) => {
        const s = side();
        if (s) this.shadow?.samples.signal(s, symbol, qty);
      },
      sampled: () => {
        if (side() === 'live') this.roundEnded();
      },
      failed: (phase, message) => {
        const s = side();
        if (s) this.failed(s, phase, message);
      },
    };
    const { prior: _prior, candidate: _candidate, strategy: _strategy, seed, ...hostDeps } = this.deps;
    const clock = hostDeps.clock;
    self = new StrategyHost({
      ...hostDeps,
      strategy: { ...strategy, definition: strategy.instantiate({ now: () => unguarded(() => clock.now()), seed }) },
      role,
      watch,
    });
    return self;
  }

  private roundEnded(): void {
    const sh = this.shadow;
    const live = this.live;
    if (!sh || !live || sh.deciding) return;
    sh.samples.endRound((symbol) => live.isWarm(symbol) && sh.host.isWarm(symbol));
    if (sh.samples.series.live.length < sh.request.samples) return;
    sh.deciding = true;
    // Decided in a unit of its own, after the round that completed the samples.
    this.deps.clock.schedule(() => this.decide(sh), 0);
  }

  private decide(sh: Shadow): void {
    if (this.shadow !== sh) return;
    const { live, candidate } = sh.samples.series;
    const cmp = compareOutputs(live, candidate, sh.request.thresholds);
    this.end(sh, cmp.passed ? 'accepted' : 'rejected', cmp, cmp.reason);
  }

  private timedOut(sh: Shadow): void {
    if (this.shadow !== sh || sh.deciding) return;
    const { live, candidate } = sh.samples.series;
    const cmp = compareOutputs(live, candidate, sh.request.thresholds);
    this.end(
      sh,
      'rejected',
      cmp,
      `only ${live.length} of ${sh.request.samples} samples within ${sh.request.timeoutMs} ms: the candidate was not validated`,
    );
  }

  private failed(side: 'live' | 'candidate', phase: string, message: string): void {
    const sh = this.shadow;
    if (!sh) return;
    const { live, candidate } = sh.samples.series;
    const cmp = compareOutputs(live, candidate, sh.request.thresholds);
    if (side === 'candidate') this.end(sh, 'rejected', cmp, `the candidate failed (${phase}): ${message}`);
    else this.end(sh, 'abandoned', cmp, `the live strategy failed (${phase}) while the candidate was in shadow`);
  }

  /** Ends the shadow: logs the decision, then the candidate takes over or stops. */
  private end(sh: Shadow, decision: SwapDecision, cmp: ShadowComparison, reason: string): void {
    this.shadow = null;
    sh.timeout?.unsubscribe();
    const old = this.live as StrategyHost;
    old.mirrorTo(null);
    const name = this.liveStrategy.definition.name;
    this.decided(sh.swap, name, sh.request.candidate.definition.name, decision, sh.samples.basis, cmp, reason);
    if (decision !== 'accepted') {
      sh.host.stop();
      return;
    }
    sh.host.takeOver(old);
    this.live = sh.host;
    this.liveStrategy = sh.request.candidate;
  }

  private decided(
    swap: number,
    name: string,
    candidate: string,
    decision: SwapDecision,
    basis: StrategySwapDecided['basis'],
    cmp: ShadowComparison | null,
    reason: string,
  ): void {
    const lr = cmp?.liveRange;
    const cr = cmp?.candidateRange;
    this.deps.record({
      kind: 'StrategySwapDecided',
      swap,
      name,
      candidate,
      decision,
      basis: cmp && cmp.samples > 0 ? basis : null,
      samples: cmp?.samples ?? 0,
      correlation: cmp?.correlation == null ? null : decimal(cmp.correlation),
      meanDifference: cmp?.meanDifference == null ? null : decimal(cmp.meanDifference),
      signChanges: cmp?.signChanges ?? 0,
      range: lr && cr ? { live: [decimal(lr[0]), decimal(lr[1])], candidate: [decimal(cr[0]), decimal(cr[1])] } : null,
      reason: reason.slice(0, 500),
    });
  }
}
