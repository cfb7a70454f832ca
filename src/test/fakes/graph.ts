// A fake Graph API (Facebook pages and Instagram business accounts) under /v21.0: page feed
// and photos, post edit/delete, Instagram media containers and media_publish, read-backs,
// with Graph's error objects (code 190 bad token, 100 bad parameter, 32 page rate limit).
import { randomBytes } from 'node:crypto';
import { fakeServer, type Fault, type Req } from './base.ts';

export type FbPost = { id: string; message?: string; link?: string; photos: string[]; deleted?: boolean };
export type IgMedia = { id: string; caption?: string; image_url?: string; children?: string[]; permalink: string };

export async function fakeGraph(opts: { pageId: string; igUserId: string; token: string }) {
  const posts: FbPost[] = [];
  const photos = new Map<string, { url: string; published: boolean }>();
  const containers = new Map<string, { caption?: string; image_url?: string; children?: string[]; carousel_item: boolean }>();
  const media: IgMedia[] = [];
  const id = () => String(BigInt(`0x${randomBytes(6).toString('hex')}`));
  const err = (code: number, message: string, status = 400, type = 'OAuthException') => ({ status, json: { error: { message, type, code, fbtrace_id: 'Afake' } } });
  const ok = (json: unknown) => ({ status: 200, json });

  const handle = (r: Req) => {
    const params = { ...Object.fromEntries(r.query), ...(r.body as Record<string, string>) };
    if (params.access_token !== opts.token) return err(190, 'Invalid OAuth access token - Cannot parse access token');
    const parts = r.path.replace(/^\/v\d+\.\d+\//, '').split('/');
    const [node, edge] = parts;
    const page = node === opts.pageId;
    const ig = node === opts.igUserId;
    if (r.method === 'GET' && page && !edge) return ok({ id: opts.pageId, name: 'Zelenodolsk City Council' });
    if (r.method === 'GET' && ig && !edge) return ok({ id: opts.igUserId, username: 'zelenodolsk.city' });
    if (page && edge === 'feed' && r.method === 'GET') return ok({ data: posts.filter((p) => !p.deleted).slice().reverse().slice(0, Number(params.limit ?? 25)).map((p) => ({ id: p.id, message: p.message })) });
    if (page && edge === 'feed' && r.method === 'POST') {
      if (!params.message && !params.link) return err(100, '(#100) Missing message or attachment', 400, 'GraphMethodException');
      const attached = Object.entries(params).filter(([k]) => k.startsWith('attached_media[')).map(([, v]) => (JSON.parse(v) as { media_fbid: string }).media_fbid);
      for (const a of attached) if (!photos.has(a)) return err(100, `(#100) Invalid media_fbid ${a}`);
      const post = { id: `${opts.pageId}_${id()}`, message: params.message, link: params.link, photos: attached };
      posts.push(post);
      return ok({ id: post.id });
    }
    if (page && edge === 'photos' && r.method === 'POST') {
      if (!params.url) return err(324, '(#324) Requires upload file');
      const photoId = id();
      const published = params.published !== 'false';
      photos.set(photoId, { url: params.url, published });
      if (!published) return ok({ id: photoId });
      const post = { id: `${opts.pageId}_${id()}`, message: params.message, photos: [photoId] };
      posts.push(post);
      return ok({ id: photoId, post_id: post.id });
    }
    if (ig && edge === 'media' && r.method === 'POST') {
      const caption = params.caption;
      if (caption && caption.length > 2200) return err(100, '(#100) The caption is too long', 400, 'IGApiException');
      if (caption && (caption.match(/#[\p{L}\p{N}_]+/gu) ?? []).length > 30) return err(100, '(#100) Too many hashtags', 400, 'IGApiException');
      if (params.media_type === 'CAROUSEL') {
        const children = String(params.children ?? '').split(',').filter(Boolean);
        if (children.length < 2 || children.length > 10 || children.some((c) => !containers.get(c)?.carousel_item)) return err(100, '(#100) Invalid children');
        const cid = id();
        containers.set(cid, { caption, children, carousel_item: false });
        return ok({ id: cid });
      }
      if (!params.image_url) return err(100, '(#100) The parameter image_url is required', 400, 'IGApiException');
      const cid = id();
      containers.set(cid, { caption, image_url: params.image_url, carousel_item: params.is_carousel_item === 'true' });
      return ok({ id: cid });
    }
    if (ig && edge === 'media_publish' && r.method === 'POST') {
      const c = containers.get(String(params.creation_id));
      if (!c || c.carousel_item) return err(9007, 'Media ID is not available', 400, 'IGApiException');
      containers.delete(String(params.creation_id));
      const mid = id();
      media.push({ id: mid, caption: c.caption, image_url: c.image_url, children: c.children, permalink: `https://www.instagram.com/p/${mid}/` });
      return ok({ id: mid });
    }
    if (ig && edge === 'media' && r.method === 'GET') return ok({ data: media.slice().reverse().map((m) => ({ id: m.id, caption: m.caption, permalink: m.permalink })) });
    const m = media.find((x) => x.id === node);
    if (m && r.method === 'GET') return ok({ id: m.id, permalink: m.permalink });
    const post = posts.find((p) => p.id === node && !p.deleted);
    if (post && r.method === 'POST') {
      post.message = params.message;
      return ok({ success: true });
    }
    if (post && r.method === 'DELETE') {
      post.deleted = true;
      return ok({ success: true });
    }
    return err(100, `(#100) Unsupported ${r.method} request. Object with ID '${node}' does not exist`, 400, 'GraphMethodException');
  };
  const fault = (f: Fault) =>
    f.kind === '429'
      ? { status: 400, json: { error: { message: '(#32) Page request limit reached', type: 'OAuthException', code: 32, fbtrace_id: 'Afake' } }, headers: { 'retry-after': String(f.retryAfter) } }
      : f.kind === 'down'
        ? { status: 503, json: undefined }
        : { status: 500, json: { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', is_transient: true, code: 2, fbtrace_id: 'Afake' } } };
  const s = await fakeServer('graph', handle, fault);
  return { ...s, posts, media, photos, livePosts: () => posts.filter((p) => !p.deleted) };
}
