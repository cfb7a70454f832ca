import { z } from 'zod';
import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';
import { DELIVER_JOB, drain, sweep, type WorkerDeps } from './worker.ts';

const Deliver = z.object({ communityId: z.string().uuid(), ids: z.array(z.string().uuid()).max(100) });

export const channelJobs = (d: ModuleDeps): JobDef[] => {
  const deps: WorkerDeps = { db: d.db, origin: d.origin, log: d.log, get queue() { return d.queue; } };
  if (d.config.worker) recoverAtStart(deps, d);
  return [
    // Jobs only wake the worker; retries are the delivery's own (next_attempt_at), so the
    // queue's retry is for a crash of the job itself.
    { name: DELIVER_JOB, schema: Deliver, retryLimit: 3, retryDelay: 5, run: async (data: z.infer<typeof Deliver>) => drain(deps, data.communityId, data.ids) } as JobDef,
    { name: 'channels.sweep', schema: z.object({}).passthrough(), cron: '* * * * *', run: async () => void (await sweep(deps)) },
  ];
};

/** Once, shortly after a worker starts: deliveries a crashed process left "sending" are
 * reconciled at once instead of at the next minute's sweep. */
function recoverAtStart(deps: WorkerDeps, d: ModuleDeps) {
  let tries = 0;
  const tick = () => {
    let ready = false;
    try {
      ready = !!d.queue;
    } catch {
      ready = false;
    }
    if (!ready) {
      if (++tries < 120) setTimeout(tick, 500).unref();
      return;
    }
    // At start every due delivery is fair game: a job taken by a crashed process is lost.
    sweep(deps, 0).catch(() => {}); // the process may be stopping; the cron sweep follows anyway
  };
  setTimeout(tick, 1000).unref();
}
