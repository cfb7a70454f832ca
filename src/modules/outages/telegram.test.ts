import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { fakeTelegram } from '../../test/fakes/telegram.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { webhookSecret } from '../../web/telegram-bot.ts';

const TOKEN = '123456:outage-bot-token';
type Answer = { method: string; chat_id: string; text: string; reply_markup?: { keyboard?: { text: string }[][]; remove_keyboard?: boolean } };

describe('subscribing to outages by a conversation with the city’s Telegram bot', () => {
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let updateId = 1;
  before(async () => {
    tg = await fakeTelegram(TOKEN);
    app = await startTestApp({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_BOT_USERNAME: 'zelenodolsk_bot', TELEGRAM_API_URL: tg.url });
    await sql`update outages set status = 'closed', actual_end_at = now()`.execute(app.app.db);
  });
  after(async () => {
    await app.close();
    await tg.close();
  });

  const say = async (text: string, chatId = 777100, language = 'uk'): Promise<Answer> => {
    const r = await fetch(`${app.origin}/telegram/webhook`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhookSecret(app.app.secret) },
      body: JSON.stringify({ update_id: updateId++, message: { message_id: updateId, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, language_code: language }, text } }),
    });
    assert.equal(r.status, 200);
    return (await r.json()) as Answer;
  };
  const buttons = (a: Answer) => (a.reply_markup?.keyboard ?? []).flat().map((b) => b.text);
  const subs = async (chat: string) => (await sql<{ street_id: string; building_id: string | null; kinds: string[]; lang: string; resident_id: string | null; ended_at: Date | null }>`
    select street_id, building_id, kinds, lang, resident_id, ended_at from outage_subscriptions where channel = 'telegram' and recipient = ${chat} order by created_at`.execute(app.app.db)).rows;

  it('/outages asks for the address; one match is confirmed with a button; the subscription is for the chat, all kinds', async () => {
    const ask = await say('/outages');
    assert.equal(ask.method, 'sendMessage');
    assert.equal(ask.chat_id, '777100');
    assert.match(ask.text, /За якою адресою стежити/);
    assert.deepEqual(buttons(ask), ['Скасувати']);
    const confirm = await say('вул. Івана Франка, 3');
    assert.match(confirm.text, /Це ваша адреса: вул\. Івана Франка, 3\?/);
    assert.deepEqual(buttons(confirm), ['✅ Так, підписатися', '✏️ Інша адреса', 'Скасувати']);
    const done = await say('✅ Так, підписатися');
    assert.match(done.text, /Підписано: вул\. Івана Франка, 3/);
    assert.equal(done.reply_markup?.remove_keyboard, true);
    const rows = await subs('777100');
    assert.equal(rows.length, 1);
    assert.ok(rows[0].building_id, 'the building the register knows');
    assert.deepEqual(rows[0].kinds, []);
    assert.equal(rows[0].lang, 'uk');
    assert.equal(rows[0].resident_id, null, 'a chat not linked to a cabinet');
    assert.match((await say('/outages')).text, /За якою адресою/);
    assert.match((await say('вул. Івана Франка, 3')).text, /Це ваша адреса/);
    assert.match((await say('так')).text, /Ви вже підписані на вул\. Івана Франка, 3/, 'never twice');
  });

  it('several streets are offered as choices; a plain-text “відключення” starts; an unknown address gets a clear message', async () => {
    assert.match((await say('Відключення', 777101)).text, /За якою адресою/);
    const none = await say('zzzz', 777101);
    assert.match(none.text, /Такої адреси немає в реєстрі міста/);
    const choose = await say('Лесі Українки', 777101);
    assert.match(choose.text, /Підходить кілька адрес/);
    const options = buttons(choose).filter((b) => /^\d+\. /.test(b));
    assert.ok(options.length >= 2, choose.text);
    const done = await say(options[1], 777101);
    assert.match(done.text, new RegExp(`Підписано: ${options[1].replace(/^\d+\. /, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal((await subs('777101')).length, 1);
  });

  it('answers in the chat’s language: English and Persian', async () => {
    assert.match((await say('/outages', 777102, 'en')).text, /Which address should I watch/);
    const en = await say('vul. Ivana Franka 3', 777102, 'en');
    assert.ok(/Is this your address|could not find/.test(en.text), en.text);
    assert.match((await say('/cancel', 777102, 'en')).text, /Cancelled/);
    const fa = await say('/outages', 777103, 'fa');
    assert.match(fa.text, /کدام نشانی/);
    assert.deepEqual(buttons(fa), ['لغو']);
  });

  it('the portal offers the bot to visitors by a deep link that starts the conversation', async () => {
    const page = await new Client(app.origin).request(`/uk/outages?q=${encodeURIComponent('вул. Івана Франка, 3')}`);
    assert.match(page.text, /<a href="https:\/\/t\.me\/zelenodolsk_bot\?start=outages">Або підпишіться в Telegram-боті міста\.<\/a>/);
    assert.match((await say('/start outages', 777104)).text, /За якою адресою стежити/);
  });

  it('an emergency posted on that street reaches the chat through the outbox', async () => {
    const dispatcher = new Client(app.origin);
    await dispatcher.staffLogin('', 'dispatcher@zelenodolsk.example', DEMO_PASSWORD);
    const r = await dispatcher.post('/console/outages/new', { kind: 'heating', emergency: 'true', reason: 'Пошкодження тепломережі', starts: '2026-11-22T08:00', ends: '2030-11-22T20:00', area: 'вул. Івана Франка' }, '/console/outages/new');
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const post = await until('the notice in the chat', async () => tg.posts.find((p) => p.chat_id === '777100' && /Аварійне/.test(p.text ?? '')));
    assert.match(post.text!, /Опалення/);
    assert.match(post.text!, /вул\. Івана Франка/);
    assert.ok(!tg.posts.some((p) => p.chat_id === '777101' && /Аварійне/.test(p.text ?? '')), 'the other street’s chat is not told');
  });

  it('/mysubs lists the chat’s subscriptions and ends one by its button; the conversation expires after 30 minutes', async () => {
    await say('/outages');
    await say('вул. Івана Франка, 4');
    assert.match((await say('✅ Так, підписатися')).text, /Підписано: вул\. Івана Франка, 4/);
    const list = await say('/mysubs');
    assert.match(list.text, /Ваші підписки на відключення тут:\n1\. вул\. Івана Франка, 3\n2\. вул\. Івана Франка, 4/);
    assert.deepEqual(buttons(list), ['❌ 1. вул. Івана Франка, 3', '❌ 2. вул. Івана Франка, 4', '❌ Скасувати всі', 'Скасувати']);
    assert.match((await say('❌ 2. вул. Івана Франка, 4')).text, /Більше повідомлень про вул\. Івана Франка, 4 не буде/);
    assert.deepEqual((await subs('777100')).map((s) => s.ended_at === null), [true, false]);

    await say('/outages');
    await sql`update telegram_conversations set expires_at = now() - interval '1 minute' where chat_id = '777100'`.execute(app.app.db);
    assert.match((await say('вул. Івана Франка, 5')).text, /Це бот міста[\s\S]*\/outages/, 'an expired conversation is forgotten: the help');
  });

  it('/stop ends the chat’s outage subscriptions too', async () => {
    assert.match((await say('/stop', 777101)).text, /Більше повідомлень/);
    assert.ok((await subs('777101')).every((s) => s.ended_at !== null));
    assert.match((await say('/mysubs', 777101)).text, /немає підписок/);
  });
});
