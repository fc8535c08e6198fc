// The rows of one Tardis dataset, read from its files in order as one stream (a day per file, as
// Tardis publishes them): each file's first non-empty line must be the dataset's header (blank
// lines are skipped wherever they are), every other line a row of it (a file of no rows, only its
// header, is refused), and local timestamps never go back, within a file or from one file to the
// next (files given out of order are refused, not sorted). A line it cannot read is an
// ImportedDataError naming the file, the line and the problem. Lines come from any LineSource (the
// replay's file reader, or lines in memory in tests).
import { CsvRowError } from './csv-fields.ts';
import type { PullStream } from './merge-by-time.ts';
import { type TardisGrid, type TardisLayout, type TardisRow, TardisRowParser } from './tardis-rows.ts';

/** Lines of text files as byte ranges, one at a time (ReplayFileReader has this shape). */
export interface LineSource {
  next(): boolean;
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  /** File of the current line, and its 1-based number there. */
  readonly file: string;
  readonly lineNo: number;
}

/** Imported market data that cannot be replayed: `file: line N: problem`. */
export class ImportedDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportedDataError';
  }
}

/** A row and where it was read. */
export interface LocatedRow {
  readonly row: TardisRow;
  readonly file: string;
  readonly lineNo: number;
  /** Which stream of a merge it came from. */
  readonly stream: number;
}

const decoder = new TextDecoder();

export class TardisRowStream implements PullStream<LocatedRow> {
  private readonly parser: TardisRowParser;
  private lastUs = -1;
  private lastAt = '';
  /** The file and line number of the line before: a new file starts where either changes back. */
  private lineFile = '';
  private lineNo = 0;
  /** Rows read of the file read last. */
  private fileRows = 0;
  rows = 0;

  constructor(
    private readonly lines: LineSource,
    readonly layout: TardisLayout,
    grid: TardisGrid,
    readonly stream = 0,
  ) {
    this.parser = new TardisRowParser(layout, grid);
  }

  next(): LocatedRow | null {
    const lines = this.lines;
    while (lines.next()) {
      const firstOfFile = lines.file !== this.lineFile || lines.lineNo <= this.lineNo;
      if (firstOfFile) this.refuseNoRows();
      this.lineFile = lines.file;
      this.lineNo = lines.lineNo;
      if (firstOfFile) {
        this.fileRows = 0;
        const header = decoder.decode(lines.bytes.subarray(lines.start, lines.end)).trim();
        if (header !== this.layout.header)
          throw new ImportedDataError(
            `${lines.file}: line ${lines.lineNo}: header "${header}" is not the ${this.layout.dataset} header of the files ` +
              `before it ("${this.layout.header}"): give each dataset's files together, in date order`,
          );
        continue;
      }
      let row: TardisRow;
      try {
        row = this.parser.parse(lines.bytes, lines.start, lines.end);
      } catch (err) {
        if (err instanceof CsvRowError)
          throw new ImportedDataError(`${lines.file}: line ${lines.lineNo}: ${err.problem}`);
        throw err;
      }
      if (row.recvUs < this.lastUs)
        throw new ImportedDataError(
          `${lines.file}: line ${lines.lineNo}: local_timestamp ${row.recvUs} is before ${this.lastUs} ` +
            `(${this.lastAt}): rows must be in local time order`,
        );
      if (row.recvUs !== this.lastUs) {
        this.lastUs = row.recvUs;
        this.lastAt = `${lines.file}: line ${lines.lineNo}`;
      }
      this.rows++;
      this.fileRows++;
      return { row, file: lines.file, lineNo: lines.lineNo, stream: this.stream };
    }
    this.refuseNoRows();
    return null;
  }

  /** Refuses the file read last when it held no row (only its header): a day file with nothing
   *  in it is refused, as an empty file is, rather than replayed as nothing. */
  private refuseNoRows(): void {
    if (this.lineFile !== '' && this.fileRows === 0)
      throw new ImportedDataError(
        `${this.lineFile}: holds no rows, only the ${this.layout.dataset} header: there is nothing to replay`,
      );
  }
}
