// The scenario file schema: the fields (scenario-fields.ts), then the checks that relate them
// (a limit order needs a limit price; quantities must be whole lots of the instrument; a replay
// cannot take a price jump: scenario-checks.ts), then the run's limits (run-limits.ts). The
// parsed scenario is frozen; defaults live with the fields, nowhere else.
import { checkRunLimits } from './run-limits.ts';
import { checkScenario } from './scenario-checks.ts';
import { resolveSampleMs, scenarioFields, type ScenarioFile } from './scenario-fields.ts';

export { simulatedVenueDefaults, type ScenarioFile } from './scenario-fields.ts';

/** Every field, then the checks across fields (scenario-checks.ts), then the run's limits. */
export const scenarioSchema = scenarioFields
  .superRefine((raw, ctx) => {
    const s = resolveSampleMs(raw);
    const issue = (path: (string | number)[], message: string, names?: string) =>
      ctx.addIssue({ code: 'custom', path, message, ...(names === undefined ? {} : { params: { names } }) });
    if (s.mode !== 'paper') for (const [field, why] of simulatedWorldMissing(s)) issue([field], why);
    checkScenario(s, issue);
    // Sizes, prices, TWAP plans and the run's work need every field above to be sound.
    if (ctx.issues.length === 0) checkRunLimits(s, issue);
  })
  // The loaded scenario states the interval it runs with.
  .transform(resolveSampleMs);

/** A scenario with the world a simulation needs: its start and its market (every backtest, sweep
 *  and gateway runs one; simulatedScenario in load-scenario.ts narrows a file to it). */
export type Scenario = ScenarioFile & {
  readonly start: string;
  readonly market: NonNullable<ScenarioFile['market']>;
};

/** What a simulation needs and the file leaves out: [field, message] for `start` and `market`. A
 *  file with mode: paper may leave both out, so its refusal (a backtest of it, a sweep, the
 *  gateway) says the file is for paper runs only rather than that only paper runs may. */
export function simulatedWorldMissing(
  s: Pick<ScenarioFile, 'start' | 'market' | 'mode'>,
): Array<['start' | 'market', string]> {
  const missing: Array<['start' | 'market', string]> = [];
  const why =
    s.mode === 'paper'
      ? 'this file is for paper runs only (mode: paper): give it start and market to simulate it'
      : 'only a paper run (mode: paper) may leave it out';
  if (s.start === undefined)
    missing.push(['start', `is required to simulate the venue: the virtual clock starts there; ${why}`]);
  if (s.market === undefined)
    missing.push(['market', `is required to simulate the venue: it is the simulated market; ${why}`]);
  return missing;
}
