// A run's symbols as one cell of the `execsim runs` table: its first instrument first, the others
// in the scenario's order. Up to SHOWN are named, joined by commas; more are counted, "(+N)", so
// that a run of many symbols does not widen every row; the cell adds no blanks (scripts split rows
// on them). The JSON list (`runs --json`) has them all.
import { storedText } from '../store/stored-values.ts';

/** Symbols named in the cell before the rest are counted. */
export const SHOWN = 2;

export function symbolsCell(symbols: readonly unknown[]): string {
  if (symbols.length === 0) return '-';
  // storedText: a symbol a hand-edited database holds as a blob shows as SQL writes one.
  const named = symbols.slice(0, SHOWN).map(storedText);
  const more = symbols.length - named.length;
  return more > 0 ? `${named.join(',')}(+${more})` : named.join(',');
}
