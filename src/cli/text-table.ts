// A plain-text table for the CLI's listings and reports: columns as wide as their widest cell
// (header included), two spaces apart, no trailing blanks.

/** The table's lines, header first: the first `leftColumns` columns left-aligned, the rest
 *  right-aligned (figures); by default every column is left-aligned. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  leftColumns = header.length,
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (row: readonly string[]) =>
    row
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}
