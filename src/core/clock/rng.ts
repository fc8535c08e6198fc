// Seeded randomness. One Rng per run, seeded from the scenario; each component draws from its
// own named sub-stream (rng.stream('latency')), derived from (seed, name) alone, so a new draw
// in one component never shifts another component's sequence. Generator and samplers:
// docs/0069-core-and-simulator-notes.md.

/** 2^52: a layer's uniform is an integer below it. */
const TWO_52 = 2 ** 52;

/**
 * A ziggurat for a decreasing density f on [0, inf) (unnormalised, f(0) = 1): LAYERS strips of
 * equal area v, the base one a rectangle of height f(r) with the tail beyond r. Layer i spans
 * [0, x[i]] in x (x[0] = v / f(r), x[1] = r, shrinking to x[LAYERS] = 0) and [f(x[i]), f(x[i+1])]
 * in height. A point drawn uniformly in layer i at x = u x[i] is under the curve when
 * x < x[i+1] (accept: u < k[i] / 2^52); else it is in the tail (base) or a wedge (tested).
 */
interface Ziggurat {
  /** Acceptance bounds: floor(2^52 x[i+1] / x[i]). */
  readonly k: Float64Array;
  /** x[i] / 2^52: the draw is the 52-bit uniform times it. */
  readonly w: Float64Array;
  /** f(x[i]) for i <= LAYERS (f(x[LAYERS]) = 1). */
  readonly f: Float64Array;
}

const LAYERS = 256;

function ziggurat(r: number, v: number, f: (x: number) => number, fInverse: (y: number) => number): Ziggurat {
  const x = new Float64Array(LAYERS + 1);
  x[0] = v / f(r);
  x[1] = r;
  for (let i = 1; i < LAYERS - 1; i++) x[i + 1] = fInverse(f(x[i] as number) + v / (x[i] as number));
  x[LAYERS] = 0;
  const k = new Float64Array(LAYERS);
  const w = new Float64Array(LAYERS);
  const fx = new Float64Array(LAYERS + 1);
  for (let i = 0; i < LAYERS; i++) {
    k[i] = Math.floor(TWO_52 * ((x[i + 1] as number) / (x[i] as number)));
    w[i] = (x[i] as number) / TWO_52;
    fx[i] = f(x[i] as number);
  }
  fx[LAYERS] = 1;
  return { k, w, f: fx };
}

/** The standard normal's ziggurat: r where 256 layers of equal area meet the tail, and that area
 *  (r f(r) plus the tail's integral, sqrt(pi / 2) erfc(r / sqrt 2)). */
export const NORMAL_R = 3.6541528853610088;
export const NORMAL_V = 0.004928673233974658;
const NORMAL = ziggurat(
  NORMAL_R,
  NORMAL_V,
  (x) => Math.exp(-0.5 * x * x),
  (y) => Math.sqrt(-2 * Math.log(y)),
);

/** The unit exponential's ziggurat: r, and the area (r + 1) e^-r of each layer. */
export const EXPONENTIAL_R = 7.69711747013105;
export const EXPONENTIAL_V = (EXPONENTIAL_R + 1) * Math.exp(-EXPONENTIAL_R);
const EXPONENTIAL = ziggurat(
  EXPONENTIAL_R,
  EXPONENTIAL_V,
  (x) => Math.exp(-x),
  (y) => -Math.log(y),
);

/** The layers' outer edges x[i] of a ziggurat (for tests: the top layer must close at 0). */
export function zigguratEdges(which: 'normal' | 'exponential'): Float64Array {
  const z = which === 'normal' ? NORMAL : EXPONENTIAL;
  return z.w.map((w) => w * TWO_52);
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class Rng {
  // The state words are kept as int32 (`| 0`): the same 32 bits as uint32, but small integers to
  // the engine, so updating them allocates nothing (a uint32 above 2^31 would be a boxed number).
  // Every use reduces mod 2^32 (>>> 0, shifts, xor), so the outputs are the uint32 algorithm's.
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** seed: any safe integer; name: the sub-stream's name ('' for the root). */
  constructor(
    readonly seed: number,
    readonly name = '',
  ) {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const mix = splitmix32(fnv1a(name, 0x811c9dc5 ^ lo) ^ Math.imul(hi, 0x27d4eb2d));
    this.a = mix() | 0;
    this.b = mix() | 0;
    this.c = mix() | 0;
    this.d = mix() | 0;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** An independent stream for a component: depends only on (seed, full name). */
  stream(name: string): Rng {
    return new Rng(this.seed, this.name ? `${this.name}/${name}` : name);
  }

  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t;
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  next(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Standard normal (ziggurat, see the top of the file). */
  normal(): number {
    const { k, w, f } = NORMAL;
    for (;;) {
      const a = this.nextU32();
      const b = this.nextU32();
      // Bits 0-7: the layer; bit 8: the sign; bits 12-31 and the second word: 52 uniform bits.
      const i = a & 0xff;
      const u = (a >>> 12) * 4294967296 + b;
      const x = u * (w[i] as number);
      const negative = (a & 0x100) !== 0;
      if (u < (k[i] as number)) return negative ? -x : x;
      if (i === 0) {
        // The tail beyond r (Marsaglia's method): r + a, with a exponential of rate r, accepted
        // with probability e^(-a^2 / 2).
        let a2: number;
        let e: number;
        do {
          a2 = -Math.log(1 - this.next()) / NORMAL_R;
          e = -Math.log(1 - this.next());
        } while (e + e < a2 * a2);
        return negative ? -(NORMAL_R + a2) : NORMAL_R + a2;
      }
      // The wedge between the layer's rectangle and the curve: under the curve or drawn again.
      const fi = f[i] as number;
      if (fi + this.next() * ((f[i + 1] as number) - fi) < Math.exp(-0.5 * x * x)) return negative ? -x : x;
    }
  }

  /** Exponential with the given mean (ziggurat, see the top of the file). */
  exponential(mean: number): number {
    const { k, w, f } = EXPONENTIAL;
    for (;;) {
      const a = this.nextU32();
      const b = this.nextU32();
      const i = a & 0xff;
      const u = (a >>> 12) * 4294967296 + b;
      const x = u * (w[i] as number);
      if (u < (k[i] as number)) return x * mean;
      // Past r the exponential is r plus another exponential (it has no memory).
      if (i === 0) return (EXPONENTIAL_R - Math.log(1 - this.next())) * mean;
      const fi = f[i] as number;
      if (fi + this.next() * ((f[i + 1] as number) - fi) < Math.exp(-x)) return x * mean;
    }
  }
}
