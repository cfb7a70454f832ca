// Deadlines for citizens' appeals: the legal term under the Law of Ukraine
// "On citizens' appeals" (Art. 20) and the service's own target in hours.
// Pure functions: no database, no clock, no dependencies. All instants are
// absolute (Date); all calendar reasoning happens in the community's own
// time zone, because a "day" or "working hour" means the local one.

export type WorkCalendar = {
  timeZone: string;
  weekendDays: number[]; // 0 = Sunday … 6 = Saturday
  holidays: string[]; // local dates 'YYYY-MM-DD'
  workStart?: string; // 'HH:MM', default '08:00'
  workEnd?: string; // 'HH:MM', default '17:00'
};

/** Art. 20: an extended term may not exceed 45 days in total. */
export const MAX_LEGAL_DAYS = 45;

const HOUR_MS = 3_600_000;
// Bound on day-by-day scans, so a calendar with no working time (or an
// absurd range) fails loudly instead of looping for ever.
const MAX_SCAN_DAYS = 3 * 366;

type Wall = { y: number; m: number; d: number; hh: number; mm: number; ss: number };
type Day = { y: number; m: number; d: number };

// Building a DateTimeFormat is costly; callers ask about few zones, many times.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what we want callers to see.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function assertValidDate(at: Date, name: string): void {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RangeError(`${name} is not a valid date`);
}

/** Local wall-clock parts of an instant in a time zone. */
function wallParts(at: Date, timeZone: string): Wall {
  const out: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { y: out.year, m: out.month, d: out.day, hh: out.hour, mm: out.minute, ss: out.second };
}

