// The samples a swap's shadow validation compares, paired from what the live strategy and its
// candidate said while both saw the same inputs: each one's latest score when both report one,
// else each one's signed quantity in a round where either would have signalled. A round counts only
// once both are warm for the symbol.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategyshadow-samplests

export type Basis = 'scores' | 'signals';

interface SymbolState {
  liveScore: number | null;
  candidateScore: number | null;
  freshScore: boolean;
  liveSignal: number;
  candidateSignal: number;
}

export interface PairedSeries {
  readonly live: number[];
  readonly candidate: number[];
}

export class ShadowSamples {
  private readonly symbols = new Map<string, SymbolState>();
  private liveScored = false;
  private candidateScored = false;
  readonly scores: PairedSeries = { live: [], candidate: [] };
  readonly signals: PairedSeries = { live: [], candidate: [] };

  constructor(private readonly limit: number) {}

  score(role: 'live' | 'candidate', symbol: string, value: number): void {
    const s = this.state(symbol);
    if (role === 'live') {
      s.liveScore = value;
      this.liveScored = true;
    } else {
      s.candidateScore = value;
      this.candidateScored = true;
    }
    s.freshScore = true;
  }

  signal(role: 'live' | 'candidate', symbol: string, signedQty: number): void {
    const s = this.state(symbol);
    if (role === 'live') s.liveSignal += signedQty;
    else s.candidateSignal += signedQty;
  }

  /** Ends a round: pairs what it brought for each symbol both are warm for, in name order. */
  endRound(warm: (symbol: string) => boolean): void {
    for (const symbol of [...this.symbols.keys()].sort()) {
      const s = this.symbols.get(symbol) as SymbolState;
      if (warm(symbol)) {
        if (s.freshScore && s.liveScore !== null && s.candidateScore !== null)
          push(this.scores, s.liveScore, s.candidateScore, this.limit);
        if (s.liveSignal !== 0 || s.candidateSignal !== 0)
          push(this.signals, s.liveSignal, s.candidateSignal, this.limit);
      }
      s.freshScore = false;
      s.liveSignal = 0;
      s.candidateSignal = 0;
    }
  }

  /** Scores once both have reported one, else signals. */
  get basis(): Basis {
    return this.liveScored && this.candidateScored ? 'scores' : 'signals';
  }

  /** The samples of the current basis. */
  get series(): PairedSeries {
    return this.basis === 'scores' ? this.scores : this.signals;
  }

  private state(symbol: string): SymbolState {
    let s = this.symbols.get(symbol);
    if (!s) {
      s = { liveScore: null, candidateScore: null, freshScore: false, liveSignal: 0, candidateSignal: 0 };
      this.symbols.set(symbol, s);
    }
    return s;
  }
}

function push(series: PairedSeries, live: number, candidate: number, limit: number): void {
  if (series.live.length >= limit) return;
  series.live.push(live);
  series.candidate.push(candidate);
}
