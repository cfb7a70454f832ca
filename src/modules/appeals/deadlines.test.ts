import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_LEGAL_DAYS, legalDueAt, localDate, serviceDueAt, workingHoursBetween, zonedTimeToUtc,
  type WorkCalendar,
} from './deadlines.ts';

// Kyiv is +02:00 in winter and +03:00 in summer (switches 2026-03-29 and 2026-10-25);
// Tehran is +03:30 all year. Expected instants below are written in UTC.
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

const kyiv: WorkCalendar = { timeZone: 'Europe/Kyiv', weekendDays: [6, 0], holidays: [] };
const tehran: WorkCalendar = {
  timeZone: 'Asia/Tehran', weekendDays: [5], holidays: [], workStart: '07:30', workEnd: '14:30',
};

describe('legal term of an appeal (Art. 20)', () => {
  const filed = at('2026-11-22T08:00:00Z'); // Sunday 10:00 in Kyiv

  it('15 days end at 23:59:59.999 local on the 15th day after filing', () => {
    assert.equal(iso(legalDueAt(filed, 15, 0, 'Europe/Kyiv')), '2026-12-07T21:59:59.999Z');
  });

  it('30 days', () => {
    assert.equal(iso(legalDueAt(filed, 30, 0, 'Europe/Kyiv')), '2026-12-22T21:59:59.999Z');
  });

  it('may be extended up to 45 days in total, into the next year', () => {
    assert.equal(MAX_LEGAL_DAYS, 45);
    assert.equal(iso(legalDueAt(filed, 30, 15, 'Europe/Kyiv')), '2027-01-06T21:59:59.999Z');
    assert.equal(iso(legalDueAt(filed, 15, 30, 'Europe/Kyiv')), '2027-01-06T21:59:59.999Z');
  });

  it('refuses more than 45 days, a negative or fractional extension, and other base terms', () => {
    assert.throws(() => legalDueAt(filed, 30, 16, 'Europe/Kyiv'), RangeError);
    assert.throws(() => legalDueAt(filed, 15, 31, 'Europe/Kyiv'), RangeError);
    assert.throws(() => legalDueAt(filed, 15, -1, 'Europe/Kyiv'), RangeError);
    assert.throws(() => legalDueAt(filed, 15, 1.5, 'Europe/Kyiv'), RangeError);
    assert.throws(() => legalDueAt(filed, 20 as 15, 0, 'Europe/Kyiv'), RangeError);
    assert.throws(() => legalDueAt(new Date(NaN), 15, 0, 'Europe/Kyiv'), RangeError);
  });

  it('ends at local midnight across the autumn DST change (filed at +03:00, due at +02:00)', () => {
    const filedOct = at('2026-10-20T07:00:00Z'); // 10:00 Kyiv summer time
    const due = legalDueAt(filedOct, 15, 0, 'Europe/Kyiv');
    assert.equal(iso(due), '2026-11-04T21:59:59.999Z'); // 2026-11-04 23:59:59.999 +02:00
  });

  it('ends at local midnight across the spring DST change (filed at +02:00, due at +03:00)', () => {
    const due = legalDueAt(at('2026-03-20T08:00:00Z'), 15, 0, 'Europe/Kyiv');
    assert.equal(iso(due), '2026-04-04T20:59:59.999Z'); // 2026-04-04 23:59:59.999 +03:00
  });

  it('counts from the local day of filing, not the UTC day', () => {
    // 00:30 on 23 November in Kyiv is still 22 November in UTC.
    const due = legalDueAt(at('2026-11-22T22:30:00Z'), 15, 0, 'Europe/Kyiv');
    assert.equal(iso(due), '2026-12-08T21:59:59.999Z');
  });

  it('works in Tehran (+03:30, no DST)', () => {
    const due = legalDueAt(at('2026-11-26T10:00:00Z'), 15, 0, 'Asia/Tehran');
    assert.equal(iso(due), '2026-12-11T20:29:59.999Z'); // 2026-12-11 23:59:59.999 +03:30
  });
});

