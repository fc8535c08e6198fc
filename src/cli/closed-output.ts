// What a closed output pipe (`| head`, a log reader gone) does to the process. A command that
// only reads ends there: its reader has what it wanted. A command that may be trading goes on
// without its output, since stopping would leave its orders working unwatched: the servers,
// gateways, recorders, queue workers and resumes always, and `run` while a paper run is on.
const ALWAYS_TRADING = new Set(['resume', 'serve', 'gateway', 'record', 'worker']);

let paperRuns = 0;

/** Runs `work` (a paper run) as trading: a closed pipe meanwhile does not end the process. */
export async function trading<T>(work: () => Promise<T>): Promise<T> {
  paperRuns++;
  try {
    return await work();
  } finally {
    paperRuns--;
  }
}

/** Whether the process running `command` ends when its stdout closes now. */
export function endsOnClosedOutput(command: string | undefined): boolean {
  return !ALWAYS_TRADING.has(command ?? '') && paperRuns === 0;
}
