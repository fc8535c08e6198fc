// Rows of one run inserted into a table many to a statement: a store writer's events are most of
// the rows it writes, and a statement per row (with its own statement journal) cost more than the
// rows. Values are added one by one into a reused array; each time it holds
// `rows` rows they go in one statement with the run id bound once; what is left at the end of a
// transaction goes in a row at a time.
import type Database from 'better-sqlite3';

export class RowBatch {
  private readonly args: unknown[];
  private used = 0;
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly runIdArg: { readonly runId: string };
  private readonly width: number;

  constructor(
    db: Database.Database,
    private readonly runId: string,
    table: string,
    columns: readonly string[],
    rows: number,
    /** Each column's value as SQL (default '?': the value bound as it is). */
    values: readonly string[] = columns.map(() => '?'),
  ) {
    this.width = columns.length;
    this.args = new Array<unknown>(rows * columns.length);
    const marks = values.join(', ');
    const names = `run_id, ${columns.join(', ')}`;
    this.many = db.prepare(
      `INSERT INTO ${table} (${names}) VALUES ${Array.from({ length: rows }, () => `(@runId, ${marks})`).join(', ')}`,
    );
    this.one = db.prepare(`INSERT INTO ${table} (${names}) VALUES (?, ${marks})`);
    this.runIdArg = { runId };
  }

  /** The next value of the current row (rows are `columns` values in order); a full batch is
   *  inserted. The caller holds the transaction. */
  value(v: unknown): void {
    this.args[this.used++] = v;
    if (this.used === this.args.length) {
      this.many.run(this.args, this.runIdArg);
      this.used = 0;
    }
  }

  /** Forgets the values added since the last full batch (their transaction rolled back). */
  clear(): void {
    this.used = 0;
  }

  /** Inserts the rows added since the last full batch, one by one. */
  flush(): void {
    for (let a = 0; a < this.used; a += this.width) this.one.run(this.runId, ...this.args.slice(a, a + this.width));
    this.used = 0;
  }
}