describe('service target in calendar hours', () => {
  it('72 calendar hours is exactly +72 h', () => {
    const due = serviceDueAt(at('2026-11-20T14:00:00Z'), 72, 'calendar', kyiv);
    assert.equal(iso(due), '2026-11-23T14:00:00.000Z');
  });

  it('is elapsed time, so across the DST change the local clock reading shifts by an hour', () => {
    const due = serviceDueAt(at('2026-10-24T10:00:00Z'), 72, 'calendar', kyiv); // 13:00 local
    assert.equal(iso(due), '2026-10-27T10:00:00.000Z'); // 12:00 local
  });

  it('refuses negative or non-finite targets', () => {
    assert.throws(() => serviceDueAt(at('2026-11-20T14:00:00Z'), -1, 'calendar', kyiv), RangeError);
    assert.throws(() => serviceDueAt(at('2026-11-20T14:00:00Z'), Infinity, 'working', kyiv), RangeError);
  });
});

describe('service target in working hours (Kyiv, Mon–Fri 08:00–17:00)', () => {
  it('filed Friday 16:00 with 8 hours: 1 hour Friday + 7 hours Monday → Monday 15:00', () => {
    const due = serviceDueAt(at('2026-11-20T14:00:00Z'), 8, 'working', kyiv);
    assert.equal(iso(due), '2026-11-23T13:00:00.000Z');
  });

  it('filed on Saturday: counting starts Monday 08:00', () => {
    const saturday = at('2026-11-21T08:00:00Z'); // Saturday 10:00 local
    assert.equal(iso(serviceDueAt(saturday, 1, 'working', kyiv)), '2026-11-23T07:00:00.000Z'); // Mon 09:00
    assert.equal(iso(serviceDueAt(saturday, 8, 'working', kyiv)), '2026-11-23T14:00:00.000Z'); // Mon 16:00
  });

  it('a public holiday on the Monday pushes the due time to Tuesday', () => {
    const withHoliday: WorkCalendar = { ...kyiv, holidays: ['2026-11-23'] };
    const due = serviceDueAt(at('2026-11-20T14:00:00Z'), 8, 'working', withHoliday);
    assert.equal(iso(due), '2026-11-24T13:00:00.000Z'); // Tuesday 15:00 local
  });

  it('filed before opening: counting starts at 08:00 the same day', () => {
    const due = serviceDueAt(at('2026-11-23T04:00:00Z'), 1, 'working', kyiv); // Monday 06:00 local
    assert.equal(iso(due), '2026-11-23T07:00:00.000Z'); // Monday 09:00 local
  });

  it('a target that runs out exactly at closing is due at 17:00, not the next morning', () => {
    const due = serviceDueAt(at('2026-11-23T06:00:00Z'), 9, 'working', kyiv); // Monday 08:00 local
    assert.equal(iso(due), '2026-11-23T15:00:00.000Z'); // Monday 17:00 local
  });

  it('72 working hours from Monday 08:00 take eight working days (to Wednesday of the next week, 17:00)', () => {
    const due = serviceDueAt(at('2026-11-23T06:00:00Z'), 72, 'working', kyiv);
    assert.equal(iso(due), '2026-12-02T15:00:00.000Z');
  });

  it('keeps local working hours across the autumn DST change', () => {
    const due = serviceDueAt(at('2026-10-23T13:00:00Z'), 8, 'working', kyiv); // Friday 16:00 at +03:00
    assert.equal(iso(due), '2026-10-26T13:00:00.000Z'); // Monday 15:00 at +02:00
  });

  it('refuses calendars with no working time or malformed hours instead of looping', () => {
    const from = at('2026-11-20T14:00:00Z');
    const allWeekend: WorkCalendar = { ...kyiv, weekendDays: [0, 1, 2, 3, 4, 5, 6] };
    assert.throws(() => serviceDueAt(from, 1, 'working', allWeekend), RangeError);
    assert.throws(() => serviceDueAt(from, 1, 'working', { ...kyiv, workStart: '17:00', workEnd: '08:00' }), RangeError);
    assert.throws(() => serviceDueAt(from, 1, 'working', { ...kyiv, workStart: '8:00' }), RangeError);
    assert.throws(() => serviceDueAt(from, 1, 'working', { ...kyiv, timeZone: 'Mars/Olympus' }), RangeError);
  });
});

