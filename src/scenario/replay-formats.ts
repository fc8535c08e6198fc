// The data formats a replay market reads, by the name a scenario's `market.format` gives them:
// a recording of Binance's raw streams (`binance-raw`; `binance-spot` is its earlier name), Tardis
// CSV datasets (`tardis`) and Binance's public trade and kline archives (`binance-archive`). What
// each can and cannot model: docs/0081-imported-market-data.md.
export const REPLAY_FORMATS = ['binance-raw', 'binance-spot', 'tardis', 'binance-archive'] as const;

export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

/** A raw recording: the name the parsed scenario keeps for it (the schema maps binance-raw to it). */
export function isRawRecording(format: ReplayFormat): boolean {
  return format === 'binance-spot';
}

/** A trade archive: no depth recorded, so the scenario gives the book synthesized around it. */
export function synthesizesBook(format: ReplayFormat): boolean {
  return format === 'binance-archive';
}
