import { z } from 'zod';
import type { Db, Tx } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import type { JobDef, Queue } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';
import type { Lang } from '../../db/types.ts';
import { loadCommunities, type Community } from '../communities/service.ts';
import { enqueueMessage } from '../outbox/service.ts';
import { refreshSummary } from './dashboard-summary.ts';
import { dailyDigest, digestDue, digestText, overdueAppeals, overdueText, previousDay } from './digest.ts';

// Every few minutes: communities whose local clock is past 08:00 and whose digest or overdue
// list of today is not sent yet get it now. The (community, day, kind) row of
// appeal_daily_sends is inserted first, in the same transaction as the messages: a second
// process blocks on that insert until the first commits and then finds the row; a crash
// before the commit leaves neither, so the next run sends it. Never twice, never lost.

export type DailyDeps = { db: Db; queue: Queue; origin: () => string };

export const appealsDailyJobs = (d: ModuleDeps): JobDef[] => [
  {
    name: 'appeals.daily',
    schema: z.object({}).passthrough(),
    cron: '*/5 * * * *',
    run: async () => {
      const deps: DailyDeps = { db: d.db, get queue() { return d.queue; }, origin: d.origin };
      const all = await loadCommunities(d.db);
      for (const c of all) await sendDailyMailings(deps, c);
      // The dashboard's summary kept fresh between reads (days changed, days just sealed), so
      // a reader rarely has more than a few minutes of changes to fold in.
      for (const c of all) await withCommunity(d.db, c.id, (tx) => refreshSummary(tx));
    },
  },
];

const consoleOrigin = (deps: DailyDeps, c: Community) => `${deps.origin()}${c.is_default ? '' : `/c/${c.slug}`}/console`;

type Recipient = { email: string; lang: Lang };

async function staffWithRole(tx: Tx, role: string, organisationId?: string): Promise<Recipient[]> {
  return tx
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select(['u.email', 'u.lang'])
    .distinct()
    .where('r.role', '=', role)
    .where('u.disabled_at', 'is', null)
    .$if(!!organisationId, (q) => q.where('u.organisation_id', '=', organisationId!))
    .orderBy('u.email')
    .execute();
}

/** Claims today's (community, kind) row; false if another run already has it. */
async function claim(tx: Tx, communityId: string, day: string, kind: 'digest' | 'overdue'): Promise<boolean> {
  const row = await tx.insertInto('appeal_daily_sends').values({ community_id: communityId, day, kind })
    .onConflict((oc) => oc.doNothing()).returning('kind').executeTakeFirst();
  return !!row;
}

const record = (tx: Tx, communityId: string, day: string, kind: 'digest' | 'overdue', messages: number) =>
  tx.updateTable('appeal_daily_sends').set({ messages }).where('community_id', '=', communityId).where('day', '=', day).where('kind', '=', kind).execute();

/** Sends the community's digest and overdue lists for today if it is time and they are not sent.
 * Returns the number of messages written (0 when nothing was due). */
export async function sendDailyMailings(deps: DailyDeps, c: Community, now = new Date()): Promise<number> {
  const today = digestDue(now, c.time_zone);
  if (!today) return 0;
  const base = consoleOrigin(deps, c);
  let sent = 0;
  sent += await withCommunity(deps.db, c.id, async (tx) => {
    if (!(await claim(tx, c.id, today, 'digest'))) return 0;
    const day = previousDay(today);
    const digest = await dailyDigest(tx, c, day);
    const people = await staffWithRole(tx, 'leadership');
    for (const p of people) {
      const words = digestText(p.lang, c, digest, `${base}/appeals/digest?date=${day}`);
      await enqueueMessage(tx, deps.queue, c.id, { channel: 'email', recipient: p.email, purpose: 'appeal_digest', ...words });
    }
    await record(tx, c.id, today, 'digest', people.length);
    return people.length;
  });
  sent += await withCommunity(deps.db, c.id, async (tx) => {
    if (!(await claim(tx, c.id, today, 'overdue'))) return 0;
    const items = await overdueAppeals(tx);
    let count = 0;
    const send = async (to: Recipient[], list: typeof items, withExecutor: boolean) => {
      if (!list.length) return;
      for (const p of to) {
        const words = overdueText(p.lang, c, list, `${base}/appeals/`, withExecutor);
        await enqueueMessage(tx, deps.queue, c.id, { channel: 'email', recipient: p.email, purpose: 'appeal_overdue', ...words });
        count++;
      }
    };
    await send(await staffWithRole(tx, 'appeals_controller'), items, true);
    // Each executor organisation gets only its own appeals: its executor staff, or, when it has
    // none in the console, its own e-mail address (as the reminders do), in the community's language.
    for (const orgId of [...new Set(items.map((a) => a.executor_org_id))]) {
      const staff = await staffWithRole(tx, 'executor', orgId);
      const org = staff.length ? null : await tx.selectFrom('organisations').select('email').where('id', '=', orgId).executeTakeFirst();
      const to = staff.length ? staff : org?.email ? [{ email: org.email, lang: c.default_lang }] : [];
      await send(to, items.filter((a) => a.executor_org_id === orgId), false);
    }
    await record(tx, c.id, today, 'overdue', count);
    return count;
  });
  return sent;
}
