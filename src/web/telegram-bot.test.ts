import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../test/harness.ts';
import { Client } from '../test/client.ts';
import { until } from '../test/until.ts';
import { fakeTelegram } from '../test/fakes/telegram.ts';
import { fakeSmsGateway } from '../test/fakes/sms.ts';
import { webhookSecret } from './telegram-bot.ts';

const TOKEN = '123456:resident-bot-token';

describe('the city’s Telegram bot: residents connect it in the cabinet and follow their appeals there', () => {
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  let sms: Awaited<ReturnType<typeof fakeSmsGateway>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const resident = new Client('');
  before(async () => {
    tg = await fakeTelegram(TOKEN);
    sms = await fakeSmsGateway('t');
    app = await startTestApp({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_BOT_USERNAME: 'zelenodolsk_bot', TELEGRAM_API_URL: tg.url, SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_TOKEN: 't' });
    Object.assign(resident, { origin: app.origin });
    await resident.post('/uk/login', { contact: '+380501110000' });
    const code = /\b(\d{6})\b/.exec((await until('code', async () => sms.received.find((m) => m.phone === '380501110000'))).text)![1];
    assert.equal((await resident.post('/uk/login/verify', { contact: '+380501110000', code }, '/uk/login')).status, 303);
  });
  after(async () => {
    await app.close();
    await tg.close();
    await sms.close();
  });

  const webhook = (update: unknown, secret = webhookSecret(app.app.secret)) =>
    fetch(`${app.origin}/telegram/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(update) });
  const start = (text: string, chatId = 777001, language = 'uk') => ({ update_id: 1, message: { message_id: 5, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, language_code: language }, text } });

  it('refuses a webhook call without the secret Telegram was given', async () => {
    assert.equal((await webhook(start('/start x'), 'wrong')).status, 401);
  });

  it('the cabinet’s link binds the chat; the bot answers in the resident’s language; the link works once', async () => {
    const r = await resident.post('/uk/account/telegram', {}, '/uk/account');
    assert.equal(r.status, 303);
    const token = /^https:\/\/t\.me\/zelenodolsk_bot\?start=([\w-]+)$/.exec(r.location ?? '')![1];
    const answer = await (await webhook(start(`/start ${token}`, 777001, 'en'))).json();
    assert.equal(answer.method, 'sendMessage');
    assert.equal(answer.chat_id, '777001');
    assert.match(answer.text, /Готово/, 'the resident chose Ukrainian on the portal');
    assert.match((await resident.request('/uk/account')).text, /Telegram підключено/);
    const again = await (await webhook(start(`/start ${token}`, 777002, 'en'))).json();
    assert.match(again.text, /expired or was already used/);
  });

  it('an appeal filed with “Telegram bot” is told there, not by SMS', async () => {
    const form = await resident.request('/uk/appeals/new');
    assert.match(form.text, /value="telegram"/);
    const category = /name="category_id"[^>]*value="([0-9a-f-]{36})"|value="([0-9a-f-]{36})"/.exec(form.text)!;
    const smsBefore = sms.received.length;
    const r = await resident.post('/uk/appeals/new', {
      type: 'statement', category_id: category[1] ?? category[2], description: 'Не світить ліхтар біля під’їзду', address: 'вул. Шевченка, 1',
      name: 'Олена Коваль', phone: '+380501110000', applicant_address: 'вул. Шевченка, 1, кв. 2', notify_via: 'telegram',
    }, '/uk/appeals/new');
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const post = await until('the bot’s message', async () => tg.posts.find((p) => p.chat_id === '777001' && /\d{4}-\d{6}/.test(p.text ?? '')));
    assert.match(post.text!, /зареєстровано|Зареєстровано/);
    assert.equal(sms.received.length, smsBefore, 'no SMS as well');
    const row = await sql<{ status: string; channel: string }>`select status, channel from outbox_messages where recipient = '777001'`.execute(app.app.db);
    assert.deepEqual(row.rows.map((x) => [x.channel, x.status]), [['telegram', 'sent']]);
  });

  it('/stop unbinds the chat; choosing Telegram afterwards is refused with a clear message', async () => {
    const answer = await (await webhook(start('/stop'))).json();
    assert.match(answer.text, /Більше повідомлень/);
    const form = await resident.request('/uk/appeals/new');
    const category = /value="([0-9a-f-]{36})"/.exec(form.text)!;
    const r = await resident.post('/uk/appeals/new', { type: 'statement', category_id: category[1], description: 'Ще одна проблема', notify_via: 'telegram' }, '/uk/appeals/new');
    assert.equal(r.status, 400);
    assert.match(r.text, /Спершу підключіть Telegram/);
    assert.match(r.text, /Ще одна проблема/, 'what was typed is kept');
  });
});
