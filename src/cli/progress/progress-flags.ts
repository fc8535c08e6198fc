// The flags of the commands that print progress (run, resume, serve --session): --quiet, and
// --status-every for the status line's cadence.
import { parseCount, UsageError } from '../io.ts';

export const QUIET_HELP = `  --quiet       for scripts: no progress, event or status lines and no "stored" line; the
                report (or --json) and errors only`;

export const STATUS_EVERY_HELP = `  --status-every S  seconds between a paper run's or session's status lines (position,
                working orders, fills, net P&L): default 2, redrawn in place, on a terminal, else 30 as lines;
                0: none`;

/** --status-every S as wall ms; undefined when not given. */
export function parseStatusEvery(text: string | undefined, usage: string): number | undefined {
  if (text === undefined) return undefined;
  if (text === '') throw new UsageError('--status-every needs a number of seconds', usage);
  return parseCount('--status-every', text, 0, 86_400, usage) * 1000;
}
