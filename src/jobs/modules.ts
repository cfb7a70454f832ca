// Background jobs of the modules, declared as data; main.ts starts them with the queue.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { JobDef, Queue } from './queue.ts';
import { mediaJobs } from '../modules/media/jobs.ts';
import { channelJobs } from '../modules/channels/jobs.ts';
import { newsroomJobs } from '../modules/newsroom/jobs.ts';
import { appealsDailyJobs } from '../modules/appeals/jobs-daily.ts';
import { appealsImportJobs } from '../modules/appeals/jobs-import.ts';
import { outageJobs } from '../modules/outages/jobs.ts';
import { addressJobs } from '../modules/addresses/jobs.ts';
import { alertJobs } from '../modules/alerts/fanout.ts';
import { loadCommunities } from '../modules/communities/service.ts';

export type ModuleDeps = {
  db: Db;
  secret: string;
  config: Config;
  log: Logger;
  /** The queue exists only after the jobs are declared: read it when a job runs. */
  readonly queue: Queue;
  /** Absolute origin for links in messages (CITYDESK_PUBLIC_URL or the listening address). */
  origin: () => string;
};

export const moduleJobs = (d: ModuleDeps): JobDef[] => [
  ...mediaJobs(d),
  ...channelJobs(d),
  ...newsroomJobs(d),
  ...appealsDailyJobs(d),
  ...appealsImportJobs(d),
  ...outageJobs(d),
  ...addressJobs(d),
  ...alertJobs({ db: d.db, origin: d.origin, community: async (id) => (await loadCommunities(d.db)).find((c) => c.id === id) }),
];
