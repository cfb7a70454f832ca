import { z } from 'zod';
import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';
import { loadCommunities, type Community } from '../communities/service.ts';
import { publishDue } from './service/transition.ts';

export const PUBLISH_DUE = 'newsroom.publish-due';

/** The portal's address of a community, for the links the channels carry. */
export const communitySite = (d: Pick<ModuleDeps, 'origin'>, c: Community) => `${d.origin()}${c.is_default ? '' : `/c/${c.slug}`}`;

/**
 * Scheduled publication: every minute, for every community, the versions whose time has come
 * are published (those missed while no server ran go out at the first run after a start).
 * pg-boss keeps one cron schedule per name, so several processes do not multiply it, and the
 * versions are locked while publishing, so even two runs at once publish each version once.
 */
export const newsroomJobs = (d: ModuleDeps): JobDef[] => [
  {
    name: PUBLISH_DUE,
    schema: z.object({}).passthrough(),
    cron: '* * * * *',
    retryLimit: 3,
    run: async () => {
      for (const c of await loadCommunities(d.db)) {
        await publishDue({ db: d.db, queue: d.queue, site: (x) => communitySite(d, x) }, c);
      }
    },
  },
];
