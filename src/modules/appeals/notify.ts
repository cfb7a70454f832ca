import { createHash, randomBytes } from 'node:crypto';
import { enqueueMessage } from '../outbox/service.ts';
import { t, type MessageKey } from '../../i18n/i18n.ts';
import { followKey, type Appeal, type AppealsCtx } from './service.ts';

export type Notice = 'registered' | 'in_progress' | 'reported' | 'reopened' | 'resolved' | 'closed' | 'extended' | 'reassigned';

const SUBJECT: Record<Notice, MessageKey> = {
  registered: 'appeals.notice.registered',
  in_progress: 'appeals.notice.in_progress',
  reported: 'appeals.notice.reported',
  reopened: 'appeals.notice.reopened',
  resolved: 'appeals.notice.resolved',
  closed: 'appeals.notice.closed',
  extended: 'appeals.notice.extended',
  reassigned: 'appeals.notice.reassigned',
};

/** Tells the applicant, in their language and chosen channel, through the outbox (same
 * transaction as the change). A report asks for a rating with a one-time link. */
export async function notifyApplicant(ctx: AppealsCtx, appeal: Appeal, notice: Notice): Promise<void> {
  const to = appeal.notify_via === 'email' ? appeal.applicant_email : appeal.notify_via === 'sms' ? appeal.applicant_phone : null;
  if (!to) return;
  const lang = appeal.lang;
  const lines = [t(lang, SUBJECT[notice], { number: appeal.number })];
  if (notice === 'reported') {
    const token = randomBytes(18).toString('base64url');
    await ctx.tx
      .insertInto('appeal_rating_requests')
      .values({ community_id: appeal.community_id, appeal_id: appeal.id, token_hash: createHash('sha256').update(token).digest('hex') })
      .execute();
    lines.push(t(lang, 'appeals.notice.rate', { link: ctx.rateUrl(token, lang) }));
  } else {
    lines.push(t(lang, 'appeals.notice.follow', { link: ctx.followUrl(appeal.number, followKey(ctx.secret, appeal.id), lang) }));
  }
  await enqueueMessage(ctx.tx, ctx.queue, appeal.community_id, {
    channel: appeal.notify_via === 'email' ? 'email' : 'sms',
    recipient: to,
    subject: lines[0],
    body: lines.join('\n'),
    purpose: `appeal_${notice}`,
  });
}
