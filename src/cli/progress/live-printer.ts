// Prints a running paper run's or session's progress on stderr (stdout keeps the report and
// --json): each entry's line as it is written (run-watch.ts, event-line.ts), and a status line on
// the wall clock: on a terminal redrawn in place every couple of seconds below the event lines,
// elsewhere (a log file, a pipe) printed as a plain line at a slower cadence. The timers live
// here, in the CLI: the node and its log never see the wall clock. docs/0085-live-progress.md.
import { performance } from 'node:perf_hooks';
import type { LogEntry } from '../../core/model/events.ts';
import type { ProgressSink } from '../io.ts';
import { span } from '../span.ts';
import { RunWatch, statusText } from './run-watch.ts';

/** Wall ms between status lines: redrawn on a terminal, printed as lines elsewhere. */
export const TTY_STATUS_MS = 2_000;
export const PLAIN_STATUS_MS = 30_000;

export interface PrinterOptions {
  /** Writes one line to stderr. */
  readonly line: (text: string) => void;
  /** stderr when it is a terminal (the status line is redrawn on it), else null. */
  readonly tty: ProgressSink | null;
  /** Wall ms between status lines; 0: none. Default TTY_STATUS_MS on a terminal, else PLAIN_STATUS_MS. */
  readonly statusEveryMs?: number;
}

export class LivePrinter {
  private shown = 0;
  private broken = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly started = performance.now();

  constructor(
    readonly watch: RunWatch,
    private readonly options: PrinterOptions,
  ) {}

  /** An entry as the run writes it: its line, if it has one, above the status line. A fault here
   *  (a bug in a line) stops the lines, never the run whose log calls it. */
  entry(e: LogEntry): void {
    if (this.broken) return;
    let line: string | null;
    try {
      line = this.watch.add(e);
    } catch (err) {
      this.broken = true;
      this.stop();
      this.options.line(`execsim: progress lines stopped: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (line === null) return;
    const redraw = this.shown > 0;
    this.clear();
    this.options.line(line);
    if (redraw) this.drawStatus();
  }

  /** Starts the status timer (unreferenced: it keeps no process alive). */
  start(): void {
    const every = this.options.statusEveryMs ?? (this.options.tty ? TTY_STATUS_MS : PLAIN_STATUS_MS);
    if (every <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  /** The status now: redrawn on a terminal, a line elsewhere. */
  tick(): void {
    if (this.broken) return;
    if (this.options.tty) this.drawStatus();
    else this.options.line(this.statusLine());
  }

  /** Stops the timer and takes the status line off the terminal. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  private statusLine(): string {
    return statusText(this.watch.status(performance.now() - this.started), span);
  }

  private drawStatus(): void {
    const tty = this.options.tty;
    if (!tty) return;
    const line = this.statusLine().slice(0, Math.max(0, tty.columns - 1));
    tty.write(`\r${line}${' '.repeat(Math.max(0, this.shown - line.length))}`);
    this.shown = line.length;
  }

  private clear(): void {
    if (this.shown === 0 || !this.options.tty) return;
    this.options.tty.write(`\r${' '.repeat(this.shown)}\r`);
    this.shown = 0;
  }
}
