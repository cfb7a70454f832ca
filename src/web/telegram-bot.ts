// The city's Telegram bot: a webhook that binds chats to residents (/start <token>), unbinds
// them (/stop), and holds the outage-subscription conversation (/outages: address → confirm;
// /mysubs: list and end; modules/outages/telegram.ts) in the community the webhook URL names.
// Replies go back in the webhook's answer, a Bot API method call; buttons are a reply keyboard
// (they send their text back), so plain messages are the only updates the bot needs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../http/context.ts';
import { isLang, t, type Lang } from '../i18n/i18n.ts';
import { bindTelegramChat, unbindTelegramChat } from '../modules/identity/telegram.ts';
import { telegramCall } from '../modules/outbox/gateways.ts';
import { withCommunity } from '../db/db.ts';
import { hitRateLimit } from '../http/rate-limit.ts';
import { endChatSubscriptions, outageConversation, type BotReply } from '../modules/outages/telegram.ts';

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
    const say = (r: BotReply) => reply.send({
      method: 'sendMessage', chat_id: chatId, text: r.text,
      reply_markup: r.keyboard ? { keyboard: r.keyboard.map((row) => row.map((text) => ({ text }))), resize_keyboard: true, one_time_keyboard: true } : { remove_keyboard: true },
    });
    const [command, arg] = msg.text.trim().split(/\s+/, 2);
    const lang = langOf(msg.from?.language_code);
    if (command === '/start' && arg && /^[\w-]{16,64}$/.test(arg)) {
      const bound = await bindTelegramChat(app.db, arg, chatId);
      return bound ? answer(bound.lang, 'telegram.bot.linked') : answer(lang, 'telegram.bot.bad_link');
    }
    if (command === '/stop') {
      await unbindTelegramChat(app.db, chatId);
      await endChatSubscriptions(app.db, chatId);
      return say({ text: t(lang, 'telegram.bot.stopped') });
    }
    // Every message below may search the address register: a chat gets 30 a minute.
    if (await hitRateLimit(app.db, `tg-bot:${chatId}`, 30, 60)) return say({ text: t(lang, 'outages.bot.slow_down') });
    const c = req.community;
    const talk = await withCommunity(app.db, c.id, (tx) => outageConversation(tx, { community: c, chatId, text: msg.text!.slice(0, 1000), lang }));
    if (talk) return say(talk);
    return say({ text: `${t(lang, 'telegram.bot.help')}\n\n${t(lang, 'outages.bot.help')}` });
  });
};
