import { createHash, randomBytes } from 'node:crypto';
import { enqueueMessage } from '../outbox/service.ts';
import { telegramChatOf } from '../identity/telegram.ts';
import { t, type MessageKey } from '../../i18n/i18n.ts';
import { followKey, type Appeal, type AppealsCtx } from './service.ts';

export type Notice = 'registered' | 'in_progress' | 'reported' | 'reopened' | 'resolved' | 'closed' | 'extended' | 'reassigned' | 'incident_closed' | 'outage_closed';

const SUBJECT: Record<Notice, MessageKey> = {
  registered: 'appeals.notice.registered',
  in_progress: 'appeals.notice.in_progress',
  reported: 'appeals.notice.reported',
  reopened: 'appeals.notice.reopened',
  resolved: 'appeals.notice.resolved',
  closed: 'appeals.notice.closed',
  extended: 'appeals.notice.extended',
  reassigned: 'appeals.notice.reassigned',
  incident_closed: 'appeals.incident.notice_closed',
  outage_closed: 'appeals.outage.notice_closed',
};

/** Tells the applicant, in their language and chosen channel, through the outbox (same
 * transaction as the change). A report asks for a rating with a one-time link. `note` is staff
 * text for the applicant (an incident's or an outage's closing message), written in one language. */
export async function notifyApplicant(ctx: AppealsCtx, appeal: Appeal, notice: Notice, note?: string | null): Promise<void> {
  const chat = appeal.notify_via === 'telegram' ? await telegramChatOf(ctx.tx, appeal.resident_id) : null;
  // A resident who left the bot since filing is told by SMS or e-mail, if they gave one.
  const via = chat ? 'telegram' : appeal.notify_via === 'email' || (appeal.notify_via === 'telegram' && !appeal.applicant_phone) ? 'email' : appeal.notify_via === 'none' ? null : 'sms';
  const to = via === 'telegram' ? chat : via === 'email' ? appeal.applicant_email : via === 'sms' ? appeal.applicant_phone : null;
  if (!via || !to) return;
  const lang = appeal.lang;
  const lines = [t(lang, SUBJECT[notice], { number: appeal.number })];
  if (note) lines.push(note);
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
    channel: via,
    recipient: to,
    subject: lines[0],
    body: lines.join('\n'),
    purpose: `appeal_${notice}`,
  });
}
