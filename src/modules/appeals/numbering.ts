import { localDate } from './deadlines.ts';

/** The year an appeal's number belongs to: the community's own calendar year at the moment of
 * filing (an appeal filed at 00:30 on 1 January in Kyiv opens the new year's journal, though it
 * is still 31 December in UTC). */
export const registrationYear = (at: Date, timeZone: string): number => Number(localDate(at, timeZone).slice(0, 4));