/** Offset (local minus UTC, in ms) in force at an instant. */
function offsetMs(instant: number, timeZone: string): number {
  const w = wallParts(new Date(instant), timeZone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss);
  // Intl drops milliseconds, so compare against the instant floored to the second.
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the local wall clock in `timeZone` shows y-m-d hh:mm.
 * The offset depends on the instant we are looking for, so guess with the
 * offset at the naive UTC reading, then correct once with the offset at that
 * guess; two passes settle across DST changes. A wall time skipped by a
 * spring-forward gap lands just after the gap; an ambiguous one (autumn)
 * resolves to one of its two readings.
 */
export function zonedTimeToUtc(y: number, m: number, d: number, hh: number, mm: number, timeZone: string): Date {
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // Every filing scans the same next working days: remember the answers (bounded).
  const key = `${timeZone}|${wall}`;
  const known = zoned.get(key);
  if (known !== undefined) return new Date(known);
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  if (zoned.size >= 20_000) zoned.clear();
  zoned.set(key, guess);
  return new Date(guess);
}
const zoned = new Map<string, number>();

/** Local date 'YYYY-MM-DD' of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  assertValidDate(at, 'at');
  return dayKey(wallParts(at, timeZone));
}

/** The local day of an instant. Every filing asks it for "now": the answer is remembered per
 * zone and UTC minute (offsets change only on whole minutes, so a day begins on one), bounded. */
function localDay(at: Date, timeZone: string): Day {
  const minute = Math.floor(at.getTime() / 60_000);
  const key = `${timeZone}|${minute}`;
  let day = days.get(key);
  if (!day) {
    const w = wallParts(new Date(minute * 60_000), timeZone);
    day = { y: w.y, m: w.m, d: w.d };
    if (days.size >= 1000) days.clear();
    days.set(key, day);
  }
  return day;
}
const days = new Map<string, Day>();

function dayKey({ y, m, d }: Day): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// Calendar arithmetic on local dates, done on a UTC Date purely as a
// proleptic-Gregorian calculator (no zone involved, so no DST surprises).
function addDays(day: Day, n: number): Day {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function weekday(day: Day): number {
  return new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay();
}

/** Local midnight at the start of a local day (end of day = next start − 1 ms). */
function startOfDay(day: Day, timeZone: string): Date {
  return zonedTimeToUtc(day.y, day.m, day.d, 0, 0, timeZone);
}

/**
 * End of the legal term: the end (23:59:59.999 local time) of the local
 * calendar day that is `days` days after the local day of `from`, where
 * days = legalDays + extensionDays. Counted in calendar days, as Art. 20 does.
 */
export function legalDueAt(from: Date, legalDays: 15 | 30, extensionDays: number, timeZone: string): Date {
  assertValidDate(from, 'from');
  if (legalDays !== 15 && legalDays !== 30) throw new RangeError('legalDays must be 15 or 30');
  if (!Number.isInteger(extensionDays) || extensionDays < 0) {
    throw new RangeError('extensionDays must be a non-negative whole number');
  }
  const total = legalDays + extensionDays;
  if (total > MAX_LEGAL_DAYS) throw new RangeError(`the term may not exceed ${MAX_LEGAL_DAYS} days in total`);
  const dueDay = addDays(localDay(from, timeZone), total);
  // The day's end is just before the next local midnight, whatever the day's length.
  return new Date(startOfDay(addDays(dueDay, 1), timeZone).getTime() - 1);
}

function parseHHMM(value: string, name: string): { hh: number; mm: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!match) throw new RangeError(`${name} must be 'HH:MM' (00:00–23:59), got '${value}'`);
  return { hh: Number(match[1]), mm: Number(match[2]) };
}

type Hours = { start: { hh: number; mm: number }; end: { hh: number; mm: number } };

function workingHoursOf(cal: WorkCalendar): Hours {
  const start = parseHHMM(cal.workStart ?? '08:00', 'workStart');
  const end = parseHHMM(cal.workEnd ?? '17:00', 'workEnd');
  if (end.hh * 60 + end.mm <= start.hh * 60 + start.mm) throw new RangeError('workEnd must be after workStart');
  return { start, end };
}

/** One scanned local day: its date and its working period [start, end) in ms, if it has one. */
type ScannedDay = { date: string; period: [number, number] | null };

/**
 * The local days from the local day of `from` onwards (the first period may
 * already lie partly in the past). Stops with a RangeError after
 * MAX_SCAN_DAYS days, so a calendar without working time cannot loop for ever.
 */
function* scanDays(from: Date, cal: WorkCalendar): Generator<ScannedDay> {
  const hours = workingHoursOf(cal);
  const weekend = new Set(cal.weekendDays);
  const holidays = new Set(cal.holidays);
  let day: Day = wallParts(from, cal.timeZone);
  for (let scanned = 0; scanned < MAX_SCAN_DAYS; scanned++, day = addDays(day, 1)) {
    const date = dayKey(day);
    if (weekend.has(weekday(day)) || holidays.has(date)) {
      yield { date, period: null };
      continue;
    }
    const start = zonedTimeToUtc(day.y, day.m, day.d, hours.start.hh, hours.start.mm, cal.timeZone);
    const end = zonedTimeToUtc(day.y, day.m, day.d, hours.end.hh, hours.end.mm, cal.timeZone);
    yield { date, period: [start.getTime(), end.getTime()] };
  }
  throw new RangeError(`scanned ${MAX_SCAN_DAYS} days (3 years) of the calendar; check its weekends, holidays and the range`);
}

/**
 * When a service target of `hours` is reached, starting at `from`.
 * 'calendar': simply from + hours. 'working': only time inside
 * [workStart, workEnd) on local days that are neither weekend nor holiday
 * counts; a start outside working time begins at the next working period.
 * A target that runs out exactly at workEnd is due at workEnd, not the next morning.
 */
export function serviceDueAt(from: Date, hours: number, mode: 'calendar' | 'working', cal: WorkCalendar): Date {
  assertValidDate(from, 'from');
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError('hours must be a finite, non-negative number');
  let remaining = Math.round(hours * HOUR_MS);
  if (mode === 'calendar') return new Date(from.getTime() + remaining);
  const fromMs = from.getTime();
  for (const { period } of scanDays(from, cal)) {
    if (!period) continue;
    const [start, end] = period;
    const begin = Math.max(start, fromMs);
    if (begin >= end) continue; // this period is already over
    if (remaining <= end - begin) return new Date(begin + remaining);
    remaining -= end - begin;
  }
  throw new Error('unreachable: scanDays ends by throwing');
}

/**
 * Working hours elapsed between two instants (0 if to <= from), by the same
 * rules as serviceDueAt; for "resolved within N working hours" statistics.
 */
export function workingHoursBetween(from: Date, to: Date, cal: WorkCalendar): number {
  assertValidDate(from, 'from');
  assertValidDate(to, 'to');
  const fromMs = from.getTime();
  const toMs = to.getTime();
  if (toMs <= fromMs) return 0;
  // Stop on the local day of `to`, so trailing non-working days cost nothing.
  const lastDate = localDate(to, cal.timeZone);
  let total = 0;
  for (const { date, period } of scanDays(from, cal)) {
    if (period) total += Math.max(0, Math.min(period[1], toMs) - Math.max(period[0], fromMs));
    if (date >= lastDate) break;
  }
  return total / HOUR_MS;
}
