// What `execsim runs` and `execsim sweeps` share: the flags of a listing of stored things
// (--db, --json, --limit N, no arguments), the database opened read-only (never created; a
// missing one is exit 2), the first N of the read model's newest-first list, printed as a table
// or one JSON array.
import { described } from '../store/open-database.ts';
import { ReadModel } from '../store/read-model.ts';
import { storedText } from '../store/stored-values.ts';
import type { Liveness } from '../store/run-state.ts';
import { dbPath, parseCommand, parseCount, UsageError, type Io } from './io.ts';

/** --sort and --order as given. */
export interface ListOrder {
  readonly sort: string | undefined;
  readonly order: string | undefined;
}

/** Flags, each taking a value, that a list filters by, and what they make (a UsageError for a bad
 *  one, before the database is opened). */
export interface ListFilters<Q> {
  readonly flags: readonly string[];
  readonly parse: (given: Readonly<Record<string, string>>) => Q;
}

export interface StoredList<T, Q = undefined> {
  /** The command's name, as its messages name it. */
  readonly name: string;
  readonly usage: string;
  readonly help: string;
  /** Every stored item, newest first (or in the order `--sort` and `--order` ask, for a list that
   *  takes them: `sorted`), of those `filters` leave (what its parse made of the flags given). */
  readonly items: (model: ReadModel, order: ListOrder, filter: Q | undefined) => Iterable<T>;
  readonly filters?: ListFilters<Q>;
  /** The list takes --sort FIELD and --order asc|desc: checks them (a UsageError) before the
   *  database is opened. */
  readonly sorted?: (order: ListOrder) => void;
  /** An item as the JSON array lists it. */
  readonly json: (item: T) => unknown;
  /** The items as the table prints them. */
  readonly table: (items: readonly T[], db: string) => string;
  /** What the table says when filters were given and no item matches them (the table's own
   *  empty text says nothing is stored at all). */
  readonly noMatch?: string;
}

export function listStored<T, Q = undefined>(
  args: readonly string[],
  io: Io,
  live: Liveness,
  list: StoredList<T, Q>,
): number {
  const { values, positionals } = parseCommand(
    args,
    {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      limit: { type: 'string' },
      ...(list.sorted ? { sort: { type: 'string' as const }, order: { type: 'string' as const } } : {}),
      ...Object.fromEntries((list.filters?.flags ?? []).map((f) => [f, { type: 'string' as const }])),
    },
    list.usage,
  );
  if (values.help) {
    io.out(list.help);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`${list.name} takes no arguments, got "${positionals[0]}"`, list.usage);
  const limit =
    values.limit === undefined ? 100 : parseCount('--limit', values.limit, 0, Number.MAX_SAFE_INTEGER, list.usage);
  const given = values as { sort?: string; order?: string };
  const order: ListOrder = { sort: given.sort, order: given.order };
  list.sorted?.(order);
  const filterFlags: Record<string, string> = {};
  for (const f of list.filters?.flags ?? []) {
    const v = (values as Record<string, unknown>)[f];
    if (typeof v === 'string') filterFlags[f] = v;
  }
  const filter = list.filters?.parse(filterFlags);
  const path = dbPath(values.db, io);
  const model = ReadModel.open(path, { liveness: () => live });
  try {
    const listed: T[] = [];
    for (const item of list.items(model, order, filter)) {
      if (limit > 0 && listed.length >= limit) break;
      listed.push(item);
    }
    const unmatched = listed.length === 0 && Object.keys(filterFlags).length > 0 ? list.noMatch : undefined;
    io.out(values.json ? JSON.stringify(listed.map(list.json), blobsAsText) : (unmatched ?? list.table(listed, path)));
    return 0;
  } catch (err) {
    throw described(err, path);
  } finally {
    model.close();
  }
}

/** A JSON.stringify replacer that writes a blob (a hand-edited column) as SQL writes one, x'00ff',
 *  as the tables do, not as Node's Buffer JSON. It looks at the holder's own value: a Buffer's
 *  toJSON has already run on the one it is given. */
export function blobsAsText(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Uint8Array ? storedText(raw) : value;
}
