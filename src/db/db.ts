import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './types.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

// Return bigint (audit ids, counts) as strings; dates stay Date.
pg.types.setTypeParser(20, (v) => v);

export function createDb(url: string, poolSize: number): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {}); // an idle client lost during shutdown is not a crash
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}

/**
 * Runs `fn` in a transaction that can only see and change rows of one community:
 * the role is switched to `citydesk_app`, whose row-level-security policies compare
 * every row's community_id with the transaction's `app.community_id`.
 */
export async function withCommunity<T>(db: Db, communityId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('app.community_id', ${communityId}, true), set_config('role', 'citydesk_app', true)`.execute(tx);
    return fn(tx);
  });
}

/** Deployment-level work (community registry, rate limits, jobs): runs as the owner role. */
export async function withSystem<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}
