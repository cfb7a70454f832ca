// A fake Eitaa bot API (eitaayar.ir): POST /api/{token}/sendMessage with chat_id, text, title.
// It answers like the public wrappers show: `{ ok: true, result: { message_id } }`.
import { fakeServer, type Fault, type Req } from './base.ts';

export async function fakeEitaa(token: string) {
  const posts: { chat_id: string; text: string; title?: string; message_id: number }[] = [];
  let next = 500;
  const handle = (r: Req) => {
    const m = /^\/api\/([^/]+)\/(\w+)$/.exec(r.path);
    if (!m || m[1] !== token) return { status: 401, json: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const b = r.body as Record<string, string>;
    if (m[2] === 'getMe') return { status: 200, json: { ok: true, result: { id: 7, first_name: 'City', username: 'city_bot' } } };
    if (m[2] !== 'sendMessage') return { status: 404, json: { ok: false, error_code: 404, description: 'Not Found' } };
    if (!b.chat_id || !b.text) return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: chat_id and text are required' } };
    const post = { chat_id: b.chat_id, text: b.text, title: b.title, message_id: ++next };
    posts.push(post);
    return { status: 200, json: { ok: true, result: { message_id: post.message_id, date: Math.floor(Date.now() / 1000) } } };
  };
  const fault = (f: Fault) =>
    f.kind === '429'
      ? { status: 429, json: { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: f.retryAfter } } }
      : { status: f.kind === 'down' ? 503 : 500, json: { ok: false, error_code: 500, description: 'Internal Server Error' } };
  const s = await fakeServer('eitaa', handle, fault);
  return { ...s, posts };
}
