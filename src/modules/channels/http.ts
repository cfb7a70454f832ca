import http from 'node:http';
import https from 'node:https';
import { ChannelError } from './types.ts';

export type HttpResponse = { status: number; headers: http.IncomingHttpHeaders; text: string; json: unknown };
export type HttpRequest = {
  method?: string;
  url: string;
  json?: unknown;
  form?: Record<string, string>;
  body?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Does a successful request create something people see? If so, a request that left
   * without an answer has an unknown outcome and must not be repeated blindly. */
  visible: boolean;
};
export type HttpClient = (r: HttpRequest) => Promise<HttpResponse>;

/** A small client on node:http that knows whether a request reached the server: a refused
 * connection is safe to retry; a timeout or reset after connecting is "unknown". */
export function httpClient(timeoutMs: number): HttpClient {
  return (r) =>
    new Promise((resolve, reject) => {
      const u = new URL(r.url);
      let body: Buffer | undefined = r.body;
      let type = r.contentType;
      if (r.json !== undefined) {
        body = Buffer.from(JSON.stringify(r.json));
        type = 'application/json';
      } else if (r.form) {
        body = Buffer.from(new URLSearchParams(r.form).toString());
        type = 'application/x-www-form-urlencoded';
      }
      const headers: Record<string, string> = { ...r.headers, 'user-agent': 'CityDesk' };
      if (body) Object.assign(headers, { 'content-type': type ?? 'application/octet-stream', 'content-length': String(body.length) });
      const mod = u.protocol === 'https:' ? https : http;
      let connected = false;
      let settled = false;
      const fail = (kind: 'transient' | 'unknown', message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(new ChannelError(kind, message));
      };
      const req = mod.request(u, { method: r.method ?? (body ? 'POST' : 'GET'), headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => fail(r.visible ? 'unknown' : 'transient', 'connection lost while reading the answer'));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('socket', (s) => {
        if (!s.connecting) connected = true;
        else s.once('connect', () => (connected = true));
      });
      const timer = setTimeout(
        () => fail(connected && r.visible ? 'unknown' : 'transient', connected ? `no answer within ${Math.round(timeoutMs / 1000)} s` : 'could not connect in time'),
        timeoutMs,
      );
      timer.unref(); // the socket keeps the process alive while a request is in flight
      req.on('error', (e: Error & { code?: string }) => {
        clearTimeout(timer);
        fail(connected && r.visible ? 'unknown' : 'transient', `${e.code ?? 'error'}: ${e.message}`);
      });
      req.end(body);
    });
}

/** Seconds from a Retry-After header (seconds or an HTTP date). */
export function retryAfterHeader(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s)) return Number(s);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
