// Every command that stores says where, in one line: `stored run run-… in /abs/path/execsim.db`.
// On stdout after the report; with --json on stderr, so that stdout stays one JSON document per
// line for the scripts that read it.
import { resolve } from 'node:path';
import type { Io } from './io.ts';

/** `what`: "run <id>", "3 runs", "sweep <id>"; `where`: the database or file, made absolute. */
export function sayStored(io: Io, what: string, where: string, json: boolean): void {
  const line = `stored ${what} in ${resolve(where)}`;
  if (json) io.err(line);
  else io.out(line);
}
