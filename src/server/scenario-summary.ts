// What the server tells about a scenario without running it: its name, what it simulates (venue,
// instrument, market model, start and length) and how much it asks for (orders, signals), plus
// the hash runs store, so a client can match a scenario to its runs. A file for paper runs only
// (mode: paper) simulates nothing: it has no market model and no start.
import { z } from 'zod';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';

export const scenarioSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  seed: z.number().int(),
  mode: z.enum(['backtest', 'paper']).describe('what the file is written for (`execsim run` runs it so)'),
  venue: z.string(),
  symbol: z.string(),
  marketModel: z.string().optional().describe('absent from a file for paper runs only (mode: paper)'),
  start: z
    .string()
    .optional()
    .describe('UTC instant the virtual clock starts at; absent from a file for paper runs only (mode: paper)'),
  duration: z.string().describe('ISO-8601 duration of the run'),
  orders: z.number().int(),
  signals: z.number().int(),
  hash: z.string().describe("sha256 of the scenario's canonical JSON, as stored with its runs"),
});
export type ScenarioSummary = z.infer<typeof scenarioSummarySchema>;

export function scenarioSummary(loaded: LoadedScenario<ScenarioFile>): ScenarioSummary {
  const s = loaded.scenario;
  return {
    name: s.name,
    description: s.description,
    seed: s.seed,
    mode: s.mode,
    venue: s.venue.name,
    symbol: s.instrument.symbol,
    ...(s.market !== undefined ? { marketModel: s.market.model } : {}),
    ...(s.start !== undefined ? { start: s.start } : {}),
    duration: s.duration,
    orders: s.orders.length,
    signals: s.signals.length,
    hash: loaded.hash,
  };
}
