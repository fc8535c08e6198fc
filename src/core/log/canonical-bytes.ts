// The log's canonical lines written straight into one growing UTF-8 buffer: the same bytes as
// the UTF-8 of canonicalLine() ("seq time kind payload\n", payload in canonical JSON), without
// building a string. Every event of every run is written here once on its way into the digest.
// As a string, each line was a rope of dozens of pieces, each number a string of its own, which
// the hash then had to flatten and encode again; here whole numbers are written digit pair by
// digit pair, ASCII strings are copied code unit by code unit (a long one, an order's client id
// say, from its bytes as last written), and each object shape's sorted keys are copied from their
// encoded form (Plan.headBytes). Only fractions, non-ASCII text and strings that need escaping go
// through a string first.
import type { LogEntry } from '../model/events.ts';
import { planOf } from './canonical-json.ts';

const utf8 = new TextEncoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
/** The numbers fraction() writes itself: from 2^26 up to (not including) 2^52. Below 2^26 the
 *  shortest decimals of most fractions need 10^k x den past 2^53 (see fraction()). */
const FRACTION_MIN = 2 ** 26;
const FRACTION_MAX = 2 ** 52;
/** 2^53: integers below it are exact doubles. */
const MAX_SCALED = 2 ** 53;
/** A double's bits, for its exponent: the high word is the second on a little-endian platform. */
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** 2^0 to 2^26: a unit in the last place of a double from 2^52 down to 2^26 is 1 / POW2[52 - e]. */
const POW2 = Float64Array.from({ length: 27 }, (_, i) => 2 ** i);
/** Strings this long or longer are copied from their bytes as last written, at most this many of
 *  them remembered at a time (see CanonicalBytes.string). */
const LONG_STRING = 16;
const LONG_STRINGS_KEPT = 4096;
/** "00" to "99": two digits per division. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = ZERO + Math.floor(i / 10);
  PAIRS[2 * i + 1] = ZERO + (i % 10);
}

/**
 * An event whose canonical payload (its JSON less `kind`) it writes itself: a class for a kind
 * that is logged on a path's hot loop (a market sample every second, an order lookup's answer
 * every poll), whose own fields are fixed by the class, so its writer reads them directly
 * instead of listing, looking up and loading its keys by name. The bytes must be exactly what
 * the generic writer gives for a plain copy of the event (each such class has a property test
 * saying so); a plain object of the same kind (read back from a store, say) still goes through
 * the generic writer.
 */
export abstract class SelfWrittenPayload {
  abstract writeCanonical(out: CanonicalBytes): void;
}

/** The encoded `"key":` heads of a self-written payload's keys, which must come in canonical
 *  (sorted) order: written in that order, they are the generic writer's bytes. */
export function payloadHeads<K extends string>(keys: readonly K[]): Readonly<Record<K, Uint8Array>> {
  const sorted = [...keys].sort();
  if (sorted.some((k, i) => k !== keys[i] || (i > 0 && k === sorted[i - 1])))
    throw new Error(`payload keys must be distinct and sorted: ${keys.join(', ')}`);
  return Object.fromEntries(keys.map((k) => [k, utf8.encode(`${JSON.stringify(k)}:`)])) as Record<K, Uint8Array>;
}

export class CanonicalBytes {
  /** The bytes written: buf[0, used). Replaced by a larger one when it fills. It starts small:
   *  every run has its own, and a sweep worker that zeroed 64 KB per path spent more in the
   *  garbage collector (external memory) than on writing the lines. */
  buf: Uint8Array = new Uint8Array(2048);
  used = 0;
  /** The bytes of strings of at least LONG_STRING code units as last written (see string()). */
  private readonly longStrings = new Map<string, Uint8Array>();

  /** Appends the entry's canonical line; on an error (a payload JSON cannot hold) nothing of the
   *  line is left. */
  line(entry: LogEntry): void {
    const start = this.used;
    try {
      const { event } = entry;
      this.number(entry.seq);
      this.byte(0x20);
      this.number(entry.time);
      this.byte(0x20);
      this.raw(event.kind);
      this.byte(0x20);
      if (event instanceof SelfWrittenPayload) event.writeCanonical(this);
      else this.value(event, 'kind');
      this.byte(0x0a);
    } catch (error) {
      this.used = start;
      throw error;
    }
  }

  /** Appends the canonical JSON of one value (what canonicalJson returns, as UTF-8). */
  json(value: unknown): void {
    const start = this.used;
    try {
      this.value(value, null);
    } catch (error) {
      this.used = start;
      throw error;
    }
  }

  /** A self-written payload's `{`, `}`, and key heads: `head` writes a comma before every key
   *  but the first (`first`). */
  open(): void {
    this.byte(0x7b);
  }

  close(): void {
    this.byte(0x7d);
  }

