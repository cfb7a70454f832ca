// `<input type="datetime-local">` values are the community's wall time, not the server's.
import { zonedTimeToUtc } from '../../modules/appeals/deadlines.ts';

/** "2026-05-04T10:30" typed in the community's time zone, as an instant; null when not a time. */
export function localInstant(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  return zonedTimeToUtc(y, mo, d, h, mi, timeZone);
}

/** An instant as a datetime-local value in the community's time zone. */
export function localValue(at: Date, timeZone: string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
