// The CPU time of the processes a bench spawned: what a whole command (`execsim run`, `execsim
// sweep`) cost, every thread of it, read around a spawnSync (or a spawn waited for); and what a
// process that keeps running (`execsim serve`) has used so far, read around what it is asked to do.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/** CPU (user + system, ms) of this process's waited-for children so far, from /proc/self/stat;
 *  null where there is none (not Linux). */
export function childrenCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The fields after the command name; cutime and cstime are the 16th and 17th of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU (user + system, ms) process `pid` has used so far, every thread of it, from
 *  /proc/PID/stat; NaN where there is none (not Linux). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // utime and stime are the 14th and 15th fields of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}
