// A fake web-push service: accepts the encrypted POST a browser's push service accepts
// (aes128gcm body, VAPID Authorization, TTL header) and answers 201, or 410 for a
// subscription the browser dropped.
import { fakeServer, type Fault, type Req } from './base.ts';

export async function fakePush() {
  const accepted: { path: string; bytes: number; ttl: string; urgency?: string }[] = [];
  const gone = new Set<string>();
  const handle = (r: Req) => {
    if (r.method !== 'POST') return { status: 405 };
    if (gone.has(r.path)) return { status: 410 };
    if (r.headers['content-encoding'] !== 'aes128gcm') return { status: 400 };
    if (!/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/.test(String(r.headers.authorization ?? ''))) return { status: 401 };
    if (!r.headers.ttl) return { status: 400 };
    accepted.push({ path: r.path, bytes: r.raw.length, ttl: String(r.headers.ttl), urgency: r.headers.urgency as string | undefined });
    return { status: 201, headers: { location: `${r.path}/msg/${accepted.length}` } };
  };
  const fault = (f: Fault) => ({ status: f.kind === '429' ? 429 : f.kind === 'down' ? 503 : 500, headers: f.kind === '429' ? { 'retry-after': String(f.retryAfter) } : undefined });
  const s = await fakeServer('push', handle, fault);
  return { ...s, accepted, drop: (path: string) => gone.add(path) };
}
