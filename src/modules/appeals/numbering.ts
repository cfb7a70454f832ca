import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';

/** The next registration number of the community for the year, e.g. "2026-000123".
 * The counter row is locked until the transaction ends: call it last, just before commit. */
export async function nextNumber(tx: Tx, communityId: string, year: number): Promise<string> {
  const r = await sql<{ last: number }>`
    insert into appeal_counters (community_id, year, last) values (${communityId}, ${year}, 1)
    on conflict (community_id, year) do update set last = appeal_counters.last + 1
    returning last`.execute(tx);
  return `${year}-${String(r.rows[0].last).padStart(6, '0')}`;
}
