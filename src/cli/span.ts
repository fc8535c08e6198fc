// A duration as people read it, for the CLI's progress and status lines.

/** A duration for people: 45.2 s, 12 min 05 s, 3 h 07 min, 2 d 04 h. */
export function span(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const two = (n: number) => String(Math.floor(n)).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} min ${two(s % 60)} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${two((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${two((s % 86_400) / 3600)} h`;
}
