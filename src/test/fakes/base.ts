// The shared part of the fake channel servers: a node:http server on 127.0.0.1 that parses
// JSON and form bodies, logs every request, and plays planned faults in order.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Req = { method: string; path: string; query: URLSearchParams; body: Record<string, unknown>; headers: http.IncomingHttpHeaders; raw: Buffer; at: number };
export type Answer = { status: number; json?: unknown; headers?: Record<string, string> } | 'hold';
/** A planned fault: answer 500, rate-limit with retry_after seconds, or do the work and never
 * answer (the request left, the answer is lost), or answer 503 as a channel that is down. */
export type Fault = { kind: '500' } | { kind: '429'; retryAfter: number } | { kind: 'timeout' } | { kind: 'down' };

export async function fakeServer(name: string, handle: (r: Req, fault: Fault | null) => Answer, faultFor: (f: Fault) => Answer) {
  const log: Req[] = [];
  const plan: { match: (r: Req) => boolean; fault: Fault }[] = [];
  let down = false;
  let delayMs = 0;
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const u = new URL(req.url ?? '/', 'http://fake');
      const type = String(req.headers['content-type'] ?? '');
      let body: Record<string, unknown> = {};
      if (type.includes('json')) body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      else if (type.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
      const r: Req = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, body, headers: req.headers, raw, at: Date.now() };
      log.push(r);
      const i = plan.findIndex((p) => p.match(r));
      const fault = down ? ({ kind: 'down' } as Fault) : i >= 0 ? plan.splice(i, 1)[0].fault : null;
      // A timeout does the work (the post exists) and then never answers.
      const a = fault && fault.kind !== 'timeout' ? faultFor(fault) : handle(r, fault);
      if (a === 'hold' || fault?.kind === 'timeout') {
        held.add(res);
        return;
      }
      const answer = () => {
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.json === undefined ? '' : JSON.stringify(a.json));
      };
      // A slow channel: the work is done at once, the answer comes later.
      if (delayMs) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    /** The next request that matches gets this fault instead of its answer. */
    fail: (fault: Fault, match: (r: Req) => boolean = () => true) => void plan.push({ match, fault }),
    setDown: (v: boolean) => void (down = v),
    setDelay: (ms: number) => void (delayMs = ms),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
