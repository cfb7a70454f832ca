// Facebook page through the Graph API: a feed post with a link, or photos with a message.
import { z } from 'zod';
import type { MessageKey } from '../../../i18n/i18n.ts';
import { cut, hashtag, LIMITS, mainText } from '../limits.ts';
import type { Adapter, AdapterCtx, Publication, Sent } from '../types.ts';
import { baseUrl, required } from './common.ts';
import { graph } from './graph.ts';

const Config = z.object({ page_id: required, access_token: required, base_url: baseUrl('https://graph.facebook.com/v21.0') });
type Config = z.infer<typeof Config>;

export function facebookMessage(p: Publication): { text: string; warnings: MessageKey[] } {
  const tags = p.tags.length ? `\n\n${p.tags.map(hashtag).join(' ')}` : '';
  const tail = `\n\n${p.url}${tags}`;
  const full = `${p.title}\n\n${mainText(p, 'facebook')}`;
  const room = LIMITS.facebook.text - tail.length;
  return { text: cut(full, room) + tail, warnings: full.length > room ? ['channels.warn.text_cut'] : [] };
}

const postUrl = (id: string) => `https://www.facebook.com/${id}`;
const g = <T>(ctx: AdapterCtx, c: Config, method: 'GET' | 'POST' | 'DELETE', path: string, params: Record<string, string>, visible: boolean) =>
  graph<T>(ctx, c.base_url, c.access_token, method, path, params, visible);

export const facebook: Adapter = {
  kind: 'facebook',
  fields: [{ name: 'page_id' }, { name: 'access_token', secret: true }, { name: 'base_url', optional: true }],
  config: Config,
  render: (p) => {
    const m = facebookMessage(p);
    return { parts: [m.text], warnings: p.images.length > LIMITS.facebook.album ? [...m.warnings, 'channels.warn.album_cut'] : m.warnings };
  },
  publish: async (ctx, p, step) => {
    const c = Config.parse(ctx.config);
    const message = facebookMessage(p).text;
    const sent = (id: string): Sent => ({ externalId: id, externalUrl: postUrl(id), result: { post_id: id } });
    if (p.images.length === 0) return sent((await g<{ id: string }>(ctx, c, 'POST', `${c.page_id}/feed`, { message, link: p.url }, true)).id);
    if (p.images.length === 1) {
      const r = await g<{ id: string; post_id?: string }>(ctx, c, 'POST', `${c.page_id}/photos`, { url: p.images[0].url, message }, true);
      return sent(r.post_id ?? r.id);
    }
    // A gallery: photos uploaded unpublished (invisible, safe to repeat), then one post.
    const ids = [...((step.progress.photos as string[] | undefined) ?? [])];
    for (const im of p.images.slice(ids.length, LIMITS.facebook.album)) {
      ids.push((await g<{ id: string }>(ctx, c, 'POST', `${c.page_id}/photos`, { url: im.url, published: 'false' }, false)).id);
      await step.save({ photos: ids });
    }
    const attached = Object.fromEntries(ids.map((id, i) => [`attached_media[${i}]`, JSON.stringify({ media_fbid: id })]));
    return sent((await g<{ id: string }>(ctx, c, 'POST', `${c.page_id}/feed`, { message, ...attached }, true)).id);
  },
  update: async (ctx, p, prev) => {
    const c = Config.parse(ctx.config);
    await g(ctx, c, 'POST', prev.externalId, { message: facebookMessage(p).text }, false);
    return prev;
  },
  remove: async (ctx, prev) => {
    const c = Config.parse(ctx.config);
    await g(ctx, c, 'DELETE', prev.externalId, {}, false);
  },
  test: async (ctx) => {
    const c = Config.parse(ctx.config);
    return (await g<{ name?: string; id: string }>(ctx, c, 'GET', c.page_id, { fields: 'id,name' }, false)).name ?? c.page_id;
  },
  // After a crash: the page's recent posts, matched by the publication's link in the message.
  lookup: async (ctx, p) => {
    const c = Config.parse(ctx.config);
    const r = await g<{ data: { id: string; message?: string }[] }>(ctx, c, 'GET', `${c.page_id}/feed`, { fields: 'id,message', limit: '50' }, false);
    const hit = r.data.find((post) => post.message?.includes(p.url));
    return hit ? { externalId: hit.id, externalUrl: postUrl(hit.id), result: { post_id: hit.id, found_by_lookup: true } } : null;
  },
};