  head(bytes: Uint8Array, first: boolean): void {
    const n = bytes.length;
    this.room(n + 1);
    const buf = this.buf;
    let o = this.used;
    if (!first) buf[o++] = 0x2c;
    for (let j = 0; j < n; j++) buf[o++] = bytes[j] as number;
    this.used = o;
  }

  /** A payload value that is a number or null, as the generic writer writes it. */
  numberOrNull(n: number | null): void {
    if (n === null) this.raw('null');
    else this.finite(n);
  }

  /** A payload value that is a number, as the generic writer writes it (a non-finite one is
   *  the generic writer's error). */
  finite(n: number): void {
    if (!Number.isFinite(n)) throw new Error(`non-finite number ${n} in a log payload`);
    this.number(n);
  }

  private room(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const larger = new Uint8Array(Math.max(this.buf.length * 2, this.used + n));
    larger.set(this.buf.subarray(0, this.used));
    this.buf = larger;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.used++] = b;
  }

  /** A number as its ToString (what a template literal writes, and JSON for a finite one). */
  private number(n: number): void {
    if (!Number.isSafeInteger(n)) {
      if (!this.fraction(n)) {
        // JSON.stringify writes a number as its ToString, as String() does, but not through the
        // engine's number-to-string cache: that cache lives in long-lived memory and kept each
        // string it made (a VWAP per market sample) alive through the young generation's
        // collections, to be copied twice and then freed only by a full collection.
        this.raw(JSON.stringify(n));
      }
      return;
    }
    this.room(17);
    // -0 is written "0", as ToString does.
    if (n < 0) {
      this.buf[this.used++] = 0x2d;
      n = -n;
    }
    this.whole(n);
  }

  /** The decimal digits of a whole number 0 <= n < 2^53; the caller made room. Past 32 bits
   *  (epoch milliseconds): the high part, then the low eight digits padded, each in 32-bit
   *  arithmetic. The high part is the quotient of a division that cannot round up to the next
   *  integer at this size (a double's remainder would be a slow call). */
  private whole(n: number): void {
    if (n <= 0x7fffffff) this.digits(n, 0);
    else {
      const high = Math.floor(n / 100_000_000);
      this.digits(high, 0);
      this.digits(n - high * 100_000_000, 8);
    }
  }

  /**
   * Writes a number with a fraction whose ToString can be worked out in small integers: at least
   * 2^26 (an epoch-millisecond time with a fraction of a millisecond, most of a log's fractions)
   * and below 2^52. Returns false, having written nothing, for any other number. Its whole part
   * has at least 8 digits and ToString at most 17, so it has at most 9 decimals.
   *
   * Such a number is I + j/den: I its whole part, den = 2^(52 - e) for its binary exponent e (one
   * unit in its last place is 1/den), 0 < j < den. ToString writes the fewest decimals k for which
   * some decimal I.D (D of k digits) reads back as the number, i.e. lies within half a unit of
   * it: |D/10^k - j/den| <= 1/(2 den). Scaled by 10^k x den that is |D x den - j x 10^k| <=
   * 10^k / 2, exact in doubles while 10^k x den < 2^53. The nearest D is j x 10^k / den rounded
   * (a division by a power of two: exact), and if it does not qualify no D does; when several
   * qualify, ToString writes the nearest, so that one. A nearest D that is a tie between two
   * integers is left to JSON.stringify.
   */
  private fraction(n: number): boolean {
    const a = n < 0 ? -n : n;
    if (!(a >= FRACTION_MIN && a < FRACTION_MAX)) return false;
    BITS[0] = a;
    const e = ((WORDS[HIGH_WORD] as number) >>> 20) - 1023;
    const den = POW2[52 - e] as number;
    const whole = Math.floor(a);
    const j = (a - whole) * den;
    let p = 1;
    for (let k = 1; k <= 9; k++) {
      p *= 10;
      if (p * den >= MAX_SCALED) return false;
      const exact = (j * p) / den;
      const d = Math.round(exact);
      if (d - exact === 0.5) return false;
      // Half a unit away exactly would need 10^k x (2j +- 1) / 2 divisible by den with d the
      // nearest: never, so the bound's even-odd rule does not arise.
      if (Math.abs(d * den - j * p) > p / 2) continue;
      this.room(30);
      if (n < 0) this.buf[this.used++] = 0x2d;
      this.whole(whole);
      this.buf[this.used++] = 0x2e;
      // Fewer than 10 decimals (see above): d is below 2^31.
      this.digits(d, k);
      return true;
    }
    return false;
  }

  /** The decimal digits of 0 <= n < 2^31, at least `width` of them (zeros in front); the caller
   *  made room. */
  private digits(n: number, width: number): void {
    let count =
      n < 100_000
        ? n < 100
          ? n < 10
            ? 1
            : 2
          : n < 1000
            ? 3
            : n < 10_000
              ? 4
              : 5
        : n < 10_000_000
          ? n < 1_000_000
            ? 6
            : 7
          : n < 100_000_000
            ? 8
            : n < 1_000_000_000
              ? 9
              : 10;
    if (count < width) count = width;
    const buf = this.buf;
    const start = this.used;
    let i = start + count;
    this.used = i;
    while (n >= 100) {
      const q = (n / 100) | 0;
      const r = (n - q * 100) << 1;
      buf[--i] = PAIRS[r + 1] as number;
      buf[--i] = PAIRS[r] as number;
      n = q;
    }
    if (n >= 10) {
      buf[--i] = PAIRS[(n << 1) + 1] as number;
      buf[--i] = PAIRS[n << 1] as number;
    } else buf[--i] = ZERO + n;
    while (i > start) buf[--i] = ZERO;
  }

  /** Text as it is, UTF-8 encoded. */
  private raw(s: string): void {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let o = this.used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.encoded(s);
        return;
      }
      buf[o++] = c;
    }
    this.used = o;
  }

  /** A JSON string: quoted, escaped as JSON.stringify escapes. A long one (an order's client
   *  id, most of them) is copied from its bytes as written the last time: the same ids come back
   *  in every entry about their order, and copying bytes costs less than reading a string code
   *  unit by code unit (an id made by concatenation is read through its parts at every unit). */
  string(s: string): void {
    if (s.length < LONG_STRING) {
      this.quoted(s);
      return;
    }
    const known = this.longStrings;
    const b = known.get(s);
    if (b !== undefined) {
      this.room(b.length);
      this.buf.set(b, this.used);
      this.used += b.length;
      return;
    }
    const start = this.used;
    this.quoted(s);
    if (known.size >= LONG_STRINGS_KEPT) known.clear();
    known.set(s, this.buf.slice(start, this.used));
  }

  private quoted(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const buf = this.buf;
    let o = this.used;
    buf[o++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // A control character, a quote or a backslash needs escaping, and anything past ASCII
      // needs encoding (a lone surrogate both): JSON.stringify and the encoder do those.
      if (c < 0x20 || c === QUOTE || c === BACKSLASH || c >= 0x80) {
        this.encoded(JSON.stringify(s));
        return;
      }
      buf[o++] = c;
    }
    buf[o++] = QUOTE;
    this.used = o;
  }

  private encoded(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(s.length * 3);
    this.used += utf8.encodeInto(s, this.buf.subarray(this.used)).written;
  }

  private bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const buf = this.buf;
    let o = this.used;
    for (let i = 0; i < n; i++) buf[o++] = b[i] as number;
    this.used = o;
  }

  private value(value: unknown, omit: string | null): void {
    switch (typeof value) {
      case 'string':
        this.string(value);
        return;
      case 'number':
        if (!Number.isFinite(value)) throw new Error(`non-finite number ${value} in a log payload`);
        this.number(value);
        return;
      case 'boolean':
        this.raw(value ? 'true' : 'false');
        return;
      case 'object':
        if (value === null) this.raw('null');
        else if (Array.isArray(value)) this.array(value);
        else this.object(value as Record<string, unknown>, omit);
        return;
      default:
        throw new Error(`cannot put a ${typeof value} in a log payload`);
    }
  }

  private array(value: unknown[]): void {
    this.byte(0x5b);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) this.byte(0x2c);
      // A hole is written as nothing, as canonicalJson leaves it.
      if (i in value) this.value(value[i], null);
    }
    this.byte(0x5d);
  }

  private object(obj: Record<string, unknown>, omit: string | null): void {
    const own = Object.keys(obj);
    const plan = planOf(own, own[0] === 'kind' && typeof obj.kind === 'string' ? obj.kind : undefined);
    this.byte(0x7b);
    let first = true;
    if (plan) {
      const { keys, headBytes } = plan;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = obj[k];
        if (v === undefined || k === omit) continue;
        // The separator, the quoted key and its colon, and a small whole number (most values)
        // fit in the room made once here.
        const head = headBytes[i] as Uint8Array;
        this.room(head.length + 12);
        const buf = this.buf;
        let o = this.used;
        if (first) first = false;
        else buf[o++] = 0x2c;
        for (let j = 0; j < head.length; j++) buf[o++] = head[j] as number;
        this.used = o;
        if (typeof v === 'number' && (v | 0) === v && v >= 0) this.digits(v, 0);
        else if (typeof v === 'string') this.string(v);
        else this.value(v, null);
      }
    } else {
      const keys = own.sort();
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = obj[k];
        if (v === undefined || k === omit) continue;
        if (!first) this.byte(0x2c);
        first = false;
        this.encoded(JSON.stringify(k) + ':');
        this.value(v, null);
      }
    }
    this.byte(0x7d);
  }
}
