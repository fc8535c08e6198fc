// The order of a raw recording's receive times, checked as its lines are read. The replay applies
// messages in file order, each at its receive time or, when that is before the time already
// reached, at once: a time a little before the one before (a recorder whose wall clock was
// stepped back) only delays that message, and is counted; a file that starts before the file
// before it ended was given out of order (or overlaps it), which would replay its whole stretch
// at one instant, and is refused with its file and line.
import { groupedDigits } from '../core/model/count-text.ts';
import { ReplayFileError } from './replay-file.ts';

const iso = (ms: number): string => new Date(Math.floor(ms)).toISOString();

export class ReceiveOrder {
  /** Messages received before the latest time before them (within a file). */
  backwards = 0;
  /** Where the first of them is, '' when there is none. */
  firstBackwards = '';
  /** The longest step back, ms. */
  longestBackMs = 0;
  private latestMs = -Infinity;
  private file = '';
  private lineNo = 0;

  /** The message at `file`'s line `lineNo`, received at `recvMs`. */
  see(recvMs: number, file: string, lineNo: number): void {
    const newFile = file !== this.file || lineNo <= this.lineNo;
    if (recvMs < this.latestMs) {
      if (newFile)
        throw new ReplayFileError(
          `${file}: line ${lineNo}: received at ${iso(recvMs)}, before the file before it ended (${this.file}, ` +
            `${iso(this.latestMs)}): give the files in time order, each once`,
        );
      if (this.backwards++ === 0) this.firstBackwards = `${file}: line ${lineNo}`;
      this.longestBackMs = Math.max(this.longestBackMs, this.latestMs - recvMs);
    } else this.latestMs = recvMs;
    this.file = file;
    this.lineNo = lineNo;
  }

  /** The check line, or none when every time followed the one before. */
  note(): string[] {
    if (this.backwards === 0) return [];
    return [
      `${groupedDigits(this.backwards)} receive time(s) before the latest one before them (first at ${this.firstBackwards}, ` +
        `the longest step back ${this.longestBackMs.toFixed(3)} ms): the replay applies each as soon as it is reached`,
    ];
  }
}
