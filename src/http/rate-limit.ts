import { sql } from 'kysely';
import type { Db } from '../db/db.ts';

/** Counts a hit on `key` in a fixed window kept in PostgreSQL, so that every process
 * shares the limit. Returns the seconds to wait when the limit is passed, else 0. */
export async function hitRateLimit(db: Db, key: string, limit: number, windowSeconds: number): Promise<number> {
  const r = await sql<{ hits: number; window_start: Date }>`
    insert into rate_limits (key, window_start, hits)
    values (${key}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds}), 1)
    on conflict (key, window_start) do update set hits = rate_limits.hits + 1
    returning hits, window_start`.execute(db);
  const row = r.rows[0];
  if (row.hits <= limit) return 0;
  return Math.max(1, Math.ceil((row.window_start.getTime() + windowSeconds * 1000 - Date.now()) / 1000));
}

export async function pruneRateLimits(db: Db): Promise<void> {
  await sql`delete from rate_limits where window_start < now() - interval '1 day'`.execute(db);
}
