import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/db.ts';
import { localDate } from './deadlines.ts';

/** The year an appeal's number belongs to: the community's own calendar year at the moment of
 * filing (an appeal filed at 00:30 on 1 January in Kyiv opens the new year's journal, though it
 * is still 31 December in UTC). */
export const registrationYear = (at: Date, timeZone: string): number => Number(localDate(at, timeZone).slice(0, 4));

/** The next registration number of the community for the year, e.g. "2026-000123", as an SQL
 * expression to write straight into the appeal's row (no round trip of its own).
 * From a sequence per community and year (migration 010): no lock is held, so filings do not
 * wait for each other's commit; a filing that rolls back leaves a gap
 * (docs/decisions/0004-appeal-numbers.md). */
export function nextNumberSql(communityId: string, year: number): RawBuilder<string> {
  return sql<string>`(select ${String(year)} || '-' || lpad(n::text, greatest(6, length(n::text)), '0') from appeal_number(${communityId}, ${year}) as n)`;
}

/** The same number on its own. */
export async function nextNumber(tx: Tx, communityId: string, year: number): Promise<string> {
  const r = await sql<{ number: string }>`select ${nextNumberSql(communityId, year)} as number`.execute(tx);
  return r.rows[0].number;
}
