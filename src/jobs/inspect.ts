import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { App } from '../http/context.ts';
import { notFound } from '../http/errors.ts';

export type JobRow = { id: string; name: string; state: string; retry_count: number; retry_limit: number; created_on: Date; completed_on: Date | null; error: string | null };

/** The community's recent jobs (those whose payload names it), newest first, from pg-boss's tables. */
export async function listJobs(db: Db, communityId: string, limit: number): Promise<JobRow[]> {
  const r = await sql<JobRow>`
    select id, name, state::text as state, retry_count, retry_limit, created_on, completed_on,
           case when state = 'failed' then left(coalesce(output->>'message', output::text), 300) end as error
    from pgboss.job where data->>'communityId' = ${communityId}
    order by created_on desc limit ${limit}`.execute(db);
  return r.rows;
}

export async function retryJob(app: App, communityId: string, name: string, id: string): Promise<void> {
  const r = await sql`select 1 from pgboss.job where name = ${name} and id = ${id} and data->>'communityId' = ${communityId}`.execute(app.db);
  if (r.rows.length === 0) throw notFound();
  await app.queue.boss.retry(name, id);
}
