// A fake of the eitaayar.ir API as far as it could be checked (see adapters/eitaa.ts):
// POST /api/{token}/{getMe|sendMessage|sendFile}, form or JSON body; sendMessage takes chat_id,
// text and the optional title (panel label), date, pin, disable_notification...; success is
// `{ ok: true, result: { message_id, from, chat: { id, type, username }, date, text } }`.
// The failure shape is not documented: by default `{ ok: false, description }` with HTTP 200
// (what most clients expect); `errorShape('error')` answers `{ ok: false, error, error_code }`.
import { fakeServer, type Fault, type Req } from './base.ts';

export async function fakeEitaa(token: string) {
  const posts: { chat_id: string; text: string; title?: string; message_id: number }[] = [];
  let next = 500;
  let shape: 'description' | 'error' = 'description';
  const refuse = (code: number, text: string) => ({
    status: 200,
    json: shape === 'description' ? { ok: false, description: text } : { ok: false, error: text, error_code: code },
  });
  const bot = { id: 7, is_bot: true, first_name: 'City', username: 'city_bot' };
  const handle = (r: Req) => {
    const m = /^\/api\/([^/]+)\/(\w+)$/.exec(r.path);
    if (!m || m[1] !== token) return refuse(401, 'Unauthorized: invalid token');
    const b = r.body as Record<string, unknown>;
    if (m[2] === 'getMe') return { status: 200, json: { ok: true, result: bot } };
    if (m[2] !== 'sendMessage') return refuse(404, 'method not found');
    const chatId = b.chat_id == null ? '' : String(b.chat_id);
    const text = b.text == null ? '' : String(b.text);
    if (!chatId || !text) return refuse(400, 'chat_id and text are required');
    const post = { chat_id: chatId, text, title: b.title == null ? undefined : String(b.title), message_id: ++next };
    posts.push(post);
    const username = /^\d+$/.test(chatId) ? undefined : chatId.replace(/^@/, '');
    return {
      status: 200,
      json: { ok: true, result: { message_id: post.message_id, from: bot, chat: { id: 9001, type: 'public', ...(username ? { username } : {}) }, date: Math.floor(Date.now() / 1000), text } },
    };
  };
  const fault = (f: Fault) =>
    f.kind === '429'
      ? { status: 429, json: { ok: false, description: 'Too Many Requests' } }
      : { status: f.kind === 'down' ? 503 : 500, json: { ok: false, description: 'Internal Server Error' } };
  const s = await fakeServer('eitaa', handle, fault);
  return { ...s, posts, errorShape: (s2: 'description' | 'error') => void (shape = s2) };
}
