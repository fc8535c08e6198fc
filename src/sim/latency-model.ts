// Latency between us and the venue, per path: order entry (our request reaching the venue),
// acknowledgement (the venue's answer reaching us), fill reports (the execution stream), and
// market data (a book change reaching our view of it). Each is a constant plus optional seeded
// jitter, drawn from the run's 'latency' sub-stream so adding a draw elsewhere changes nothing
// here.
import type { Rng } from '../core/clock/rng.ts';

export interface LatencyPath {
  readonly ms: number;
  /** Uniform extra delay in [0, jitterMs). */
  readonly jitterMs: number;
}

export interface LatencySpec {
  readonly orderEntry: LatencyPath;
  readonly ack: LatencyPath;
  readonly fillReport: LatencyPath;
  readonly marketData: LatencyPath;
}

export type LatencyKind = keyof LatencySpec;

export class LatencyModel {
  constructor(
    private readonly spec: LatencySpec,
    private readonly rng: Rng,
  ) {
    for (const [k, p] of Object.entries(spec) as [LatencyKind, LatencyPath][]) {
      if (!(p.ms >= 0) || !(p.jitterMs >= 0)) throw new Error(`latency ${k}: ms and jitterMs must be >= 0`);
    }
  }

  /** Whether a path's delay is fixed (sampling it draws nothing). */
  fixed(kind: LatencyKind): boolean {
    return !(this.spec[kind].jitterMs > 0);
  }

  sample(kind: LatencyKind): number {
    const p = this.spec[kind];
    return p.jitterMs > 0 ? p.ms + this.rng.uniform(0, p.jitterMs) : p.ms;
  }
}
