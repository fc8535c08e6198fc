// The checks of a scenario's timed restarts (`at` and `between`) against the run and each other.
// A crash finds the process it crashes alive or does nothing (backtest-world.ts): one timed at
// or after the end of the run never restarts the process within it, and one timed while the
// process is down from another restart is skipped. Both are refused here, so a file never asks
// for a crash that cannot happen. The downtime is inclusive at its end: the restart is scheduled
// when the crash runs, after every crash the file scheduled at the start, so a crash due at the
// very instant of a restart runs first and finds the process down. A `between` crash is drawn in
// [from, to) (or at `from` when the two are equal), so a window that may draw a crash inside
// another's downtime is refused too. Crashes after the N-th submit (`afterSubmit`) only happen
// while a process runs: nothing to check here.
import { isoDuration } from '../core/report/plan-warnings.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { Issue } from './limit-parts.ts';
import type { ScenarioFile } from './scenario-fields.ts';

/** A timed restart: the earliest and latest instant its crash may be drawn at, and its downtime
 *  (ms from the start), with what the file wrote of it for messages. */
interface Timed {
  readonly index: number;
  readonly field: 'at' | 'between';
  readonly lo: number;
  readonly hi: number;
  readonly down: number;
  /** The crash's time or window as written ("PT3M", "PT3M to PT5M"). */
  readonly when: string;
}

/** Reports every timed restart of `s` that would be skipped: at or after the end of the run
 *  (`horizon`, ms), or inside another restart's downtime (each pair once, at the later one). */
export function checkRestarts(s: Pick<ScenarioFile, 'restarts' | 'duration'>, horizon: number, issue: Issue): void {
  const timed: Timed[] = [];
  s.restarts.forEach((r, index) => {
    const down = parseDurationMs(r.downtime);
    if ('at' in r) {
      const at = parseDurationMs(r.at);
      if (at >= horizon) {
        issue(
          ['restarts', index, 'at'],
          `${r.at} is at or after the end of the run (duration ${s.duration}): ${NEVER}`,
        );
        return;
      }
      timed.push({ index, field: 'at', lo: at, hi: at, down, when: r.at });
    }
    if ('between' in r) {
      const [from, to] = r.between.map(parseDurationMs) as [number, number];
      if (to < from) {
        issue(['restarts', index, 'between', 1], `must not be before between[0] (${r.between[0]})`);
        return;
      }
      if (to > horizon) {
        issue(
          ['restarts', index, 'between', 1],
          `${r.between[1]} is after the end of the run (duration ${s.duration})`,
        );
        return;
      }
      const hi = to > from ? to - 1 : from;
      if (hi >= horizon) {
        issue(['restarts', index, 'between'], `is at the end of the run (duration ${s.duration}): ${NEVER}`);
        return;
      }
      timed.push({ index, field: 'between', lo: from, hi, down, when: `${r.between[0]} to ${r.between[1]}` });
    }
  });
  // Earliest first; at one instant, the file's order is the order the crashes run in.
  timed.sort((a, b) => a.lo - b.lo || a.index - b.index);
  timed.forEach((later, k) => {
    const earlier = timed.slice(0, k).find((e) => skips(e, later));
    if (earlier !== undefined) issue(['restarts', later.index, later.field], overlapText(earlier, later), 'restarts');
  });
}

const NEVER = 'the process would not crash and restart within the run';

/** Whether a crash of `b` may be drawn while `a` has the process down: b's crash at most a's
 *  downtime after a's (inclusive), or at the same instant when a's runs first (earlier in the
 *  file). */
function skips(a: Timed, b: Timed): boolean {
  const least = Math.max(b.lo - a.hi, a.index < b.index ? 0 : 1);
  const most = Math.min(b.hi - a.lo, a.down);
  return least <= most;
}

/** Why `b` is refused: its crash (or a crash its window may draw) falls in `a`'s downtime. */
function overlapText(a: Timed, b: Timed): string {
  const downtime =
    a.field === 'at'
      ? `restarts[${a.index}] (${a.when} to ${isoDuration(a.lo + a.down)})`
      : `restarts[${a.index}] (a crash drawn in ${a.when}, down ${isoDuration(a.down)} after it)`;
  const why =
    'the process is down then, so the crash would be skipped (a crash at the instant of a restart runs before it)';
  if (b.field === 'between') return `${b.when} may draw a crash inside the downtime of ${downtime}: ${why}`;
  return `${b.when} ${a.field === 'at' ? 'is' : 'may be'} inside the downtime of ${downtime}: ${why}`;
}
