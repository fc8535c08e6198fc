// Placeholder wiring for the replay market model until the replay reader lands (same session):
// refuses clearly rather than pretending to replay.
import type { Instrument } from '../core/model/instrument.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { MarketModel, MarketSink } from '../sim/market/market-model.ts';
import type { MarketSpec } from '../scenario/market-schema.ts';

export function buildReplayModel(
  _m: Extract<MarketSpec, { model: 'replay' }>,
  _scenarioFile: string,
  _clock: Clock,
  _inst: Instrument,
  _sink: MarketSink,
): MarketModel {
  throw new Error('replay market model: wired in the next commit');
}
