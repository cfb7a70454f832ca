// Press release by e-mail to the press list (SMTP): one message per journalist, in the
// publication's language, with the photos attached and a personal unsubscribe link.
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { withCommunity } from '../../../db/db.ts';
import { escapeHtml, mainText } from '../limits.ts';
import { ChannelError, type Adapter, type Publication } from '../types.ts';
import { eachRecipient } from './recipients.ts';

const Config = z.object({ smtp_url: z.string().trim().regex(/^smtps?:\/\//), from: z.string().trim().min(3).max(200) });

function release(p: Publication, unsubscribe: string) {
  const text = `${p.title}\n\n${mainText(p, 'email_press')}\n\n${p.url}\n\n—\n${unsubscribe}`;
  const html = `<h1>${escapeHtml(p.title)}</h1>${p.lead ? `<p><strong>${escapeHtml(p.lead)}</strong></p>` : ''}${p.perChannelText?.email_press ? `<p>${escapeHtml(p.perChannelText.email_press)}</p>` : p.bodyHtml}<p><a href="${escapeHtml(p.url)}">${escapeHtml(p.url)}</a></p><hr><p><a href="${escapeHtml(unsubscribe)}">${escapeHtml(unsubscribe)}</a></p>`;
  return { text, html };
}

/** SMTP reply codes 4xx are worth retrying; 5xx refuse this address for good. */
function smtpError(e: Error & { responseCode?: number; code?: string }): ChannelError | 'refused' {
  if (e.responseCode && e.responseCode >= 500) return 'refused';
  if (e.code === 'ETIMEDOUT' && e.responseCode === undefined) return new ChannelError('unknown', e.message);
  return new ChannelError('transient', e.message);
}

export const emailPress: Adapter = {
  kind: 'email_press',
  fields: [{ name: 'smtp_url', secret: true }, { name: 'from' }],
  config: Config,
  render: (p) => ({ parts: [release(p, '…/press/unsubscribe').text], warnings: [] }),
  publish: async (ctx, p) => {
    const c = Config.parse(ctx.config);
    const list = await withCommunity(ctx.db, ctx.communityId, (tx) =>
      tx.selectFrom('press_contacts').select(['id', 'email', 'unsubscribe_token']).where('unsubscribed_at', 'is', null).where('lang', '=', p.lang).orderBy('email').execute());
    const byId = new Map(list.map((r) => [r.id, r]));
    const transport = nodemailer.createTransport(c.smtp_url, { connectionTimeout: 10_000, socketTimeout: 20_000 } as never);
    try {
      const counts = await eachRecipient(ctx, list.map((r) => r.id), async (id) => {
        const r = byId.get(id)!;
        const unsubscribe = `${ctx.origin}/${p.lang}/press/unsubscribe?token=${r.unsubscribe_token}`;
        const body = release(p, unsubscribe);
        try {
          await transport.sendMail({
            from: c.from, to: r.email, subject: p.title, ...body,
            messageId: `<${ctx.deliveryId}.${id}@citydesk>`,
            list: { unsubscribe: { url: unsubscribe, comment: 'Unsubscribe' } },
            headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
            attachments: p.images.slice(0, 10).map((im, i) => ({ filename: `photo-${i + 1}${/\.(png|webp|jpe?g)$/i.exec(new URL(im.url).pathname)?.[0] ?? '.jpg'}`, path: im.url })),
          });
          return 'sent';
        } catch (e) {
          const ce = smtpError(e as Error);
          if (ce === 'refused') return 'failed';
          throw ce;
        }
      });
      return { externalId: `${counts.sent}`, externalUrl: null, result: counts };
    } finally {
      transport.close();
    }
  },
  test: async (ctx) => {
    const c = Config.parse(ctx.config);
    const transport = nodemailer.createTransport(c.smtp_url, { connectionTimeout: 10_000 } as never);
    try {
      await transport.verify();
      return new URL(c.smtp_url).host;
    } catch (e) {
      throw new ChannelError('permanent', (e as Error).message);
    } finally {
      transport.close();
    }
  },
};
