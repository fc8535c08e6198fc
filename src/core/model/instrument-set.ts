// The instruments one node trades on one venue account. The first is the run's symbol (the one
// RunStarted names, and the only one of a node that trades one). They share the account's quote
// balance, which is counted in account units: the finest notional unit (tick x lot) among them.
// Each instrument's notional unit is a whole number of account units (its scale), so money from
// every symbol adds up exactly in integers; a node with one instrument has scale 1 and its
// account units are that instrument's notional units.
import { compareScaled, parseStep } from './decimal.ts';
import type { Symbol } from './ids.ts';
import type { Instrument } from './instrument.ts';

export class InstrumentSet {
  /** Every instrument, the run's symbol first. */
  readonly all: readonly Instrument[];
  private readonly bySymbol = new Map<string, { readonly instrument: Instrument; readonly scale: number }>();

  private constructor(list: readonly Instrument[]) {
    this.all = list;
    if (list.length === 1) {
      // One instrument: its notional unit is the account unit (no decimals to work out: a sweep
      // builds a set for every path).
      const only = list[0] as Instrument;
      this.bySymbol.set(only.symbol, { instrument: only, scale: 1 });
      return;
    }
    const units = list.map((i) => notionalUnit(i));
    const finest = units.reduce((a, b) => (compareScaled(a, b) <= 0 ? a : b));
    list.forEach((instrument, n) => {
      if (this.bySymbol.has(instrument.symbol)) throw new Error(`instruments: ${instrument.symbol} is listed twice`);
      const scale = ratio(units[n] as Unit, finest);
      if (scale === null)
        throw new Error(
          `instruments: ${instrument.symbol}'s notional unit (tick x lot) is not a whole number of ${(list[units.indexOf(finest)] as Instrument).symbol}'s`,
        );
      this.bySymbol.set(instrument.symbol, { instrument, scale });
    });
  }

  /** The set of `list` (at least one; the first is the run's symbol). Throws when a symbol is
   *  listed twice or a notional unit is not a multiple of the finest. */
  static of(list: readonly Instrument[]): InstrumentSet {
    if (list.length === 0) throw new Error('instruments: at least one is needed');
    return new InstrumentSet(list);
  }

  /** The run's symbol's instrument. */
  get primary(): Instrument {
    return this.all[0] as Instrument;
  }

  get size(): number {
    return this.all.length;
  }

  has(symbol: string): boolean {
    return this.bySymbol.has(symbol);
  }

  /** The instrument of `symbol`; throws for a symbol the node does not trade. */
  of(symbol: string): Instrument {
    if (this.all.length === 1 && symbol === this.primary.symbol) return this.primary;
    const entry = this.bySymbol.get(symbol);
    if (!entry) throw new Error(`no instrument ${symbol} in this node (it trades ${this.symbols().join(', ')})`);
    return entry.instrument;
  }

  /** Account units in one of `symbol`'s notional units. */
  scaleOf(symbol: string): number {
    if (this.all.length === 1) return 1;
    const entry = this.bySymbol.get(symbol);
    if (!entry) throw new Error(`no instrument ${symbol} in this node`);
    return entry.scale;
  }

  symbols(): Symbol[] {
    return this.all.map((i) => i.symbol);
  }
}

/** A notional unit as mantissa x 10^-scale. */
interface Unit {
  readonly mantissa: bigint;
  readonly scale: number;
}

function notionalUnit(i: Instrument): Unit {
  const tick = parseStep(i.tickSize);
  const lot = parseStep(i.lotSize);
  return { mantissa: tick.mantissa * lot.mantissa, scale: tick.scale + lot.scale };
}

/** Both mantissas on the larger scale. */
function aligned(a: Unit, b: Unit): [bigint, bigint] {
  const scale = Math.max(a.scale, b.scale);
  return [a.mantissa * 10n ** BigInt(scale - a.scale), b.mantissa * 10n ** BigInt(scale - b.scale)];
}

/** a / b when it is a whole number, else null. */
function ratio(a: Unit, b: Unit): number | null {
  const [x, y] = aligned(a, b);
  return x % y === 0n ? Number(x / y) : null;
}
