// Telegram channel through the Bot API: HTML parse mode, long texts split at 4,096
// characters, photo captions at most 1,024, galleries as albums (sendMediaGroup).
import { z } from 'zod';
import type { MessageKey } from '../../../i18n/i18n.ts';
import { escapeHtml, hashtag, LIMITS, mainText, splitText } from '../limits.ts';
import type { Adapter, AdapterCtx, Publication } from '../types.ts';
import { baseUrl, botResult, required } from './common.ts';

const Config = z.object({ token: required, chat_id: required, base_url: baseUrl('https://api.telegram.org') });
type Config = z.infer<typeof Config>;
type Op = { method: 'sendMessage' | 'sendPhoto' | 'sendMediaGroup'; body: Record<string, unknown>; kind: 'text' | 'photo' | 'album' };
type Msg = { id: number; kind: 'text' | 'photo' | 'album'; ids?: number[] };

const L = LIMITS.telegram;

/** The messages a publication becomes: one photo/album whose caption carries the text when it
 * fits, otherwise a short caption and the text in as many 4,096-character messages as needed. */
export function telegramParts(p: Publication): { parts: string[]; media: 'none' | 'photo' | 'album'; warnings: MessageKey[] } {
  const title = `<b>${escapeHtml(p.title)}</b>`;
  const tags = p.tags.length ? `\n\n${p.tags.map(hashtag).join(' ')}` : '';
  const link = `\n\n<a href="${escapeHtml(p.url)}">${escapeHtml(p.url)}</a>`;
  const body = mainText(p, 'telegram');
  const visible = (s: string) => s.replace(/<[^>]+>/g, '').replace(/&(amp|lt|gt|quot);/g, '_').length;
  const whole = `${title}\n\n${escapeHtml(body)}${tags}${link}`;
  const media = p.images.length > 1 ? 'album' : p.images.length === 1 ? 'photo' : 'none';
  const warnings: MessageKey[] = [];
  if (media !== 'none' && visible(whole) <= L.caption) return { parts: [whole], media, warnings };
  if (media === 'none' && visible(whole) <= L.text) return { parts: [whole], media, warnings };
  // Room for the title in the first message and the tags and link in the last one.
  const room = L.text - p.title.length - p.url.length * 2 - tags.length - 8;
  const chunks = splitText(body, room);
  const parts = chunks.map((c, i) => `${i === 0 && media === 'none' ? `${title}\n\n` : ''}${escapeHtml(c)}${i === chunks.length - 1 ? tags + link : ''}`);
  warnings.push('channels.warn.split');
  if (media !== 'none') {
    parts.unshift(`${title}${link}`);
    warnings.push('channels.warn.caption_short');
  }
  if (p.images.length > L.album) warnings.push('channels.warn.album_cut');
  return { parts, media, warnings };
}

function ops(p: Publication, chat: string): Op[] {
  const { parts, media } = telegramParts(p);
  const base = { chat_id: chat, parse_mode: 'HTML' };
  const texts = parts.map((text): Op => ({ method: 'sendMessage', kind: 'text', body: { ...base, text, link_preview_options: { is_disabled: media !== 'none' } } }));
  if (media === 'none') return texts;
  const [caption, ...rest] = texts.map((o) => String(o.body.text));
  const first: Op = media === 'photo'
    ? { method: 'sendPhoto', kind: 'photo', body: { ...base, photo: p.images[0].url, caption } }
    : { method: 'sendMediaGroup', kind: 'album', body: { chat_id: chat, media: p.images.slice(0, L.album).map((im, i) => ({ type: 'photo', media: im.url, ...(i === 0 ? { caption, parse_mode: 'HTML' } : {}) })) } };
  return [first, ...rest.map((text): Op => ({ method: 'sendMessage', kind: 'text', body: { ...base, text, link_preview_options: { is_disabled: true } } }))];
}

