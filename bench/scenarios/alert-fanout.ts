// `alert-fanout`: a duty officer issues an alert to the whole community with 100,000 outage
// subscribers (a third each on the Telegram bot, SMS and e-mail), against the fake Telegram
// Bot API, SMS gateway (TurboSMS JSON API) and SMTP relay, which answer at once. Measured from
// the moment the officer presses "Issue": when every delivery is queued, when the portal banner,
// the CAP feed and the first channel (the city's Telegram channel) show it, and, over a window
// once each lane is running, the messages per second each fake received against the lane's
// configured rate. Bounded: the server is stopped after the window, with messages still queued.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Client } from '../../src/test/client.ts';
import { fakeTelegram } from '../../src/test/fakes/telegram.ts';
import { fakeSmsGateway } from '../../src/test/fakes/sms.ts';
import { fakeRelay } from '../../src/test/fakes/smtp.ts';
import { createDb } from '../../src/db/db.ts';
import { connect } from '../../src/modules/channels/test-kit.ts';
import { DEMO_PASSWORD } from '../../src/demo/load.ts';
import { hostLoad, log, makeDataDir, removeDataDir, Server, sleep } from '../lib/server.ts';
import { durationSeconds } from '../lib/stats.ts';

const SUBSCRIBERS = 100_000;
const RATES = { telegram: 30, sms: 100, email: 50 };
const HEADLINE = 'Штормове попередження: пориви вітру до 25 м/с';
const ms = (n: number | null) => (n === null ? null : Math.round(n));

/** Polls `probe` every 10 ms until it is true; the milliseconds since `t0`, or null. */
async function whenTrue(t0: number, probe: () => Promise<boolean> | boolean, limitMs: number): Promise<number | null> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await Promise.resolve().then(probe).catch(() => false)) return performance.now() - t0;
    await sleep(10);
  }
  return null;
}

