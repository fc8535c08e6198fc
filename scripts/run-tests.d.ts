// Types of scripts/run-tests.js (plain JavaScript, run by `npm test`) for the tests that import it.

/** One vitest invocation of `npm test`. */
export interface Invocation {
  readonly name: string;
  readonly args: string[];
  readonly niceness: number;
  /** Its output is printed once every invocation has ended. */
  readonly held: boolean;
  readonly env: Record<string, string>;
}

export declare const WAITING_PROJECT: string;
export declare const REST_NICENESS: number;
export declare const WAITING_WORKERS: number;
export declare const WAITING_CACHE_DIR: string;

export declare function restNiceness(env: Record<string, string | undefined>): number;

export declare function invocations(args: readonly string[], niceness?: number): Invocation[];

export declare function exitCode(ends: readonly { code: number | null; signal: string | null }[]): number;

export declare function runInvocations(
  list: readonly Invocation[],
  entry: string,
  write: (text: string | Buffer) => void,
): Promise<number>;
