// Seeded randomness. One Rng per run, seeded from the scenario; each component draws from its
// own named sub-stream (rng.stream('latency')), derived from (seed, name) alone, so a new draw
// in one component never shifts another component's sequence.
// Generator: sfc32 (small, fast, passes PractRand to 2^40+), seeded through splitmix32 from a
// 32-bit FNV-1a hash of the stream name mixed with the seed.

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

  /** Standard normal (Box-Muller; one draw per call, the pair's second half is not cached). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return -Math.log(u) * mean;
  }
}
