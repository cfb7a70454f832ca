import { z } from 'zod';
import { sql } from 'kysely';
import type { Db } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import type { JobDef, Queue } from '../../jobs/queue.ts';
import { loadCommunities, type Community } from '../communities/service.ts';
import { systemActor } from '../audit/service.ts';
import { enqueueMessage } from '../outbox/service.ts';
import { formatDate, pick, t } from '../../i18n/i18n.ts';
import { addEvent, getAppeal, type AppealsCtx } from './service.ts';
import { notifyApplicant } from './notify.ts';

const REMIND_BEFORE_HOURS = 2;

type Deps = { db: Db; queue: Queue; secret: string; origin: () => string };

const communityOrigin = (deps: Deps, c: Community) => `${deps.origin()}${c.is_default ? '' : `/c/${c.slug}`}`;

function ctxFor(deps: Deps, community: Community, tx: AppealsCtx['tx']): AppealsCtx {
  const base = communityOrigin(deps, community);
  return {
    tx, queue: deps.queue, actor: systemActor(community.id, 'deadline control'), community, secret: deps.secret,
    followUrl: (number, key, lang) => `${base}/${lang}/appeals/${number}?key=${key}`,
    rateUrl: (token, lang) => `${base}/${lang}/rate/${token}`,
  };
}

/** Every few minutes, for every community: resolves appeals whose applicant gave no rating in
 * time, reminds executors before a target, and tells controllers when one is missed. Each
 * reminder or escalation is recorded with the message in one transaction, keyed by the
 * appeal and its due time, so a restart or a second process never sends it twice. */
export function sweepJob(deps: Deps): JobDef {
  return {
    name: 'appeals.sweep',
    schema: z.object({}).passthrough(),
    cron: '*/5 * * * *',
    run: async () => {
      for (const community of await loadCommunities(deps.db)) await sweepCommunity(deps, community);
    },
  };
}

export async function sweepCommunity(deps: Deps, community: Community): Promise<void> {
  await withCommunity(deps.db, community.id, async (tx) => {
    const ctx = ctxFor(deps, community, tx);
    const stale = await tx.selectFrom('appeals').select('id').where('status', '=', 'reported')
      .where('reported_at', '<', sql<Date>`now() - make_interval(days => ${community.rating_wait_days})`).forUpdate().skipLocked().execute();
    for (const { id } of stale) {
      await tx.updateTable('appeals').set({ status: 'resolved', resolved_at: sql`now()` }).where('id', '=', id).execute();
      await addEvent(tx, ctx.actor, community.id, id, { kind: 'expire_rating', from: 'reported', to: 'resolved' });
      await notifyApplicant(ctx, await getAppeal(tx, id), 'resolved');
    }
    const consoleUrl = `${communityOrigin(deps, community)}/console/appeals/`;
    await alert(ctx, consoleUrl, 'reminder', sql<boolean>`a.service_due_at between now() and now() + make_interval(hours => ${REMIND_BEFORE_HOURS})`);
    await alert(ctx, consoleUrl, 'escalation', sql<boolean>`a.service_due_at < now()`);
  });
}

async function alert(ctx: AppealsCtx, consoleUrl: string, kind: 'reminder' | 'escalation', when: ReturnType<typeof sql<boolean>>) {
  const { tx, community } = ctx;
  const due = await tx
    .selectFrom('appeals as a')
    .innerJoin('organisations as o', 'o.id', 'a.executor_org_id')
    .select(['a.id', 'a.number', 'a.service_due_at', 'o.email as org_email', 'o.names as org_names'])
    .where('a.status', 'in', ['registered', 'in_progress', 'reopened'])
    .where(when)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('appeal_alerts as x').select('x.appeal_id')
      .whereRef('x.appeal_id', '=', 'a.id').where('x.kind', '=', kind).whereRef('x.due_at', '=', 'a.service_due_at'))))
    .limit(500)
    .execute();
  if (due.length === 0) return;
  const lang = community.default_lang;
  const controllers = kind === 'escalation'
    ? (await tx.selectFrom('users as u').innerJoin('user_roles as r', 'r.user_id', 'u.id').select('u.email')
      .where('r.role', '=', 'appeals_controller').where('u.disabled_at', 'is', null).execute()).map((u) => u.email)
    : [];
  for (const a of due) {
    const inserted = await tx.insertInto('appeal_alerts').values({ community_id: community.id, appeal_id: a.id, kind, due_at: a.service_due_at })
      .onConflict((oc) => oc.doNothing()).returning('appeal_id').executeTakeFirst();
    if (!inserted) continue;
    const params = {
      number: a.number,
      date: formatDate(a.service_due_at, lang, community.time_zone, community.calendar, true),
      executor: pick(a.org_names, lang, lang),
      link: `${consoleUrl}${a.id}`,
    };
    const recipients = kind === 'reminder' ? [a.org_email].filter((e): e is string => !!e) : controllers;
    for (const to of recipients) {
      await enqueueMessage(tx, ctx.queue, community.id, {
        channel: 'email', recipient: to, purpose: `appeal_${kind}`,
        subject: t(lang, kind === 'reminder' ? 'appeals.alert.subject_reminder' : 'appeals.alert.subject_escalation', params),
        body: t(lang, kind === 'reminder' ? 'appeals.alert.reminder' : 'appeals.alert.escalation', params),
      });
    }
    await addEvent(tx, ctx.actor, community.id, a.id, { kind: kind === 'reminder' ? 'reminder_sent' : 'escalated', isPublic: false });
  }
}
