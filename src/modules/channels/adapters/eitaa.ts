// Eitaa channel through the eitaayar.ir bot API: POST {base}/api/{token}/sendMessage with
// chat_id, text, title. Its answers follow Telegram's `{ ok, result }` shape as far as the
// public wrappers show; edit and delete are not documented, so they are left to the editor.
import { z } from 'zod';
import type { MessageKey } from '../../../i18n/i18n.ts';
import { hashtag, LIMITS, mainText, splitText } from '../limits.ts';
import type { Adapter, AdapterCtx, Publication } from '../types.ts';
import { baseUrl, botResult, required } from './common.ts';

const Config = z.object({ token: required, chat_id: required, base_url: baseUrl('https://eitaayar.ir') });
type Config = z.infer<typeof Config>;

export function eitaaParts(p: Publication): { parts: string[]; warnings: MessageKey[] } {
  const tail = `\n\n${p.tags.length ? `${p.tags.map(hashtag).join(' ')}\n` : ''}${p.url}`;
  const parts = splitText(`${p.title}\n\n${mainText(p, 'eitaa')}`, LIMITS.eitaa.text - tail.length);
  parts[parts.length - 1] += tail;
  const warnings: MessageKey[] = parts.length > 1 ? ['channels.warn.split'] : [];
  if (p.images.length) warnings.push('channels.warn.eitaa_photos_linked');
  return { parts, warnings };
}

const call = async <T>(ctx: AdapterCtx, c: Config, method: string, form: Record<string, string>, visible: boolean) =>
  botResult<T>(await ctx.http({ url: `${c.base_url}/api/${c.token}/${method}`, form, visible }));

export const eitaa: Adapter = {
  kind: 'eitaa',
  fields: [{ name: 'token', secret: true }, { name: 'chat_id' }, { name: 'base_url', optional: true }],
  config: Config,
  render: (p) => eitaaParts(p),
  publish: async (ctx, p, step) => {
    const c = Config.parse(ctx.config);
    const ids = [...((step.progress.messages as number[] | undefined) ?? [])];
    const { parts } = eitaaParts(p);
    for (const [i, text] of parts.entries()) {
      if (i < ids.length) continue;
      const r = await call<{ message_id: number }>(ctx, c, 'sendMessage', { chat_id: c.chat_id, text, ...(i === 0 ? { title: p.title } : {}) }, true);
      ids.push(r.message_id);
      await step.save({ messages: ids });
    }
    const link = /^[A-Za-z][\w]{3,}$/.test(c.chat_id) ? `https://eitaa.com/${c.chat_id}/${ids[0]}` : null;
    return { externalId: String(ids[0]), externalUrl: link, result: { messages: ids } };
  },
  test: async (ctx) => {
    const c = Config.parse(ctx.config);
    const me = await call<{ username?: string; first_name?: string }>(ctx, c, 'getMe', {}, false);
    return me.username ?? me.first_name ?? 'eitaa';
  },
};
