import { createHash, randomBytes } from 'node:crypto';
import { enqueueMessage, type OutboxChannel, type OutgoingMessage } from '../outbox/service.ts';
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

type Addressee = Pick<Appeal, 'id' | 'number' | 'lang' | 'notify_via' | 'applicant_phone' | 'applicant_email'>;

/** Where the applicant is told: their Telegram chat when they have one linked, else SMS or
 * e-mail (a resident who left the bot since filing is told by SMS or e-mail, if they gave one);
 * null when they asked for nothing or gave no contact. */
function addressOf(appeal: Addressee, chat: string | null): { channel: OutboxChannel; recipient: string } | null {
  const via = chat ? 'telegram' : appeal.notify_via === 'email' || (appeal.notify_via === 'telegram' && !appeal.applicant_phone) ? 'email' : appeal.notify_via === 'none' ? null : 'sms';
  const to = via === 'telegram' ? chat : via === 'email' ? appeal.applicant_email : via === 'sms' ? appeal.applicant_phone : null;
  return via && to ? { channel: via, recipient: to } : null;
}

/** The applicant's message about a notice, in their language: the notice, staff's `note` if
 * any, and the link to follow the appeal (or, after a report, to rate it). Null when there is
 * nobody to tell. */
export function applicantMessage(
  ctx: Pick<AppealsCtx, 'secret' | 'followUrl'>,
  appeal: Addressee,
  notice: Notice,
  opts: { chat?: string | null; note?: string | null; rateLink?: string } = {},
): OutgoingMessage | null {
  const to = addressOf(appeal, opts.chat ?? null);
  if (!to) return null;
  const lang = appeal.lang;
  const lines = [t(lang, SUBJECT[notice], { number: appeal.number })];
  if (opts.note) lines.push(opts.note);
  lines.push(opts.rateLink ? t(lang, 'appeals.notice.rate', { link: opts.rateLink }) : t(lang, 'appeals.notice.follow', { link: ctx.followUrl(appeal.number, followKey(ctx.secret, appeal.id), lang) }));
  return { ...to, subject: lines[0], body: lines.join('\n'), purpose: `appeal_${notice}` };
}

/** Tells the applicant, in their language and chosen channel, through the outbox (same
 * transaction as the change). A report asks for a rating with a one-time link. `note` is staff
 * text for the applicant (an incident's or an outage's closing message), written in one language. */
export async function notifyApplicant(ctx: AppealsCtx, appeal: Appeal, notice: Notice, note?: string | null): Promise<void> {
  const chat = appeal.notify_via === 'telegram' ? await telegramChatOf(ctx.tx, appeal.resident_id) : null;
  if (!addressOf(appeal, chat)) return;
  let rateLink: string | undefined;
  if (notice === 'reported') {
    const token = randomBytes(18).toString('base64url');
    await ctx.tx
      .insertInto('appeal_rating_requests')
      .values({ community_id: appeal.community_id, appeal_id: appeal.id, token_hash: createHash('sha256').update(token).digest('hex') })
      .execute();
    rateLink = ctx.rateUrl(token, appeal.lang);
  }
  const message = applicantMessage(ctx, appeal, notice, { chat, note, rateLink });
  if (message) await enqueueMessage(ctx.tx, ctx.queue, appeal.community_id, message);
}
