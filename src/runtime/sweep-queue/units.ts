// The unit of work a queued sweep hands out: a sweep definition (plain data) and a unit index;
// running a unit gives the path's figures, its parents' reports and which expectations held.
// Unit i of a plain sweep is path i, seeded with deriveSeed(sweep seed, i): the same path a local
// sweep runs.
import type { ExpectationResult } from '../../core/report/expectations.ts';
import type { ParentReport } from '../../core/report/run-report.ts';
import { parseScenario, type LoadedScenario } from '../../scenario/load-scenario.ts';
import { runScenario } from '../backtest-run.ts';
import { deriveSeed, SweepPathError, type ParentPathMetrics, type SweepPath } from '../sweep.ts';

export interface SweepDefinition {
  readonly file: string;
  readonly yaml: string;
  readonly seed: number;
  readonly paths: number;
  readonly grid: readonly unknown[];
}

export interface UnitResult {
  readonly unit: number;
  readonly point: number;
  readonly path: SweepPath;
  readonly parents: readonly ParentReport[];
  readonly expectations: readonly ExpectationResult[];
}

export function unitCount(def: SweepDefinition): number {
  return def.paths;
}

function pathMetrics(p: ParentReport): ParentPathMetrics {
  const q = p.shortfallQuote === null ? null : Number(p.shortfallQuote);
  return {
    status: p.status,
    shortfallQuote: q,
    shortfallBps: p.shortfallBps,
    fillRatio: p.fillRatio,
    durationMs: p.durationMs,
  };
}

export class SweepUnitRunner {
  private readonly loaded: LoadedScenario;

  constructor(readonly def: SweepDefinition) {
    this.loaded = parseScenario(def.yaml, def.file);
  }

  run(unit: number): UnitResult {
    const seed = deriveSeed(this.def.seed, unit);
    let report;
    try {
      report = runScenario(this.loaded, { seed });
    } catch (err) {
      throw new SweepPathError(unit, seed, err);
    }
    return {
      unit,
      point: 0,
      path: {
        path: unit,
        seed,
        digest: report.digest,
        passed: report.passed,
        parents: Object.fromEntries(report.parents.map((p) => [p.id, pathMetrics(p)])),
      },
      parents: report.parents,
      expectations: report.expectations,
    };
  }
}
