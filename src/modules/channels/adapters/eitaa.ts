// Eitaa channel through the eitaayar.ir API.
//
// Checked (November 2026) against what could be found, none of it eitaayar's live site:
// a text copy of eitaayar's own API introduction (every call is
// "https://eitaayar.ir/api/TOKEN/METHOD_NAME"), and several independent public client
// libraries (Python, TypeScript, JavaScript) that agree on:
// - three methods: getMe, sendMessage, sendFile; POST, form or JSON body;
// - sendMessage fields: chat_id (numeric id or the channel's username), text, title (a label
//   shown only in the eitaayar panel, not in the message), optional disable_notification,
//   reply_to_message_id, date (unix time: scheduled sending), pin, viewCountForDelete;
//   sendFile is multipart with chat_id, file, caption (and the same options);
// - success: `{ ok: true, result: { message_id, from, chat: { id, type, username }, date,
//   text } }`; getMe's result `{ id, is_bot, first_name, username }`;
// - no method to edit or delete a message: edits and deletions are left to the editor.
// Not verified (no primary source): the failure answer. Most clients read
// `{ ok: false, description }`, one `{ ok: false, error, error_code }`, and the HTTP status of
// a failure is unknown (it may be 200); both shapes are understood below. Rate limits and a
// `retry_after` are not documented (LIMITS.eitaa assumes Telegram's). Photos are linked, not
// uploaded (sendFile is not used).
import { z } from 'zod';
import type { MessageKey } from '../../../i18n/i18n.ts';
import { hashtag, LIMITS, mainText, splitText } from '../limits.ts';
import type { HttpResponse } from '../http.ts';
import { ChannelError, type Adapter, type AdapterCtx, type Publication } from '../types.ts';
import { baseUrl, required } from './common.ts';

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

type Answer<T> = { ok?: boolean; result?: T; description?: string; error?: string; error_code?: number; parameters?: { retry_after?: number } };

/** `{ ok: true, result }`, or a ChannelError from either failure shape seen in the wild. */
export function eitaaResult<T>(r: HttpResponse): T {
  const j = (r.json && typeof r.json === 'object' ? r.json : null) as Answer<T> | null;
  if (j?.ok === true && j.result !== undefined) return j.result;
  const code = j?.error_code ?? r.status;
  const text = `${code}: ${j?.description ?? j?.error ?? (r.text.slice(0, 200) || 'no description')}`;
  if (code === 429 || r.status === 429) throw new ChannelError('rate_limited', text, j?.parameters?.retry_after ?? 60);
  if (code >= 500 || r.status >= 500 || r.status === 0) throw new ChannelError('transient', text);
  throw new ChannelError('permanent', text);
}

type SentMessage = { message_id: number; chat?: { id?: number; username?: string } };

const call = async <T>(ctx: AdapterCtx, c: Config, method: string, form: Record<string, string>, visible: boolean) =>
  eitaaResult<T>(await ctx.http({ url: `${c.base_url}/api/${c.token}/${method}`, form, visible }));

/** The public link of a post: only channels with a username have one. */
function linkOf(c: Config, chat: SentMessage['chat'], id: number): string | null {
  const name = chat?.username || c.chat_id.replace(/^@/, '');
  return /^[A-Za-z][\w]{3,}$/.test(name) ? `https://eitaa.com/${name}/${id}` : null;
}

export const eitaa: Adapter = {
  kind: 'eitaa',
  fields: [{ name: 'token', secret: true }, { name: 'chat_id' }, { name: 'base_url', optional: true }],
  config: Config,
  render: (p) => eitaaParts(p),
  publish: async (ctx, p, step) => {
    const c = Config.parse(ctx.config);
    const ids = [...((step.progress.messages as number[] | undefined) ?? [])];
    let chat = step.progress.chat as SentMessage['chat'] | undefined;
    const { parts } = eitaaParts(p);
    for (const [i, text] of parts.entries()) {
      if (i < ids.length) continue;
      // `title` only labels the post in the eitaayar panel; the headline is in the text.
      const r = await call<SentMessage>(ctx, c, 'sendMessage', { chat_id: c.chat_id, text, title: p.title.slice(0, 200) }, true);
      if (typeof r?.message_id !== 'number') throw new ChannelError('unknown', 'eitaayar answered ok without a message_id');
      ids.push(r.message_id);
      chat ??= r.chat;
      await step.save({ messages: ids, ...(chat ? { chat } : {}) });
    }
    return { externalId: String(ids[0]), externalUrl: linkOf(c, chat, ids[0]), result: { messages: ids, ...(chat ? { chat } : {}) } };
  },
  test: async (ctx) => {
    const c = Config.parse(ctx.config);
    const me = await call<{ username?: string; first_name?: string }>(ctx, c, 'getMe', {}, false);
    return me.username ?? me.first_name ?? 'eitaa';
  },
};
