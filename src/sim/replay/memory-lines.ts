// Lines held in memory as a LineSource (tardis-row-stream.ts), one text per file: for tests of
// the CSV readers and for converters that already hold their input as text.
import type { LineSource } from './tardis-row-stream.ts';

const encoder = new TextEncoder();

export class MemoryLines implements LineSource {
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  file = '';
  lineNo = 0;
  private readonly lines: Array<{ file: string; lineNo: number; bytes: Uint8Array }> = [];
  private at = 0;

  /** `files`: [name, text] in reading order; empty lines are skipped, as the file reader does. */
  constructor(files: ReadonlyArray<readonly [string, string]>) {
    for (const [file, text] of files) {
      text.split('\n').forEach((line, i) => {
        const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
        if (trimmed !== '') this.lines.push({ file, lineNo: i + 1, bytes: encoder.encode(trimmed) });
      });
    }
  }

  next(): boolean {
    const line = this.lines[this.at++];
    if (line === undefined) return false;
    this.bytes = line.bytes;
    this.start = 0;
    this.end = line.bytes.length;
    this.file = line.file;
    this.lineNo = line.lineNo;
    return true;
  }
}
