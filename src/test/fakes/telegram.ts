// A fake Telegram Bot API: POST /bot{token}/{method} with JSON or form bodies, answers in
// the real `{ ok, result }` / `{ ok:false, error_code, description, parameters }` shapes and
// checks the real limits (text 1-4096 after HTML parsing, captions 1024, albums 2-10).
import { fakeServer, type Fault, type Req } from './base.ts';

export type TgPost = { method: string; chat_id: string; message_id: number; text?: string; caption?: string; photo?: string; media?: { type: string; media: string; caption?: string }[]; parse_mode?: string };

const ALLOWED = /^\/?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|blockquote|tg-spoiler|span)$/;
const visible = (s: string) => s.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#\d+);/g, '_');
function badHtml(s: string): boolean {
  for (const m of s.matchAll(/<\s*(\/?[a-z-]+)[^>]*>/gi)) if (!ALLOWED.test(m[1].toLowerCase())) return true;
  return /<(?![a-z/])/i.test(s);
}

export async function fakeTelegram(token: string) {
  const posts: TgPost[] = [];
  const messages = new Map<number, TgPost>();
  let nextId = 100;
  const ok = (result: unknown) => ({ status: 200, json: { ok: true, result } });
  const bad = (description: string, code = 400) => ({ status: code, json: { ok: false, error_code: code, description } });
  const msg = (id: number, chat: string, extra: object = {}) => ({ message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: -1001234567890, type: 'channel', username: chat.replace(/^@/, '') }, ...extra });

  const handle = (r: Req) => {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(r.path);
    if (!m) return bad('Not Found', 404);
    if (m[1] !== token) return bad('Unauthorized', 401);
    const b = r.body as Record<string, unknown>;
    const chat = String(b.chat_id ?? '');
    const html = b.parse_mode === 'HTML';
    const check = (t: string | undefined, max: number, what: string) => {
      if (t === undefined) return null;
      if (html && badHtml(t)) return bad("Bad Request: can't parse entities: unsupported start tag");
      const n = html ? visible(t).length : t.length;
      if (what === 'text' && n === 0) return bad('Bad Request: message text is empty');
      if (n > max) return bad(what === 'text' ? 'Bad Request: message is too long' : 'Bad Request: message caption is too long');
      return null;
    };
    const record = (p: Omit<TgPost, 'message_id'>) => {
      const post = { ...p, message_id: ++nextId };
      posts.push(post);
      messages.set(post.message_id, post);
      return post;
    };
    switch (m[2]) {
      case 'getMe':
        return ok({ id: 42, is_bot: true, first_name: 'City bot', username: 'city_news_bot' });
      case 'sendMessage': {
        const e = check(String(b.text ?? ''), 4096, 'text');
        if (e) return e;
        return ok(msg(record({ method: 'sendMessage', chat_id: chat, text: String(b.text), parse_mode: b.parse_mode as string }).message_id, chat, { text: b.text }));
      }
      case 'sendPhoto': {
        const e = check(b.caption as string | undefined, 1024, 'caption');
        if (e) return e;
        return ok(msg(record({ method: 'sendPhoto', chat_id: chat, photo: String(b.photo), caption: b.caption as string, parse_mode: b.parse_mode as string }).message_id, chat));
      }
      case 'sendMediaGroup': {
        const media = b.media as TgPost['media'];
        if (!Array.isArray(media) || media.length < 2 || media.length > 10) return bad('Bad Request: wrong number of media in the album');
        for (const it of media) {
          const e = check(it.caption, 1024, 'caption');
          if (e) return e;
        }
        const first = record({ method: 'sendMediaGroup', chat_id: chat, media });
        const ids = [first.message_id, ...media.slice(1).map(() => ++nextId)];
        return ok(ids.map((id) => msg(id, chat)));
      }
      case 'editMessageText':
      case 'editMessageCaption': {
        const target = messages.get(Number(b.message_id));
        if (!target) return bad('Bad Request: message to edit not found');
        const field = m[2] === 'editMessageText' ? 'text' : 'caption';
        const e = check(b[field] as string, field === 'text' ? 4096 : 1024, field);
        if (e) return e;
        if (target[field] === b[field]) return bad('Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        target[field] = String(b[field]);
        return ok(msg(target.message_id, chat));
      }
      case 'deleteMessage': {
        if (!messages.delete(Number(b.message_id))) return bad('Bad Request: message to delete not found');
        return ok(true);
      }
      default:
        return bad('Not Found: method not found', 404);
    }
  };
  const fault = (f: Fault) =>
    f.kind === '429'
      ? { status: 429, json: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${f.retryAfter}`, parameters: { retry_after: f.retryAfter } } }
      : f.kind === 'down'
        ? { status: 502, json: undefined }
        : { status: 500, json: { ok: false, error_code: 500, description: 'Internal Server Error' } };
  const s = await fakeServer('telegram', handle, fault);
  return { ...s, posts, messages, calls: (method: string) => s.log.filter((r) => r.path.endsWith(`/${method}`)) };
}
