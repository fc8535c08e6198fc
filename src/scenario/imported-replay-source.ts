// Picks the replay source for a scenario's `market.format` when it is an imported one: Tardis CSV
// datasets or Binance's public archives, each read into the same messages a raw recording parses
// into. Null for the raw recording, which build-replay.ts reads itself.
import type { Instrument } from '../core/model/instrument.ts';
import type { ReplaySource } from '../sim/market/replay-model.ts';
import type { MarketSpec } from './market-schema.ts';
import { archiveSource } from './archive-source.ts';
import { tardisSource } from './tardis-source.ts';

export function importedReplaySource(
  m: Extract<MarketSpec, { model: 'replay' }>,
  paths: readonly string[],
  inst: Instrument,
  symbolField?: string,
): ReplaySource | null {
  const grid = {
    tickSize: inst.tickSize,
    lotSize: m.dataLotSize,
    symbol: inst.symbol,
    ...(symbolField === undefined ? {} : { symbolField }),
  };
  switch (m.format) {
    case 'tardis':
      return tardisSource(paths, grid);
    case 'binance-archive':
      if (m.book === undefined) throw new Error('the schema requires market.book with binance-archive');
      return archiveSource(paths, grid, m.book, m.bars);
    default:
      return null;
  }
}
