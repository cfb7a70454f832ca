// Control of notices (O2): a notice whose expected end passed with nothing said since is
// stale; its utility's dispatchers are reminded once (the mark and the messages commit together).
import { z } from 'zod';
import { sql } from 'kysely';
import { withCommunity } from '../../db/db.ts';
import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';
import { loadCommunities, type Community } from '../communities/service.ts';
import { enqueueMessage } from '../outbox/service.ts';
import { pick, t } from '../../i18n/i18n.ts';

export async function remindStale(d: ModuleDeps, community: Community): Promise<number> {
  return withCommunity(d.db, community.id, async (tx) => {
    const stale = await tx.selectFrom('outages').selectAll().where('status', '=', 'open').where('stale_reminded_at', 'is', null)
      .where('expected_end_at', '<', sql<Date>`now()`).where(sql<boolean>`last_update_at < expected_end_at`).forUpdate().skipLocked().execute();
    const base = `${d.origin()}${community.is_default ? '' : `/c/${community.slug}`}`;
    for (const o of stale) {
      await tx.updateTable('outages').set({ stale_reminded_at: sql`now()` }).where('id', '=', o.id).execute();
      const staff = await tx.selectFrom('users').innerJoin('user_roles', 'user_roles.user_id', 'users.id')
        .select(['users.email', 'users.lang']).where('users.organisation_id', '=', o.organisation_id).where('user_roles.role', '=', 'utility_dispatcher')
        .where('users.disabled_at', 'is', null).execute();
      for (const u of staff) {
        const kind = t(u.lang, `outages.kind.${o.kind}`);
        await enqueueMessage(tx, d.queue, community.id, {
          channel: 'email', recipient: u.email, subject: t(u.lang, 'outages.reminder.subject'), purpose: 'outage_stale',
          body: t(u.lang, 'outages.reminder.body', { kind, area: pick(o.area_summary, u.lang, community.default_lang), link: `${base}/console/outages/${o.id}` }),
        });
      }
    }
    return stale.length;
  });
}

export const outageJobs = (d: ModuleDeps): JobDef[] => [{
  name: 'outages.stale',
  schema: z.object({}).passthrough(),
  cron: '*/10 * * * *',
  run: async () => {
    for (const c of await loadCommunities(d.db)) await remindStale(d, c);
  },
}];
