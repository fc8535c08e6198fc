// Whole numbers with their digits grouped by commas ("1,234,567"), as toLocaleString('en-US')
// writes them, without Intl: the first toLocaleString call of a process loads ICU's number
// formatter, about 20 ms of CPU, which every `execsim run` paid for its usage text and its report.

/** `n` as en-US writes it: digits grouped by three with commas for a whole number up to 2^53 - 1
 *  in size (minus zero as "0", where toLocaleString writes "-0"); anything else (a fraction, an
 *  infinity) through toLocaleString('en-US') itself. */
export function groupedDigits(n: number): string {
  // eslint-disable-next-line no-restricted-properties -- what is not a whole number, as en-US writes it
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(n < 0 ? -n : n);
  let text = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = text.length; i < digits.length; i += 3) text += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${text}` : text;
}