describe('service target in working hours (Tehran, weekend Friday, 07:30–14:30)', () => {
  it('filed Thursday 13:30 with 3 hours: 1 hour Thursday, Friday skipped, Saturday 09:30', () => {
    const due = serviceDueAt(at('2026-11-26T10:00:00Z'), 3, 'working', tehran);
    assert.equal(iso(due), '2026-11-28T06:00:00.000Z'); // Saturday 09:30 +03:30
  });
});

describe('working hours between two instants', () => {
  it('counts only working time', () => {
    assert.equal(workingHoursBetween(at('2026-11-20T14:00:00Z'), at('2026-11-23T13:00:00Z'), kyiv), 8);
    assert.equal(workingHoursBetween(at('2026-11-26T10:00:00Z'), at('2026-11-28T06:00:00Z'), tehran), 3);
    // A whole weekend is worth nothing.
    assert.equal(workingHoursBetween(at('2026-11-21T08:00:00Z'), at('2026-11-22T20:00:00Z'), kyiv), 0);
    // Half an hour inside one working day.
    assert.equal(workingHoursBetween(at('2026-11-23T08:00:00Z'), at('2026-11-23T08:30:00Z'), kyiv), 0.5);
  });

  it('is 0 for reversed or empty ranges', () => {
    const a = at('2026-11-20T14:00:00Z');
    const b = at('2026-11-23T13:00:00Z');
    assert.equal(workingHoursBetween(b, a, kyiv), 0);
    assert.equal(workingHoursBetween(a, a, kyiv), 0);
  });

  it('agrees with serviceDueAt (round trip)', () => {
    const cases: Array<[WorkCalendar, string]> = [
      [kyiv, '2026-11-20T14:00:00Z'], // Friday 16:00
      [kyiv, '2026-11-21T08:00:00Z'], // Saturday
      [kyiv, '2026-11-23T04:00:00Z'], // Monday before opening
      [kyiv, '2026-11-23T16:30:00Z'], // Monday after closing
      [kyiv, '2026-10-23T13:00:00Z'], // Friday before the DST change
      [{ ...kyiv, holidays: ['2026-11-23', '2026-11-24'] }, '2026-11-20T12:15:00Z'],
      [tehran, '2026-11-26T10:00:00Z'], // Thursday 13:30
      [tehran, '2026-11-27T06:00:00Z'], // Friday (weekend)
    ];
    for (const [cal, start] of cases) {
      for (const hours of [0, 0.5, 1, 3, 8, 9, 40, 72]) {
        const from = at(start);
        const due = serviceDueAt(from, hours, 'working', cal);
        assert.equal(workingHoursBetween(from, due, cal), hours, `${cal.timeZone} from ${start}, ${hours} h`);
      }
    }
  });
});

describe('local dates and wall-clock conversion', () => {
  it('localDate follows the zone across midnight', () => {
    const lateUtc = at('2026-11-26T21:00:00Z'); // 00:30 on the 27th in Tehran
    assert.equal(localDate(lateUtc, 'UTC'), '2026-11-26');
    assert.equal(localDate(lateUtc, 'Asia/Tehran'), '2026-11-27');
    assert.equal(localDate(lateUtc, 'Europe/Kyiv'), '2026-11-26'); // 23:00
    assert.equal(localDate(at('2026-11-26T20:29:59Z'), 'Asia/Tehran'), '2026-11-26'); // 23:59:59
  });

  it('zonedTimeToUtc uses the offset in force on that date', () => {
    assert.equal(iso(zonedTimeToUtc(2026, 3, 28, 12, 0, 'Europe/Kyiv')), '2026-03-28T10:00:00.000Z');
    assert.equal(iso(zonedTimeToUtc(2026, 3, 29, 12, 0, 'Europe/Kyiv')), '2026-03-29T09:00:00.000Z');
    assert.equal(iso(zonedTimeToUtc(2026, 10, 25, 12, 0, 'Europe/Kyiv')), '2026-10-25T10:00:00.000Z');
    assert.equal(iso(zonedTimeToUtc(2026, 6, 21, 12, 0, 'Asia/Tehran')), '2026-06-21T08:30:00.000Z');
    // 03:30 does not exist in Kyiv on 2026-03-29 (03:00 → 04:00): it lands just after the gap.
    assert.equal(iso(zonedTimeToUtc(2026, 3, 29, 3, 30, 'Europe/Kyiv')), '2026-03-29T01:30:00.000Z');
  });
});