export async function alertFanout(): Promise<Record<string, unknown>> {
  const dir = await makeDataDir();
  const [tg, sms] = await Promise.all([fakeTelegram('4242:bench'), fakeSmsGateway('BENCH')]);
  const relay = fakeRelay();
  const smtpPort = await relay.listen();
  const { server, started } = await Server.start(dir, 'alert-fanout', 180_000, {
    CITYDESK_DEMO_APPEALS: 'false', CITYDESK_DEMO_NEWS: 'false',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_TOKEN: 'BENCH', TELEGRAM_BOT_TOKEN: '4242:bench', TELEGRAM_API_URL: tg.url,
    OUTBOX_RATE_TELEGRAM: String(RATES.telegram), OUTBOX_RATE_SMS: String(RATES.sms), OUTBOX_RATE_EMAIL: String(RATES.email),
  });
  log(`alert-fanout: ready in ${started.readyS.toFixed(2)} s`);
  const { db } = createDb(server.databaseUrl, 2);
  const raw = new pg.Client({ connectionString: server.databaseUrl });
  await raw.connect();
  try {
    const cid = (await raw.query<{ id: string }>('select id from communities where is_default')).rows[0].id;
    // A quiet city with 100,000 subscribers over its buildings; the city's Telegram channel connected.
    await raw.query(`update alerts set status = 'cancelled'`);
    await raw.query(`update outage_subscriptions set ended_at = now()`);
    await connect(db, cid, 'telegram', { token: '4242:bench', chat_id: '@city', base_url: tg.url }, { rate_per_minute: 60_000 });
    const t = performance.now();
    await raw.query(`
      insert into outage_subscriptions (community_id, channel, recipient, street_id, building_id, lang, unsubscribe_token)
      select $1, (array['telegram', 'sms', 'email'])[i % 3 + 1],
             case i % 3 when 0 then (100000000 + i)::text when 1 then '+38067' || lpad(i::text, 7, '0') else 'resident' || i || '@bench.example' end,
             b.street_id, b.id, (array['uk', 'uk', 'uk', 'uk', 'uk', 'uk', 'uk', 'uk', 'en', 'fa'])[i % 10 + 1], md5(i::text || random()::text)
      from generate_series(1, $2) i
      join (select id, street_id, row_number() over (order by id) - 1 as k from buildings where community_id = $1) b
        on b.k = i % (select count(*) from buildings where community_id = $1)`, [cid, SUBSCRIBERS]);
    log(`alert-fanout: ${SUBSCRIBERS} subscribers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await raw.query('vacuum analyze outage_subscriptions');

    const duty = new Client(server.origin);
    await duty.staffLogin('', 'duty@zelenodolsk.example', DEMO_PASSWORD);
    const visitor = new Client(server.origin);
    const form = {
      event: 'severe_weather', severity: 'Severe', urgency: 'Immediate', certainty: 'Likely', expires_in_hours: '6',
      uk_headline: HEADLINE, uk_description: 'Можливі падіння дерев і обриви ліній.', uk_instruction: 'Не паркуйте авто під деревами.', uk_area: 'Уся громада',
      en_headline: 'Storm warning: gusts up to 25 m/s', en_description: 'Falling trees are possible.', en_instruction: 'Do not park under trees.',
      fa_headline: '', fa_description: '', fa_instruction: '', polygons: '', do: 'issue',
    };
    log('alert-fanout: issuing');
    const t0 = performance.now();
    const r = await duty.post('/console/alerts/new', form, '/console/alerts/new');
    const issueMs = performance.now() - t0;
    if (r.status !== 303) throw new Error(`issuing failed: HTTP ${r.status}`);
    const alertId = /alerts\/([0-9a-f-]{36})$/.exec(r.location!)![1];

    const queued = whenTrue(t0, async () => (await raw.query('select 1 from alert_fanouts where alert_id = $1 having count(*) = max(parts)', [alertId])).rowCount === 1, 60_000);
    const banner = whenTrue(t0, async () => (await visitor.request('/uk/outages')).text.includes(HEADLINE), 60_000);
    const cap = whenTrue(t0, async () => (await visitor.request('/cap/alerts.atom')).text.includes(alertId), 60_000);
    const channel = whenTrue(t0, () => tg.posts.some((p) => p.chat_id === '@city'), 60_000);
    const firstSubscriber = whenTrue(t0, () => tg.posts.some((p) => p.chat_id !== '@city') || sms.received.length > 0 || relay.mails.length > 0, 60_000);
    const [queuedMs, bannerMs, capMs, channelMs, firstMs] = await Promise.all([queued, banner, cap, channel, firstSubscriber]);
    const fanout = (await raw.query<{ messages: number; lag_ms: number }>(
      `select sum(f.messages)::int as messages, extract(epoch from max(f.queued_at) - (select sent_at from alert_messages where alert_id = $1 order by sent_at limit 1)) * 1000 as lag_ms
       from alert_fanouts f where f.alert_id = $1`, [alertId])).rows[0];

    // The rates: a window once every lane has been running for a second.
    const window = Math.min(10, durationSeconds());
    await sleep(1000);
    const count = () => ({ telegram: tg.posts.filter((p) => p.chat_id !== '@city').length, sms: sms.received.length, email: relay.mails.length });
    const a = count();
    const w0 = performance.now();
    await sleep(window * 1000);
    const b = count();
    const secs = (performance.now() - w0) / 1000;
    const rates = Object.fromEntries((Object.keys(RATES) as (keyof typeof RATES)[]).map((k) => {
      const perS = (b[k] - a[k]) / secs;
      return [k, { configured_per_s: RATES[k], measured_per_s: Math.round(perS * 10) / 10, share_of_limit: Math.round((perS / RATES[k]) * 1000) / 1000 }];
    }));
    const sentDb = (await raw.query<{ channel: string; n: string }>(`select channel, count(*) as n from outbox_messages where fanout_id is not null and status = 'sent' group by 1`)).rows;
    return {
      scenario: 'alert-fanout', ...hostLoad(), subscribers: SUBSCRIBERS,
      issue_request_ms: ms(issueMs),
      deliveries_queued: fanout?.messages ?? null,
      all_queued_ms: ms(queuedMs), fanout_insert_after_issue_ms: fanout ? ms(Number(fanout.lag_ms)) : null,
      portal_banner_ms: ms(bannerMs), cap_feed_ms: ms(capMs), first_channel_ms: ms(channelMs), first_subscriber_message_ms: ms(firstMs),
      rate_window_s: window, rates,
      sent_so_far: Object.fromEntries(sentDb.map((x) => [x.channel, Number(x.n)])),
      targets: { all_queued_ms: 3000, portal_banner_ms: 1000, cap_feed_ms: 1000, share_of_limit: 0.95 },
    };
  } finally {
    await raw.end().catch(() => {});
    await db.destroy().catch(() => {});
    await server.stop();
    await Promise.all([tg.close(), sms.close(), relay.close()]);
    await removeDataDir(dir);
  }
}
