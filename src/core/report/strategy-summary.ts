// What a run's strategy did, folded from its events for the report: which module and code, each
// symbol's warm-up (when it was met, from what, or that it never was), how many signals it made
// and what became of them, the failure that stopped it, and its swaps (how each was decided, and
// which strategy was live at the end). A swap's candidate in shadow is not the strategy: its
// warm-up is left out, and its signals never leave. A run without a strategy has none.
import type { LogEntry } from '../model/events.ts';
import type { SwapDecision } from '../model/strategy-events.ts';

export interface StrategySummary {
  readonly name: string;
  readonly module: string;
  readonly codeHash: string;
  /** Instances started: one, plus one per restart. */
  readonly starts: number;
  /** Per symbol, the last warm-up state: hydrated (with when, ms after the run's start, and from
   *  what), or the state it was left in. */
  readonly warmup: ReadonlyArray<{
    readonly symbol: string;
    readonly state: string;
    readonly atMs: number | null;
    readonly detail: string;
  }>;
  /** Signals it made; refused before warm-up; accepted and rejected by the order manager. */
  readonly signals: {
    readonly made: number;
    readonly notWarm: number;
    readonly accepted: number;
    readonly rejected: number;
  };
  /** Its cancels the node refused (naming a parent the node does not have), and the first's
   *  reason (null: none refused). */
  readonly cancels: { readonly refused: number; readonly firstRefusal: string | null };
  readonly failed: { readonly phase: string; readonly message: string } | null;
  /** Swaps by decision. */
  readonly swaps: Readonly<Record<SwapDecision, number>>;
  /** The strategy live at the end: the first one, unless a swap replaced it (its parameters as
   *  canonical JSON). */
  readonly live: Identity & { readonly params: string };
}

interface Identity {
  readonly name: string;
  readonly module: string;
  readonly codeHash: string;
}

export class StrategySummaryFold {
  private started: Identity | null = null;
  private live: (Identity & { params: string }) | null = null;
  private readonly requested = new Map<number, Identity & { params: string; override: boolean }>();
  private readonly swaps: Record<SwapDecision, number> = { accepted: 0, rejected: 0, refused: 0, abandoned: 0 };
  /** An override was accepted: the next live start is the candidate's, not a restart. */
  private overridden = false;
  private starts = 0;
  private runStart = 0;
  private readonly warmup = new Map<string, { symbol: string; state: string; atMs: number | null; detail: string }>();
  private readonly ours = new Set<string>();
  private notWarm = 0;
  private accepted = 0;
  private rejected = 0;
  private failed: { phase: string; message: string } | null = null;
  private readonly cancels: { refused: number; firstRefusal: string | null } = { refused: 0, firstRefusal: null };

  add(entry: LogEntry): void {
    const e = entry.event;
    switch (e.kind) {
      case 'RunStarted':
        this.runStart = e.startTime;
        return;
      case 'StrategyStarted':
        if (e.role !== 'live') return;
        this.started ??= { name: e.name, module: e.module, codeHash: e.codeHash };
        this.live = { name: e.name, module: e.module, codeHash: e.codeHash, params: e.params };
        if (this.overridden) this.overridden = false;
        else this.starts++;
        return;
      case 'StrategySwapRequested':
        this.requested.set(e.swap, {
          name: e.candidate,
          module: e.module,
          codeHash: e.codeHash,
          params: e.params,
          override: e.override,
        });
        return;
      case 'StrategySwapDecided': {
        this.swaps[e.decision]++;
        const r = this.requested.get(e.swap);
        if (e.decision !== 'accepted' || !r) return;
        this.live = { name: r.name, module: r.module, codeHash: r.codeHash, params: r.params };
        this.overridden = r.override;
        return;
      }
      case 'StrategyHydration':
        if (e.role === 'shadow') return;
        this.warmup.set(e.symbol, {
          symbol: e.symbol,
          state: e.state,
          atMs: e.state === 'hydrated' ? entry.time - this.runStart : null,
          detail: e.detail,
        });
        return;
      case 'StrategyOutputRefused':
        if (e.output === 'signal') {
          this.ours.add(e.ref);
          this.notWarm++;
        } else {
          this.cancels.refused++;
          this.cancels.firstRefusal ??= `cancel ${e.ref}: ${e.reason}`;
        }
        return;
      case 'SignalReceived':
        // A signal names the strategy that made it (one from the scenario, the API or an operator
        // names none), whatever its id.
        if (e.strategy !== undefined) this.ours.add(e.signalId);
        return;
      case 'SignalAccepted':
        if (this.ours.has(e.signalId)) this.accepted++;
        return;
      case 'SignalRejected':
        if (this.ours.has(e.signalId)) this.rejected++;
        return;
      case 'StrategyFailed':
        this.failed ??= { phase: e.phase, message: e.message };
        return;
      default:
        return;
    }
  }

  summary(): StrategySummary | null {
    const live = this.live;
    if (!this.started || !live) return null;
    return {
      ...this.started,
      starts: this.starts,
      warmup: [...this.warmup.values()],
      signals: { made: this.ours.size, notWarm: this.notWarm, accepted: this.accepted, rejected: this.rejected },
      cancels: { ...this.cancels },
      failed: this.failed,
      swaps: { ...this.swaps },
      live,
    };
  }
}

/** The report's line about the strategy. */
export function strategyLine(s: StrategySummary): string {
  const warm = s.warmup
    .map((w) =>
      w.state === 'hydrated'
        ? `${w.symbol} warm at +${(w.atMs ?? 0) / 1000} s (${w.detail})`
        : `${w.symbol} ${w.state.replace('_', ' ')}: NOT warm`,
    )
    .join(', ');
  const sig = s.signals;
  const failed = s.failed ? `; FAILED in ${s.failed.phase}: ${s.failed.message}` : '';
  // A report stored by an older execsim has no cancels.
  const c = s.cancels as StrategySummary['cancels'] | undefined;
  const cancels = c && c.refused > 0 ? `; cancels refused ${c.refused} (first: ${c.firstRefusal})` : '';
  const decided = Object.entries(s.swaps).filter(([, n]) => n > 0);
  const swaps =
    decided.length === 0
      ? ''
      : `; swaps ${decided.map(([d, n]) => `${n} ${d}`).join(', ')}, live at the end ${s.live.module} ${s.live.params} ` +
        `(code ${s.live.codeHash})`;
  return (
    `  strategy ${s.name} (${s.module}, code ${s.codeHash}${s.starts > 1 ? `, ${s.starts} starts` : ''}): ${warm || 'no warm-up'}; ` +
    `signals ${sig.made} (${sig.accepted} accepted, ${sig.rejected} rejected, ${sig.notWarm} refused before warm-up)` +
    `${cancels}${swaps}${failed}`
  );
}