const call = async <T>(ctx: AdapterCtx, c: Config, method: string, body: Record<string, unknown>, visible: boolean) =>
  botResult<T>(await ctx.http({ url: `${c.base_url}/bot${c.token}/${method}`, json: body, visible }));

export function messageLink(chat: string, id: number): string | null {
  if (chat.startsWith('@')) return `https://t.me/${chat.slice(1)}/${id}`;
  if (chat.startsWith('-100')) return `https://t.me/c/${chat.slice(4)}/${id}`;
  return null;
}

export const telegram: Adapter = {
  kind: 'telegram',
  fields: [{ name: 'token', secret: true }, { name: 'chat_id' }, { name: 'base_url', optional: true }],
  config: Config,
  render: (p) => {
    const r = telegramParts(p);
    return { parts: r.parts, warnings: r.warnings };
  },
  publish: async (ctx, p, step) => {
    const c = Config.parse(ctx.config);
    const sent = [...((step.progress.messages as Msg[] | undefined) ?? [])];
    const all = ops(p, c.chat_id);
    for (const op of all.slice(sent.length)) {
      const r = await call<{ message_id: number } | { message_id: number }[]>(ctx, c, op.method, op.body, true);
      const ids = Array.isArray(r) ? r.map((m) => m.message_id) : [r.message_id];
      sent.push({ id: ids[0], kind: op.kind, ...(ids.length > 1 ? { ids } : {}) });
      await step.save({ messages: sent });
    }
    return { externalId: String(sent[0].id), externalUrl: messageLink(c.chat_id, sent[0].id), result: { messages: sent, chat_id: c.chat_id } };
  },
  update: async (ctx, p, prev) => {
    const c = Config.parse(ctx.config);
    const old = (prev.result.messages as Msg[]) ?? [];
    const next = ops(p, c.chat_id);
    const kept: Msg[] = [];
    for (let i = 0; i < Math.min(old.length, next.length); i++) {
      const m = old[i];
      const text = next[i].kind === 'album' ? (next[i].body.media as { caption?: string }[])[0].caption : (next[i].body.text ?? next[i].body.caption);
      const method = m.kind === 'text' ? 'editMessageText' : 'editMessageCaption';
      const field = m.kind === 'text' ? 'text' : 'caption';
      try {
        await call(ctx, c, method, { chat_id: c.chat_id, message_id: m.id, [field]: text, parse_mode: 'HTML' }, false);
      } catch (e) {
        // Telegram refuses an edit that changes nothing; the message already says it.
        if (!String((e as Error).message).includes('message is not modified')) throw e;
      }
      kept.push(m);
    }
    for (const id of old.slice(next.length).flatMap((m) => m.ids ?? [m.id])) await call(ctx, c, 'deleteMessage', { chat_id: c.chat_id, message_id: id }, false).catch(() => {});
    for (const op of next.slice(old.length)) {
      const r = await call<{ message_id: number }>(ctx, c, op.method, op.body, true);
      kept.push({ id: r.message_id, kind: op.kind });
    }
    return { externalId: String(kept[0].id), externalUrl: messageLink(c.chat_id, kept[0].id), result: { messages: kept, chat_id: c.chat_id } };
  },
  remove: async (ctx, prev) => {
    const c = Config.parse(ctx.config);
    const ids = ((prev.result.messages as Msg[]) ?? []).flatMap((m) => m.ids ?? [m.id]);
    for (const id of ids) {
      try {
        await call(ctx, c, 'deleteMessage', { chat_id: c.chat_id, message_id: id }, false);
      } catch (e) {
        if (!String((e as Error).message).includes('not found')) throw e;
      }
    }
  },
  test: async (ctx) => {
    const c = Config.parse(ctx.config);
    const me = await call<{ username?: string; first_name?: string }>(ctx, c, 'getMe', {}, false);
    return me.username ? `@${me.username}` : (me.first_name ?? 'bot');
  },
};

