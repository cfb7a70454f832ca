// The city's Telegram bot: a webhook that binds chats to residents (/start <token>) and
// unbinds them (/stop). Replies go back in the webhook's answer, a Bot API method call.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../http/context.ts';
import { isLang, t, type Lang } from '../i18n/i18n.ts';
import { bindTelegramChat, unbindTelegramChat } from '../modules/identity/telegram.ts';
import { telegramCall } from '../modules/outbox/gateways.ts';

/** Telegram sends it in X-Telegram-Bot-Api-Secret-Token (1–256 of A-Za-z0-9_-). */
export const webhookSecret = (secret: string) => createHmac('sha256', secret).update('telegram-webhook').digest('base64url').slice(0, 40);

export async function setUpTelegramBot(app: App): Promise<void> {
  const tg = app.config.telegram!;
  const r = await telegramCall(tg, 'setWebhook', { url: `${app.config.publicUrl}/telegram/webhook`, secret_token: webhookSecret(app.secret), allowed_updates: ['message'] });
  if (!r?.ok) throw new Error(`setWebhook: ${String(r?.description ?? 'no answer')}`);
}

const Update = z.object({
  message: z.object({
    chat: z.object({ id: z.union([z.number(), z.string()]), type: z.string() }),
    from: z.object({ language_code: z.string().optional() }).passthrough().optional(),
    text: z.string().optional(),
  }).passthrough().optional(),
}).passthrough();

const langOf = (code: string | undefined): Lang => {
  const two = (code ?? '').slice(0, 2);
  return isLang(two) ? two : two === 'ru' ? 'uk' : 'en';
};

export const telegramBotRoutes = (app: App) => async (r: FastifyInstance) => {
  r.post('/telegram/webhook', async (req, reply) => {
    if (!app.config.telegram) return reply.code(404).send();
    const want = Buffer.from(webhookSecret(app.secret));
    const got = Buffer.from(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''));
    if (want.length !== got.length || !timingSafeEqual(want, got)) return reply.code(401).send();
    const update = Update.safeParse(req.body);
    const msg = update.success ? update.data.message : undefined;
    // Only private chats with text: anything else is acknowledged and ignored (Telegram
    // would otherwise send it again and again).
    if (!msg?.text || msg.chat.type !== 'private') return reply.send({});
    const chatId = String(msg.chat.id);
    const answer = (lang: Lang, key: Parameters<typeof t>[1]) => reply.send({ method: 'sendMessage', chat_id: chatId, text: t(lang, key) });
    const [command, arg] = msg.text.trim().split(/\s+/, 2);
    const lang = langOf(msg.from?.language_code);
    if (command === '/start' && arg && /^[\w-]{16,64}$/.test(arg)) {
      const bound = await bindTelegramChat(app.db, arg, chatId);
      return bound ? answer(bound.lang, 'telegram.bot.linked') : answer(lang, 'telegram.bot.bad_link');
    }
    if (command === '/stop') {
      await unbindTelegramChat(app.db, chatId);
      return answer(lang, 'telegram.bot.stopped');
    }
    return answer(lang, 'telegram.bot.help');
  });
};
