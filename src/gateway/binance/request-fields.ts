// Reading a Binance request's parameters the way Binance refuses them: a name the endpoint does
// not read is -1104 ("Not all sent parameters were read"), a mandatory one missing or empty -1102,
// an optional one empty -1105, a number or an enum value that is not one -1100 or the code the
// endpoint names, and a symbol the gateway does not serve -1121.
import { badRequest, illegal, INVALID_SYMBOL, mandatory, shown, type BinanceError } from './wire.ts';

/** Parameters every SIGNED request may carry besides its own. */
export const SIGNED_PARAMS = ['timestamp', 'recvWindow'] as const;

const LONG = /^-?[0-9]{1,19}$/;

export class RequestFields {
  constructor(readonly params: ReadonlyMap<string, string>) {}

  /** -1104 when a parameter is none of `known`. */
  unread(known: readonly string[]): BinanceError | null {
    const extra = [...this.params.keys()].filter((k) => !known.includes(k));
    if (extra.length === 0) return null;
    const read = this.params.size - extra.length;
    return badRequest(
      -1104,
      `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${this.params.size}'.`,
    );
  }

  /** An optional parameter (undefined when absent); -1105 when sent empty. */
  optional(name: string): string | undefined | BinanceError {
    const v = this.params.get(name);
    if (v === '') return badRequest(-1105, `Parameter '${name}' was empty.`);
    return v;
  }

  required(name: string): string | BinanceError {
    const v = this.params.get(name);
    return v === undefined || v === '' ? mandatory(name) : v;
  }

  /** An optional LONG (an id, a time) as a number; -1100 when it is not one. */
  long(name: string): number | undefined | BinanceError {
    const v = this.optional(name);
    if (v === undefined || typeof v !== 'string') return v;
    if (!LONG.test(v) || !Number.isSafeInteger(Number(v))) return illegal(name, '^-?[0-9]{1,19}$');
    return Number(v);
  }

  /** `limit`: default `dflt`, 1 to `max` (Binance answers more with `max`: clamp when `clamp`). */
  limit(dflt: number, max: number, clamp = false): number | BinanceError {
    const n = this.long('limit');
    if (n === undefined || typeof n !== 'number') return n ?? dflt;
    if (n > max && clamp) return max;
    if (n < 1 || n > max) return badRequest(-1130, `Data sent for parameter 'limit' is not valid.`);
    return n;
  }

  /** A mandatory symbol that must be one the gateway serves (`served`). */
  symbol(served: readonly string[]): string | BinanceError {
    const s = this.required('symbol');
    if (typeof s !== 'string') return s;
    return served.includes(s) ? s : INVALID_SYMBOL;
  }

  /** An optional enum: one of `values`, else the error `bad` makes for it. */
  oneOf<T extends string>(
    name: string,
    values: readonly T[],
    bad: (v: string) => BinanceError,
  ): T | undefined | BinanceError {
    const v = this.optional(name);
    if (v === undefined || typeof v !== 'string') return v;
    return (values as readonly string[]).includes(v) ? (v as T) : bad(shown(v));
  }
}
