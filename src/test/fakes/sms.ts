// A fake SMS gateway speaking TurboSMS's JSON API (POST /message/send.json, Bearer token),
// on 127.0.0.1. It records each accepted message and can be told to fail or rate-limit.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeSms = { phone: string; text: string; sender: string; messageId: string };

export async function fakeSmsGateway(token: string) {
  const received: FakeSms[] = [];
  let mode: 'ok' | 'down' | 'rate_limited' | 'refuse' = 'ok';
  let n = 0;
  let delayMs = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      // A slow gateway: the message is taken at once, the answer comes later.
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      }, delayMs);
      if (req.method !== 'POST' || req.url !== '/message/send.json') return send(404, { response_code: 404, response_status: 'NOT_FOUND', response_result: null });
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { response_code: 103, response_status: 'REQUIRED_TOKEN', response_result: null });
      if (mode === 'down') return send(503, { response_code: 999, response_status: 'SERVICE_UNAVAILABLE', response_result: null });
      if (mode === 'rate_limited') return send(429, { response_code: 999, response_status: 'TOO_MANY_REQUESTS', response_result: null }, { 'retry-after': '1' });
      let parsed: { recipients?: string[]; sms?: { sender?: string; text?: string } };
      try {
        parsed = JSON.parse(body);
      } catch {
        return send(400, { response_code: 105, response_status: 'INVALID_REQUEST', response_result: null });
      }
      const phones = parsed.recipients ?? [];
      if (!phones.length || !parsed.sms?.text) return send(200, { response_code: 201, response_status: 'REQUIRED_RECIPIENTS', response_result: null });
      const results = phones.map((phone) => {
        if (mode === 'refuse') return { phone, response_code: 406, message_id: null, response_status: 'NOT_ALLOWED_RECIPIENT_COUNTRY' };
        const messageId = `fake-${++n}`;
        received.push({ phone, text: parsed.sms!.text!, sender: parsed.sms!.sender ?? '', messageId });
        return { phone, response_code: 0, message_id: messageId, response_status: 'OK' };
      });
      send(200, { response_code: 800, response_status: 'SUCCESS_MESSAGE_ACCEPTED', response_result: results });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    setMode: (m: typeof mode) => (mode = m),
    setDelay: (ms: number) => (delayMs = ms),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
