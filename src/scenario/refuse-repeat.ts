// A trade read twice from a recording refuses the file, naming both places (recent-trade-ids.ts
// finds the repeat). Shared by the replay's readers and the import, which must not load the
// replay market to use it.
import type { RecentTradeIds } from '../sim/replay/recent-trade-ids.ts';
import { ReplayFileError } from './replay-file.ts';

/** Throws a ReplayFileError when trade `id`, read at `at`, repeats one among the latest. */
export function refuseRepeat(
  ids: RecentTradeIds,
  id: number,
  at: { readonly file: string; readonly lineNo: number },
): void {
  const repeat = ids.repeat(id, at.file, at.lineNo);
  if (repeat !== null) throw new ReplayFileError(repeat);
}
