// Numbered, append-only schema migrations. Each runs once, in its own transaction, and is
// recorded in schema_migrations; a database written by an older execsim is brought forward on
// open. Never edit a shipped migration: add the next number.
import type Database from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** The migration rebuilds a table others reference (SQLite cannot alter a CHECK constraint):
   *  foreign keys are switched off around its transaction, as SQLite's documented procedure for
   *  such changes says, and checked with foreign_key_check before it commits. */
  readonly rebuildsTables?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs and event log',
    sql: `
      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        scenario_name TEXT NOT NULL,
        scenario_hash TEXT NOT NULL,
        scenario_json TEXT NOT NULL,
        seed          INTEGER NOT NULL,
        code_version  TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
        digest        TEXT,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        sim_start     INTEGER NOT NULL,
        sim_end       INTEGER,
        event_count   INTEGER NOT NULL DEFAULT 0,
        error         TEXT
      );
      CREATE TABLE events (
        run_id  TEXT NOT NULL REFERENCES runs(id),
        seq     INTEGER NOT NULL,
        time    REAL NOT NULL,
        kind    TEXT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX events_kind ON events(run_id, kind);
    `,
  },
  {
    version: 2,
    name: 'order and fill projections, run report and counts',
    sql: `
      ALTER TABLE runs ADD COLUMN order_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN fill_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN report_json TEXT;
      CREATE TABLE orders (
        run_id          TEXT NOT NULL REFERENCES runs(id),
        client_order_id TEXT NOT NULL,
        venue_order_id  TEXT,
        parent_order_id TEXT,
        slice_num       INTEGER,
        total_slices    INTEGER NOT NULL,
        scheduled_time  INTEGER,
        symbol          TEXT NOT NULL,
        side            TEXT NOT NULL,
        type            TEXT NOT NULL,
        tif             TEXT NOT NULL,
        status          TEXT NOT NULL,
        qty             TEXT NOT NULL,
        filled_qty      TEXT NOT NULL,
        avg_price       TEXT,
        limit_price     TEXT,
        stop_price      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        PRIMARY KEY (run_id, client_order_id)
      );
      CREATE INDEX orders_parent ON orders(run_id, parent_order_id);
      CREATE TABLE fills (
        run_id          TEXT NOT NULL REFERENCES runs(id),
        trade_id        TEXT NOT NULL,
        client_order_id TEXT NOT NULL,
        qty             TEXT NOT NULL,
        price           TEXT NOT NULL,
        fee             TEXT NOT NULL,
        liquidity       TEXT NOT NULL,
        time            INTEGER NOT NULL,
        seq             INTEGER NOT NULL,
        PRIMARY KEY (run_id, client_order_id, trade_id)
      );
    `,
  },
  {
    version: 3,
    name: 'orphan orders',
    // Orders found at the venue that no run of ours created: kept
    // apart from the orders table, with their exposure and how they were resolved.
    sql: `
      CREATE TABLE orphan_orders (
        run_id          TEXT NOT NULL REFERENCES runs(id),
        client_order_id TEXT NOT NULL,
        venue_order_id  TEXT NOT NULL,
        symbol          TEXT NOT NULL,
        side            TEXT,
        open_qty        TEXT NOT NULL,
        filled_qty      TEXT NOT NULL,
        venue_status    TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'untracked',
        detected_at     INTEGER NOT NULL,
        resolved_at     INTEGER,
        resolved_by     TEXT,
        resolution      TEXT,
        PRIMARY KEY (run_id, client_order_id)
      );
    `,
  },
  {
    version: 4,
    name: 'run writer, heartbeat, interrupted runs, passed',
    // A run records which process writes it (pid and host) and a heartbeat that the writer
    // refreshes while it runs, so a run whose writer died can be told from one still running; a
    // run stopped by a signal is 'interrupted'; 'passed' is whether its expectations held (1/0,
    // null until it finished), filled in from the stored report for older runs. The status CHECK
    // gains 'interrupted', which needs the table rebuilt (column order kept, new ones last).
    rebuildsTables: true,
    sql: `
      CREATE TABLE runs_v4 (
        id            TEXT PRIMARY KEY,
        scenario_name TEXT NOT NULL,
        scenario_hash TEXT NOT NULL,
        scenario_json TEXT NOT NULL,
        seed          INTEGER NOT NULL,
        code_version  TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
        digest        TEXT,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        sim_start     INTEGER NOT NULL,
        sim_end       INTEGER,
        event_count   INTEGER NOT NULL DEFAULT 0,
        error         TEXT,
        order_count   INTEGER NOT NULL DEFAULT 0,
        fill_count    INTEGER NOT NULL DEFAULT 0,
        report_json   TEXT,
        passed        INTEGER CHECK (passed IN (0, 1)),
        writer_pid    INTEGER,
        writer_host   TEXT,
        heartbeat_at  TEXT
      );
      INSERT INTO runs_v4 (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, digest, started_at,
          finished_at, sim_start, sim_end, event_count, error, order_count, fill_count, report_json, passed)
        SELECT id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, digest, started_at,
          finished_at, sim_start, sim_end, event_count, error, order_count, fill_count, report_json,
          CASE WHEN status = 'finished' AND json_valid(report_json) THEN json_extract(report_json, '$.passed') END
        FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_v4 RENAME TO runs;
      CREATE INDEX runs_started ON runs(started_at);
    `,
  },
  {
    version: 5,
    name: 'browsing: run summary columns, per-parent metrics, list indexes',
    // Summary columns the run list filters and sorts on without reading report blobs: the mode
    // (backtest: the only one so far), the scenario's venue and symbol, the sweep a run belongs
    // to (null for a single run), and two headline figures over the run's parents:
    //   shortfall_bps: implementation shortfall in bps, the mean of the parents' shortfalls
    //     weighted by their filled quantity (parents with nothing filled or no arrival price have
    //     no shortfall and weigh nothing); null when no parent has one;
    //   fill_ratio: everything filled over everything ordered (the parents' fill ratios weighted
    //     by their target quantity); null for a run without parents.
    // parent_metrics holds the report's per-parent figures, one row per parent (position: its
    // place in the report, the order parents were created), so lists and
    // comparisons never parse report_json. Existing rows are backfilled from their stored
    // scenario and report; event_count, which was set only when a run finished, is brought up to
    // the stored log for the others (it is kept current at every commit from now on).
    // Indexes serve keyset paging: each sort key with the id as tie-break, and each filter with
    // the default order (started_at, id) behind it, so a filtered first page or a page after a
    // cursor is an index range, not a scan and sort.
    sql: `
      ALTER TABLE runs ADD COLUMN mode TEXT NOT NULL DEFAULT 'backtest';
      ALTER TABLE runs ADD COLUMN venue TEXT;
      ALTER TABLE runs ADD COLUMN symbol TEXT;
      ALTER TABLE runs ADD COLUMN sweep_id TEXT;
      ALTER TABLE runs ADD COLUMN shortfall_bps REAL;
      ALTER TABLE runs ADD COLUMN fill_ratio REAL;
      CREATE TABLE parent_metrics (
        run_id            TEXT NOT NULL REFERENCES runs(id),
        parent_order_id   TEXT NOT NULL,
        position          INTEGER NOT NULL,
        symbol            TEXT,
        side              TEXT NOT NULL,
        target_qty        TEXT NOT NULL,
        filled_qty        TEXT NOT NULL,
        fill_ratio        REAL NOT NULL,
        arrival_price     TEXT,
        avg_fill_price    TEXT,
        shortfall_bps     REAL,
        vwap_slippage_bps REAL,
        twap_slippage_bps REAL,
        duration_ms       INTEGER,
        status            TEXT NOT NULL,
        stop_reason       TEXT,
        PRIMARY KEY (run_id, parent_order_id)
      ) WITHOUT ROWID;
      UPDATE runs SET venue = json_extract(scenario_json, '$.venue.name'),
          symbol = json_extract(scenario_json, '$.instrument.symbol')
        WHERE json_valid(scenario_json);
      UPDATE runs SET event_count = COALESCE((SELECT MAX(seq) FROM events WHERE events.run_id = runs.id), 0)
        WHERE status <> 'finished';
      INSERT INTO parent_metrics (run_id, parent_order_id, position, symbol, side, target_qty, filled_qty, fill_ratio,
          arrival_price, avg_fill_price, shortfall_bps, vwap_slippage_bps, twap_slippage_bps, duration_ms, status,
          stop_reason)
        SELECT r.id, json_extract(p.value, '$.id'), p.key, r.symbol, COALESCE(json_extract(p.value, '$.side'), ''),
            COALESCE(json_extract(p.value, '$.qty'), '0'), COALESCE(json_extract(p.value, '$.filledQty'), '0'),
            COALESCE(json_extract(p.value, '$.fillRatio'), 0), json_extract(p.value, '$.arrivalPrice'),
            json_extract(p.value, '$.avgPrice'), json_extract(p.value, '$.shortfallBps'),
            json_extract(p.value, '$.vwapSlippageBps'), json_extract(p.value, '$.twapSlippageBps'),
            json_extract(p.value, '$.durationMs'), COALESCE(json_extract(p.value, '$.status'), 'unknown'),
            json_extract(p.value, '$.stopReason')
          FROM runs r,
            json_each(CASE WHEN json_valid(r.report_json) THEN r.report_json ELSE '{}' END, '$.parents') p
          WHERE json_extract(p.value, '$.id') IS NOT NULL;
      UPDATE runs SET
        shortfall_bps = (SELECT SUM(m.shortfall_bps * CAST(m.filled_qty AS REAL)) / SUM(CAST(m.filled_qty AS REAL))
          FROM parent_metrics m WHERE m.run_id = runs.id AND m.shortfall_bps IS NOT NULL AND CAST(m.filled_qty AS REAL) > 0),
        fill_ratio = (SELECT SUM(CAST(m.filled_qty AS REAL)) / NULLIF(SUM(CAST(m.target_qty AS REAL)), 0)
          FROM parent_metrics m WHERE m.run_id = runs.id);
      DROP INDEX runs_started;
      CREATE INDEX runs_started ON runs(started_at, id);
      CREATE INDEX runs_shortfall ON runs(shortfall_bps, id);
      CREATE INDEX runs_fill_ratio ON runs(fill_ratio, id);
      CREATE INDEX runs_scenario ON runs(scenario_name, started_at, id);
      CREATE INDEX runs_status ON runs(status, started_at, id);
      CREATE INDEX runs_passed ON runs(passed, started_at, id);
      CREATE INDEX runs_venue ON runs(venue, started_at, id);
      CREATE INDEX runs_symbol ON runs(symbol, started_at, id);
      CREATE INDEX runs_seed ON runs(seed, started_at, id);
      CREATE INDEX runs_code_version ON runs(code_version, started_at, id);
      CREATE INDEX runs_sweep ON runs(sweep_id, started_at, id) WHERE sweep_id IS NOT NULL;
      CREATE INDEX fills_seq ON fills(run_id, seq, client_order_id, trade_id);
    `,
  },
  {
    version: 6,
    name: 'sweeps, their paths and per-parent path metrics',
    // A Monte Carlo sweep and its paths, stored as they run: the sweep row (its scenario with the
    // source text, so a path can be re-run as a full run; the sweep seed; paths requested and
    // written so far; status; the writer and its heartbeat, as runs have them, so a dead writer
    // shows as crashed; the summary statistics once finished), one row per path (seed, digest,
    // whether its expectations held, path-level shortfall and fill ratio for sorting, the run a
    // drill-down re-ran it as), and one row per parent per path with the figures statistics and
    // histograms are computed from, so nothing parses JSON. Paths are written in batches whose
    // transaction also advances paths_done: a crash leaves whole paths. Independent of the runs
    // table (run_id is not a foreign key: a drill-down run may be deleted on its own).
    sql: `
      CREATE TABLE sweeps (
        id              TEXT PRIMARY KEY,
        scenario_name   TEXT NOT NULL,
        scenario_hash   TEXT NOT NULL,
        scenario_json   TEXT NOT NULL,
        scenario_file   TEXT NOT NULL,
        scenario_source TEXT NOT NULL,
        sweep_seed      INTEGER NOT NULL,
        paths_requested INTEGER NOT NULL CHECK (paths_requested >= 1),
        paths_done      INTEGER NOT NULL DEFAULT 0,
        paths_passed    INTEGER NOT NULL DEFAULT 0,
        status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed', 'interrupted')),
        code_version    TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        started_at      TEXT,
        finished_at     TEXT,
        error           TEXT,
        writer_pid      INTEGER,
        writer_host     TEXT,
        heartbeat_at    TEXT,
        summary_json    TEXT
      );
      CREATE INDEX sweeps_created ON sweeps(created_at, id);
      CREATE TABLE sweep_paths (
        sweep_id      TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        path          INTEGER NOT NULL,
        seed          INTEGER NOT NULL,
        digest        TEXT,
        passed        INTEGER NOT NULL CHECK (passed IN (0, 1)),
        error         TEXT,
        shortfall_bps REAL,
        fill_ratio    REAL,
        run_id        TEXT,
        PRIMARY KEY (sweep_id, path)
      ) WITHOUT ROWID;
      CREATE INDEX sweep_paths_seed ON sweep_paths(sweep_id, seed, path);
      CREATE INDEX sweep_paths_shortfall ON sweep_paths(sweep_id, shortfall_bps, path);
      CREATE INDEX sweep_paths_fill_ratio ON sweep_paths(sweep_id, fill_ratio, path);
      CREATE TABLE sweep_path_parents (
        sweep_id          TEXT NOT NULL,
        parent_id         TEXT NOT NULL,
        path              INTEGER NOT NULL,
        status            TEXT NOT NULL,
        shortfall_bps     REAL,
        shortfall_quote   REAL,
        fill_ratio        REAL,
        vwap_slippage_bps REAL,
        filled_qty        REAL,
        duration_ms       REAL,
        PRIMARY KEY (sweep_id, parent_id, path),
        FOREIGN KEY (sweep_id, path) REFERENCES sweep_paths(sweep_id, path) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE INDEX sweep_path_parents_path ON sweep_path_parents(sweep_id, path);
      CREATE INDEX sweep_path_parents_shortfall ON sweep_path_parents(sweep_id, parent_id, shortfall_bps);
      CREATE INDEX sweep_path_parents_fill_ratio ON sweep_path_parents(sweep_id, parent_id, fill_ratio);
      CREATE INDEX sweep_path_parents_vwap ON sweep_path_parents(sweep_id, parent_id, vwap_slippage_bps);
    `,
  },
  {
    version: 7,
    name: 'parameter grids of sweeps',
    // A sweep over a parameter grid: the sweep row keeps the grid's axes (JSON [{ key, values }],
    // null for a plain sweep) and paths_requested counts every run (paths x grid points); a path
    // row's \`path\` is then the run's number in the sweep (path index x points + grid point, so
    // the rows of a plain sweep are unchanged) and grid_point its point (0 in a plain sweep).
    sql: `
      ALTER TABLE sweeps ADD COLUMN grid_json TEXT;
      ALTER TABLE sweep_paths ADD COLUMN grid_point INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX sweep_paths_point ON sweep_paths(sweep_id, grid_point, path);
      `,
  },
  {
    version: 8,
    name: 'per-unit results of queued sweeps',
    // A sweep run through a queue stores each unit's exact result (its path figures in the order
    // the run reported them, and which expectations held) keyed by (sweep, unit): inserting it is
    // the gate that makes a redelivered chunk's results a no-op, and a resumed coordinator
    // rebuilds the same report a local sweep prints from these rows alone.
    sql: `
      CREATE TABLE sweep_unit_results (
        sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        unit     INTEGER NOT NULL,
        result   TEXT NOT NULL,
        PRIMARY KEY (sweep_id, unit)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    name: 'event kind index without market samples',
    // Market samples are most of a run's events and are read by time (run-series.ts), which the
    // primary key (run_id, seq) serves as one range of the run's rows; the kind index is for the
    // sparse kinds (orders created, sends, parents), whose reads would otherwise walk the whole
    // run. Leaving the samples out of it spares most inserts an index write. A query uses the
    // partial index only when its WHERE repeats the index's (SPARSE_KINDS).
    sql: `
      DROP INDEX events_kind;
      CREATE INDEX events_kind ON events(run_id, kind) WHERE kind <> 'MarketSampled';
    `,
  },
  {
    version: 10,
    name: 'market samples beside the log',
    // A market sample is no longer an entry of the log (no seq of its own, not in the digest):
    // samples are kept here, each with the seq of the entry it follows, in the order taken
    // (rowid), read by time. Runs stored before keep theirs in events, as entries, so that their
    // digests still verify; readers take samples from both.
    sql: `
      CREATE TABLE market_samples (
        run_id  TEXT NOT NULL REFERENCES runs(id),
        seq     INTEGER NOT NULL,
        time    REAL NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX market_samples_time ON market_samples(run_id, time);
    `,
  },
  {
    version: 11,
    name: 'market samples in blocks',
    // Samples are kept packed as numbers, many to a row (sample-blocks.ts): a row and a JSON
    // payload per sample cost more than the rest of a run's writes. A block's first and last
    // times bound it; blocks follow each other in time, so (last_time, first_time, rowid) is
    // the order taken and a window is one range of the index. Runs stored under version 10 keep
    // their rows in market_samples, still read.
    sql: `
      CREATE TABLE market_sample_blocks (
        run_id     TEXT NOT NULL REFERENCES runs(id),
        first_time REAL NOT NULL,
        last_time  REAL NOT NULL,
        samples    INTEGER NOT NULL,
        data       BLOB NOT NULL
      );
      CREATE INDEX market_sample_blocks_time ON market_sample_blocks(run_id, last_time, first_time);
    `,
  },
  {
    version: 12,
    name: 'event log in blocks',
    // The log is kept many entries to a row (event-blocks.ts): each block the canonical lines of
    // consecutive entries (encoding 'text'), with its first and last seq and the kinds it holds
    // (" A B "). A seq range is one range of the index, ordered by last_seq; the index carries
    // first_seq and kinds, so finding the blocks of a range or of a few kinds reads no block's
    // data. Runs stored before keep their rows in events (and its kind index), still read
    // (stored-events.ts).
    sql: `
      CREATE TABLE event_blocks (
        run_id    TEXT NOT NULL REFERENCES runs(id),
        first_seq INTEGER NOT NULL,
        last_seq  INTEGER NOT NULL,
        kinds     TEXT NOT NULL,
        encoding  TEXT NOT NULL,
        data      BLOB NOT NULL
      );
      CREATE INDEX event_blocks_seq ON event_blocks(run_id, last_seq, first_seq, kinds);
    `,
  },
  {
    version: 13,
    name: 'projections built on first read',
    // A run's order, fill and orphan rows may be left for its first read to build from its log
    // (deferred-projection.ts): projected_seq is how far they are built (0: not yet), and NULL,
    // every run stored before included, that its writer keeps them in step with its log. Such a
    // writer records the digest of the log it has stored so far (log_digest), so that a run
    // without a final digest (crashed, interrupted, failed) can still be checked against it.
    sql: `
      ALTER TABLE runs ADD COLUMN projected_seq INTEGER;
      ALTER TABLE runs ADD COLUMN log_digest TEXT;
    `,
  },
  {
    version: 14,
    name: 'code hashes of a run’s algorithm modules',
    // The algorithm modules a paper run or a session loaded when it started, each under the
    // field that names it, with its code's hash (JSON; NULL: none, or a run stored before): a
    // resume refuses to run another version of a module's code (host/changed-code.ts).
    sql: `
      ALTER TABLE runs ADD COLUMN algorithm_codes TEXT;
    `,
  },
  {
    version: 15,
    name: 'trading figures of a run',
    // The run report's trading figures as summary columns, so that lists sort by them without
    // reading reports (run-store.ts's UPDATE_TRADING sets them as a run finishes): net P&L and
    // max drawdown (quote currency), closed trades, win rate, profit factor and the annualized
    // Sharpe ratio of the equity curve. Additive: runs stored before keep NULL in each.
    sql: `
      ALTER TABLE runs ADD COLUMN net_pnl REAL;
      ALTER TABLE runs ADD COLUMN trade_count INTEGER;
      ALTER TABLE runs ADD COLUMN win_rate REAL;
      ALTER TABLE runs ADD COLUMN profit_factor REAL;
      ALTER TABLE runs ADD COLUMN sharpe REAL;
      ALTER TABLE runs ADD COLUMN max_drawdown REAL;
      CREATE INDEX runs_net_pnl ON runs(net_pnl, id);
      CREATE INDEX runs_trade_count ON runs(trade_count, id);
      CREATE INDEX runs_win_rate ON runs(win_rate, id);
      CREATE INDEX runs_profit_factor ON runs(profit_factor, id);
      CREATE INDEX runs_sharpe ON runs(sharpe, id);
      CREATE INDEX runs_max_drawdown ON runs(max_drawdown, id);
    `,
  },
  {
    version: 16,
    name: 'rows of a backtest of several symbols rebuilt from its log',
    // Backtests of several symbols stored before held each further symbol's order, fill and
    // orphan rows in the first instrument's decimals. Their rows are marked as not built
    // (projected_seq 0), so the first read rebuilds them from the log, each in its own
    // symbol's decimals (deferred-projection.ts). Only ended backtests: nothing resumes them.
    sql: `
      UPDATE runs SET projected_seq = 0
       WHERE mode = 'backtest' AND status IN ('finished', 'failed')
         AND json_valid(scenario_json)
         AND json_type(scenario_json, '$.otherInstruments') = 'array'
         AND json_array_length(scenario_json, '$.otherInstruments') > 0;
    `,
  },
  {
    version: 17,
    name: 'the further symbols of a run of several',
    // runs.symbol is the run's first instrument; a run of several lists the others here (position
    // 1, 2, ...: their order in the scenario), so that the run list filtered by a symbol finds
    // every run that traded it and a run's summary names them all. Backfilled from the stored
    // scenarios. parent_metrics.symbol had the run's symbol for every parent; a parent the report
    // gives a symbol of its own (a run of several) now has that one, also in the rows stored before.
    sql: `
      CREATE TABLE run_symbols (
        run_id   TEXT NOT NULL REFERENCES runs(id),
        position INTEGER NOT NULL,
        symbol   TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
      ) WITHOUT ROWID;
      CREATE INDEX run_symbols_symbol ON run_symbols(symbol, run_id);
      INSERT INTO run_symbols (run_id, position, symbol)
        SELECT r.id, o.key + 1, json_extract(o.value, '$.symbol')
          FROM runs r, json_each(CASE WHEN json_valid(r.scenario_json) THEN r.scenario_json ELSE '{}' END,
            '$.otherInstruments') o
         WHERE json_type(o.value, '$.symbol') = 'text';
      UPDATE parent_metrics SET symbol = COALESCE((
          SELECT json_extract(p.value, '$.symbol')
            FROM runs r, json_each(CASE WHEN json_valid(r.report_json) THEN r.report_json ELSE '{}' END, '$.parents') p
           WHERE r.id = parent_metrics.run_id AND p.key = parent_metrics.position
             AND json_type(p.value, '$.symbol') = 'text'), symbol)
        WHERE run_id IN (SELECT run_id FROM run_symbols);
    `,
  },
  {
    version: 18,
    name: "a run's shortfall weighted by filled value at arrival",
    // A run's headline shortfall weighted its parents by filled quantity, which adds one symbol's
    // units to another's in a run of several (2 ETH counted as much as 2 BTC). It is now weighted
    // by what each parent filled at its arrival price, as the CLI's table weights it; recomputed
    // here for the runs stored before.
    sql: `
      UPDATE runs SET shortfall_bps = (
        SELECT SUM(m.shortfall_bps * CAST(m.filled_qty AS REAL) * CAST(m.arrival_price AS REAL))
             / SUM(CAST(m.filled_qty AS REAL) * CAST(m.arrival_price AS REAL))
          FROM parent_metrics m WHERE m.run_id = runs.id AND m.shortfall_bps IS NOT NULL
           AND CAST(m.filled_qty AS REAL) * CAST(m.arrival_price AS REAL) > 0)
        WHERE id IN (SELECT run_id FROM parent_metrics);
    `,
  },
  {
    version: 19,
    name: 'where a paper run trades, for its resume command',
    // A paper run's venue URL (its REST base URL, without any user:password@ part: never a key)
    // and its market hours ('venue' or 'always'), as it started or was last resumed with: what
    // the resume command the run list prints needs besides the database. Additive: backtests and
    // runs stored before keep NULL, and their resume command names no URL.
    sql: `
      ALTER TABLE runs ADD COLUMN venue_url TEXT;
      ALTER TABLE runs ADD COLUMN market_hours TEXT;
    `,
  },
];

/** The WHERE term of the events_kind index (version 9): a query filtering on a kind other than
 *  MarketSampled adds it, so that SQLite can use the partial index. */
export const SPARSE_KINDS = "kind <> 'MarketSampled'";

/** The database was written by a newer execsim: this one must not touch it. */
export class SchemaError extends Error {}

/** Applies every migration newer than the database's; returns the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new SchemaError(
      `database schema version ${newest} is newer than this execsim knows (${known}); upgrade execsim`,
    );
  }
  const done: number[] = [];
  // Pending migrations go in as few write transactions as possible: one for each run of
  // migrations that keep foreign keys on, one for each that rebuilds tables (the pragma is a no-op
  // inside a transaction, so it is switched around it). Several openers of a fresh file then take
  // the write lock a few times each instead of once per migration, which on a loaded machine let
  // one of them wait out its busy timeout while the others took turns.
  const pending = [...migrations].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
  for (let i = 0; i < pending.length;) {
    const first = pending[i] as Migration;
    const group = first.rebuildsTables === true ? [first] : [];
    if (group.length === 0)
      for (let j = i; j < pending.length && (pending[j] as Migration).rebuildsTables !== true; j++)
        group.push(pending[j] as Migration);
    i += group.length;
    const keysWereOn = first.rebuildsTables === true && db.pragma('foreign_keys', { simple: true }) === 1;
    if (keysWereOn) db.pragma('foreign_keys = OFF');
    try {
      // IMMEDIATE: the write lock is taken before the check, so of several processes or threads
      // opening a fresh file at once, one applies a migration and the others, waiting on the
      // lock (busy timeout), find it applied and skip it instead of failing on "table exists".
      const ran = db
        .transaction(() => {
          const here: number[] = [];
          for (const m of group) {
            if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version) !== undefined) continue;
            db.exec(m.sql);
            if (m.rebuildsTables) {
              const broken = db.pragma('foreign_key_check') as unknown[];
              if (broken.length > 0)
                throw new Error(
                  `migration ${m.version} (${m.name}) would break ${broken.length} foreign key references`,
                );
            }
            db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
              m.version,
              m.name,
              new Date().toISOString(),
            );
            here.push(m.version);
          }
          return here;
        })
        .immediate();
      done.push(...ran);
    } finally {
      if (keysWereOn) db.pragma('foreign_keys = ON');
    }
  }
  return done;
}
