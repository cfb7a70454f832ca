// A small in-process cache of rendered public news pages, so that a crisis surge of readers
// costs a map lookup rather than a database round trip and a render. Entries live a short
// while (TTL) and are keyed by community, origin and URL; concurrent misses of one key share
// one render. Pages a resident's cookie changes (the header shows "my account") bypass it.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayBeResident } from '../../http/auth.ts';
import type {} from './alerts.ts';

type Rendered = { body: string; type: string };
// The body is kept encoded: a hit sends bytes without converting the text again.
type Entry = Rendered & { bytes: Buffer; etag: string; expires: number; br?: Buffer; gz?: Buffer };

/** The body in the best encoding the reader takes, compressed once per entry: a list page of
 * 30 kB becomes about 5 kB on an old phone's slow connection, at no cost per request. */
function encoded(e: Entry, accept: string | undefined): [Buffer, string | null] {
  if (!accept || e.bytes.length < 1400) return [e.bytes, null];
  if (/\bbr\b/.test(accept)) return [(e.br ??= brotliCompressSync(e.bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })), 'br'];
  if (/\bgzip\b/.test(accept)) return [(e.gz ??= gzipSync(e.bytes)), 'gzip'];
  return [e.bytes, null];
}

const MAX_ENTRIES = 1000;
const TTL_MS = 30_000;
const entries = new Map<string, Entry>();
const pending = new Map<string, Promise<Entry>>();

/** Forgets a community's pages (all when no id): call after publishing or withdrawing. */
export function forgetNewsPages(communityId?: string): void {
  if (!communityId) return entries.clear();
  for (const k of entries.keys()) if (k.startsWith(`${communityId}|`)) entries.delete(k);
}

function remember(key: string, e: Entry) {
  entries.delete(key);
  entries.set(key, e);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}

async function lookup(key: string, render: () => Promise<Rendered>): Promise<Entry> {
  const hit = entries.get(key);
  if (hit && hit.expires > Date.now()) return hit;
  const inflight = pending.get(key);
  if (inflight) return inflight;
  const p = render()
    .then((r) => {
      const e = { ...r, bytes: Buffer.from(r.body), etag: `W/"${createHash('sha1').update(r.body).digest('base64url').slice(0, 20)}"`, expires: Date.now() + TTL_MS };
      remember(key, e);
      return e;
    })
    .finally(() => pending.delete(key));
  pending.set(key, p);
  return p;
}

/**
 * Sends a public page or feed from the cache, rendering it on a miss. `personal` pages (HTML
 * with the portal header) are rendered afresh and kept private for a reader who may be signed in.
 */
export async function sendCached(req: FastifyRequest, reply: FastifyReply, opts: { personal: boolean }, render: () => Promise<Rendered>) {
  if (opts.personal && mayBeResident(req)) {
    const r = await render();
    return reply.header('cache-control', 'private, no-cache').header('vary', 'Cookie').type(r.type).send(r.body);
  }
  // The emergency banner is part of every page: a new or changed alert makes new keys at once.
  const alerts = (req.activeAlerts ?? []).map((x) => `${x.id}@${x.v}`).join(',');
  const key = `${req.community.id}|${req.protocol}://${req.host}|${req.url}|${alerts}`;
  const e = await lookup(key, render);
  reply.header('cache-control', 'public, max-age=60').header('etag', e.etag).header('vary', opts.personal ? 'Cookie, Accept-Encoding' : 'Accept-Encoding');
  if (req.headers['if-none-match'] === e.etag) return reply.code(304).send();
  const [body, encoding] = encoded(e, req.headers['accept-encoding']);
  if (encoding) reply.header('content-encoding', encoding);
  return reply.type(e.type).send(body);
}

/** A cached piece of a page (the home page's news section): rendered at most once per TTL. */
export async function cachedFragment(key: string, render: () => Promise<string>): Promise<string> {
  return (await lookup(key, async () => ({ body: await render(), type: '' }))).body;
}
