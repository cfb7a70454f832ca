import PgBoss from 'pg-boss';
import pg from 'pg';
import { CompiledQuery } from 'kysely';
import type { z } from 'zod';
import type { Tx } from '../db/db.ts';
import type { Logger } from 'pino';

/** A job, declared as data. `run` must be idempotent: a job may run again after a crash. */
export type JobDef<S extends z.ZodType = z.ZodType> = {
  name: string;
  schema: S;
  cron?: string;
  retryLimit?: number;
  retryDelay?: number;
  /** How often an idle worker looks for this job (seconds; pg-boss allows 0.5 and up). */
  pollSeconds?: number;
  run: (data: z.infer<S>) => Promise<void>;
};

export type Queue = {
  boss: PgBoss;
  /** Sends a job inside the caller's transaction: it exists only if the transaction commits. */
  sendInTx: (tx: Tx, name: string, data: object, options?: PgBoss.SendOptions) => Promise<void>;
  stop: () => Promise<void>;
};

export const txExecutor = (tx: Tx): PgBoss.Db => ({
  executeSql: async (text, values) => {
    const r = await tx.executeQuery(CompiledQuery.raw(text, values));
    return { rows: r.rows as unknown[] as never[] };
  },
});

export async function startQueue(url: string, jobs: JobDef[], opts: { work: boolean; log: Logger }): Promise<Queue> {
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    max: 4,
    schedule: opts.work,
    supervise: opts.work,
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
  });
  boss.on('error', (e: Error & { code?: string }) => {
    if (e.code === '57P01') return; // the database is shutting down with us
    opts.log.error({ err: { message: e.message, code: e.code } }, 'job queue error');
  });
  // pg-boss's create_queue is not safe when two processes create the same queue at once
  // (they deadlock), so queue setup is serialised with a session advisory lock.
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock(727276)');
    await boss.start();
    for (const job of jobs) {
      if (await boss.getQueue(job.name)) continue;
      await boss.createQueue(job.name, { name: job.name, retryLimit: job.retryLimit ?? 5, retryDelay: job.retryDelay ?? 5, retryBackoff: true });
    }
    // Jobs are sent inside community transactions, which run as citydesk_app.
    await lock.query(`grant usage on schema pgboss to citydesk_app;
      grant select, insert on pgboss.job, pgboss.queue to citydesk_app`);
  } finally {
    await lock.query('select pg_advisory_unlock(727276)').catch(() => {});
    await lock.end();
  }
  if (opts.work) {
    for (const job of jobs) {
      await boss.work(job.name, { batchSize: 1, pollingIntervalSeconds: job.pollSeconds ?? 1 }, async ([j]) => {
        const data = job.schema.parse(j.data);
        await job.run(data);
      });
      // pg-boss keeps one schedule per name in the database, so every process may call this.
      if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
    }
  }
  return {
    boss,
    sendInTx: async (tx, name, data, options = {}) => {
      await boss.send(name, data, { ...options, db: txExecutor(tx) });
    },
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 20_000 }),
  };
}
