// The instruments a live adapter trades on its one venue account: the run's first, then the
// scenario's other instruments. An adapter reads every order, execution, quote and position by
// the symbol the venue names, and states the account's one quote balance in account units (the
// finest notional unit among them, as NodeConfig's InstrumentSet counts it). With one instrument
// nothing changes: rows carry no symbol and amounts are in its own notional units.
import { InstrumentSet } from '../core/model/instrument-set.ts';
import { quoteToUnits, type Instrument } from '../core/model/instrument.ts';
import type { Symbol } from '../core/model/ids.ts';

export class VenueInstruments {
  readonly set: InstrumentSet;
  /** The instrument whose notional unit is the account unit. */
  private readonly finest: Instrument;

  /** `instruments`: every instrument, the first being `instrument` (absent: it alone). Throws when
   *  the first is another symbol, a symbol is listed twice, or a notional unit is not a whole
   *  number of the finest. */
  constructor(instrument: Instrument, instruments?: readonly Instrument[]) {
    const list = instruments === undefined || instruments.length === 0 ? [instrument] : instruments;
    if ((list[0] as Instrument).symbol !== instrument.symbol)
      throw new Error(
        `instruments: the first must be the run's ${instrument.symbol}, got ${(list[0] as Instrument).symbol}`,
      );
    this.set = InstrumentSet.of(list);
    this.finest = list.find((i) => this.set.scaleOf(i.symbol) === 1) ?? instrument;
  }

  /** The run's instrument. */
  get primary(): Instrument {
    return this.set.primary;
  }

  get all(): readonly Instrument[] {
    return this.set.all;
  }

  /** More than one instrument: rows say their symbol, and the account states `others`. */
  get several(): boolean {
    return this.set.size > 1;
  }

  /** The instrument of `symbol`, or null for a symbol this adapter does not trade. */
  of(symbol: string): Instrument | null {
    return this.set.has(symbol) ? this.set.of(symbol) : null;
  }

  /** The instrument a row of the venue is read with: its symbol's; with one instrument, that
   *  one whatever the row says (as a single adapter always read them); null for a symbol not
   *  traded among several. */
  forRow(symbol: string): Instrument | null {
    return this.several ? this.of(symbol) : this.primary;
  }

  /** Why a symbol's market history cannot be read here: the adapter does not trade it. */
  notTraded(symbol: string): string {
    return `the adapter trades ${this.symbols().join(', ')}, not ${symbol}`;
  }

  symbols(): Symbol[] {
    return this.set.symbols();
  }

  /** A quote amount (a decimal) in account units, rounded up. */
  quoteUnits(amount: string): number {
    return quoteToUnits(this.finest, amount);
  }

  /** `row` stating its symbol when the adapter trades several (an orphan is then quarantined on
   *  its own symbol), as it is otherwise. */
  stated<T extends object>(row: T, symbol: Symbol): T & { readonly symbol?: Symbol } {
    return this.several ? { ...row, symbol } : row;
  }
}
