// The field a misspelt one most likely meant, for the "did you mean" of every message about an
// unknown field: a scenario's or session file's (src/scenario/issue-text.ts) and a strategy's
// parameters (src/strategy/param-keys.ts).

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 *  adjacent letters cost 1 each ("sied" is one swap from "side", "qyt" from "qty"). */
export function editDistance(a: string, b: string): number {
  // Three rows: the one before the previous is needed for a swap.
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] as number) + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length] as number;
}

/** The known field an unknown one most likely meant: same letters ignoring case, or at most a
 *  third of its letters off (at least one); null when nothing is that close. */
export function closestKey(unknown: string, known: readonly string[]): string | null {
  const lower = unknown.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : editDistance(lower, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(unknown.length / 3)) ? best : null;
}
