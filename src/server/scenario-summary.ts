// What the server tells about a scenario without running it: its name, what it simulates (venue,
// instrument, market model, start and length) and how much it asks for (orders, signals), plus
// the hash runs store, so a client can match a scenario to its runs.
import { z } from 'zod';
import type { LoadedScenario } from '../scenario/load-scenario.ts';

export const scenarioSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  seed: z.number().int(),
  venue: z.string(),
  symbol: z.string(),
  marketModel: z.string(),
  start: z.string().describe('UTC instant the virtual clock starts at'),
  duration: z.string().describe('ISO-8601 duration of the run'),
  orders: z.number().int(),
  signals: z.number().int(),
  hash: z.string().describe("sha256 of the scenario's canonical JSON, as stored with its runs"),
});
export type ScenarioSummary = z.infer<typeof scenarioSummarySchema>;

export function scenarioSummary(loaded: LoadedScenario): ScenarioSummary {
  const s = loaded.scenario;
  return {
    name: s.name,
    description: s.description,
    seed: s.seed,
    venue: s.venue.name,
    symbol: s.instrument.symbol,
    marketModel: s.market.model,
    start: s.start,
    duration: s.duration,
    orders: s.orders.length,
    signals: s.signals.length,
    hash: loaded.hash,
  };
}
