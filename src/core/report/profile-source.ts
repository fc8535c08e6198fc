// Where a VWAP parent's volume profile came from, in words, from what its stored plan says
// (TwapPlanned.trajectory): weights given with the order, the average of the days of history
// before its start (the venue's minute bars, the recording or the market model), or the venue's
// default (U-shaped on an exchange's sessions, flat on a 24/7 market), with the reason when
// history was asked for and could not be had. The report's `profile` and its plan line.
import type { PlannedTrajectory } from '../model/events.ts';

const DEFAULTS: Record<string, string> = {
  'u-shaped': "the U-shaped default of the exchange's sessions",
  flat: 'flat (a 24/7 market without history)',
};

/** The profile a VWAP followed, or null for any other parent. */
export function profileSource(t: PlannedTrajectory | null | undefined): string | null {
  if (t === null || t === undefined || t.kind !== 'vwap') return null;
  const h = t.history;
  let text: string;
  if (t.profile === 'history' && h !== undefined) {
    const used = h.daysUsed !== undefined && h.daysUsed !== h.days ? `, ${h.daysUsed} of them with volume` : '';
    text = `history over the ${h.days} day${h.days === 1 ? '' : 's'} before the start${used}${h.source ? `, from ${h.source}` : ''}`;
  } else if (t.profile === 'given') text = `given with the order (${t.weights?.length ?? 0} weights)`;
  else text = DEFAULTS[t.profile] ?? t.profile;
  if (h !== undefined && h.unavailable !== undefined)
    text += ` (history over ${h.days} day${h.days === 1 ? '' : 's'} asked for: ${h.unavailable})`;
  if (t.fellBack === true) text += '; it expected no volume in the horizon, so the straight line was followed';
  return text;
}
