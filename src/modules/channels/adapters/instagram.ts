// Instagram business account through the Graph API: a media container, then media_publish.
// An image is required; captions at most 2,200 characters and 30 hashtags. The API cannot
// edit a caption or delete a post, so updates and deletions are left to the editor.
import { z } from 'zod';
import type { MessageKey } from '../../../i18n/i18n.ts';
import { cut, hashtag, LIMITS, limitHashtags, mainText } from '../limits.ts';
import { ChannelError, type Adapter, type AdapterCtx, type Publication } from '../types.ts';
import { baseUrl, required } from './common.ts';
import { graph } from './graph.ts';

const Config = z.object({ ig_user_id: required, access_token: required, base_url: baseUrl('https://graph.facebook.com/v21.0') });
type Config = z.infer<typeof Config>;
const L = LIMITS.instagram;

export function instagramCaption(p: Publication): { text: string; warnings: MessageKey[] } {
  const warnings: MessageKey[] = [];
  if (!p.images.length) warnings.push('channels.warn.image_required');
  const tags = limitHashtags(p.tags.length ? `\n\n${p.tags.map(hashtag).join(' ')}` : '', L.hashtags);
  const body = limitHashtags(`${p.title}\n\n${mainText(p, 'instagram')}`, Math.max(0, L.hashtags - Math.min(p.tags.length, L.hashtags)));
  if (body.cut || tags.cut) warnings.push('channels.warn.hashtags_cut');
  const room = L.caption - tags.text.length;
  if (body.text.length > room) warnings.push('channels.warn.text_cut');
  return { text: cut(body.text, room) + tags.text, warnings };
}

const g = <T>(ctx: AdapterCtx, c: Config, method: 'GET' | 'POST', path: string, params: Record<string, string>, visible: boolean) =>
  graph<T>(ctx, c.base_url, c.access_token, method, path, params, visible);

async function permalink(ctx: AdapterCtx, c: Config, id: string): Promise<string | null> {
  return g<{ permalink?: string }>(ctx, c, 'GET', id, { fields: 'permalink' }, false).then((r) => r.permalink ?? null, () => null);
}

export const instagram: Adapter = {
  kind: 'instagram',
  fields: [{ name: 'ig_user_id' }, { name: 'access_token', secret: true }, { name: 'base_url', optional: true }],
  config: Config,
  render: (p) => {
    const r = instagramCaption(p);
    return { parts: [r.text], warnings: p.images.length > L.album ? [...r.warnings, 'channels.warn.album_cut'] : r.warnings };
  },
  publish: async (ctx, p, step) => {
    const c = Config.parse(ctx.config);
    if (!p.images.length) throw new ChannelError('permanent', 'Instagram needs an image: this material has none');
    const caption = instagramCaption(p).text;
    // Containers are invisible until published, so creating one again after a failure is safe.
    let container = step.progress.container as string | undefined;
    if (!container) {
      if (p.images.length === 1) {
        container = (await g<{ id: string }>(ctx, c, 'POST', `${c.ig_user_id}/media`, { image_url: p.images[0].url, caption }, false)).id;
      } else {
        const children: string[] = [];
        for (const im of p.images.slice(0, L.album)) children.push((await g<{ id: string }>(ctx, c, 'POST', `${c.ig_user_id}/media`, { image_url: im.url, is_carousel_item: 'true' }, false)).id);
        container = (await g<{ id: string }>(ctx, c, 'POST', `${c.ig_user_id}/media`, { media_type: 'CAROUSEL', children: children.join(','), caption }, false)).id;
      }
      await step.save({ container });
    }
    const media = (await g<{ id: string }>(ctx, c, 'POST', `${c.ig_user_id}/media_publish`, { creation_id: container }, true)).id;
    await step.save({ container, media });
    return { externalId: media, externalUrl: await permalink(ctx, c, media), result: { media_id: media } };
  },
  test: async (ctx) => {
    const c = Config.parse(ctx.config);
    return (await g<{ username?: string; id: string }>(ctx, c, 'GET', c.ig_user_id, { fields: 'id,username' }, false)).username ?? c.ig_user_id;
  },
  lookup: async (ctx, p) => {
    const c = Config.parse(ctx.config);
    const caption = instagramCaption(p).text;
    const r = await g<{ data: { id: string; caption?: string; permalink?: string }[] }>(ctx, c, 'GET', `${c.ig_user_id}/media`, { fields: 'id,caption,permalink', limit: '50' }, false);
    const hit = r.data.find((m) => m.caption === caption);
    return hit ? { externalId: hit.id, externalUrl: hit.permalink ?? null, result: { media_id: hit.id, found_by_lookup: true } } : null;
  },
};
