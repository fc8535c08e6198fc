import type { BinanceMessage } from '../sim/replay/binance-message-types.ts';
import type { ImportGrid } from './tardis-source.ts';

export function archiveImportSource(
  files: readonly string[],
  grid: ImportGrid,
): { next(): BinanceMessage | null; notes(): string[] } {
  throw new Error(`not yet ${files.length} ${grid.symbol}`);
}
