// A fake web-push service: accepts the encrypted POST a browser's push service accepts
// (aes128gcm body, VAPID Authorization, TTL header) and answers 201, or 410 for a
// subscription the browser dropped.
import { createDecipheriv, createECDH, createHmac, randomBytes } from 'node:crypto';
import { fakeServer, type Fault, type Req } from './base.ts';

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** A browser's side of a push subscription: its key pair and auth secret, and the decryption
 * of what the push service hands it (RFC 8291, aes128gcm, one record). */
export function fakeBrowser(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  const uaPublic = ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    subscription: { endpoint, keys: { p256dh: uaPublic.toString('base64url'), auth: auth.toString('base64url') } },
    read(raw: Buffer): Record<string, unknown> {
      const salt = raw.subarray(0, 16);
      const idLen = raw[20];
      const asPublic = raw.subarray(21, 21 + idLen);
      const record = raw.subarray(21 + idLen);
      const prkKey = hmac(auth, ecdh.computeSecret(asPublic));
      const ikm = hmac(prkKey, Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]));
      const prk = hmac(salt, ikm);
      const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'latin1')).subarray(0, 16);
      const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'latin1')).subarray(0, 12);
      const d = createDecipheriv('aes-128-gcm', cek, nonce);
      d.setAuthTag(record.subarray(record.length - 16));
      const plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
      // The last record ends with the delimiter 2 and any padding zeros.
      return JSON.parse(plain.subarray(0, plain.lastIndexOf(2)).toString('utf8')) as Record<string, unknown>;
    },
  };
}

export async function fakePush() {
  const accepted: { path: string; bytes: number; ttl: string; urgency?: string; raw: Buffer }[] = [];
  const gone = new Set<string>();
  const handle = (r: Req) => {
    if (r.method !== 'POST') return { status: 405 };
    if (gone.has(r.path)) return { status: 410 };
    if (r.headers['content-encoding'] !== 'aes128gcm') return { status: 400 };
    if (!/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/.test(String(r.headers.authorization ?? ''))) return { status: 401 };
    if (!r.headers.ttl) return { status: 400 };
    accepted.push({ path: r.path, bytes: r.raw.length, ttl: String(r.headers.ttl), urgency: r.headers.urgency as string | undefined, raw: r.raw });
    return { status: 201, headers: { location: `${r.path}/msg/${accepted.length}` } };
  };
  const fault = (f: Fault) => ({ status: f.kind === '429' ? 429 : f.kind === 'down' ? 503 : 500, headers: f.kind === '429' ? { 'retry-after': String(f.retryAfter) } : undefined });
  const s = await fakeServer('push', handle, fault);
  return { ...s, accepted, drop: (path: string) => gone.add(path) };
}
